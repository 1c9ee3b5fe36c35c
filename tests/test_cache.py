"""The build cache: cached, incremental and cold builds give the same bytes, always."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, NOW, Site, feed_files
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import build
from feeds import run as run_module
from feeds.config import SiteConfig, load_config
from feeds.incremental import database as database_module
from feeds.incremental import parallel as parallel_module
from feeds.incremental import sqlfile as sqlfile_module
from feeds.incremental import state as state_module
from feeds.incremental.database import POSTS_FILE
from feeds.incremental.parallel import read_entries
from feeds.incremental.records import reading_entry, reading_from_entry
from feeds.incremental.rows import checksum, shard_of
from feeds.incremental.state import CACHE_DIR, CACHE_FORMAT, load_state
from feeds.incremental.store import BuildCache, PostsTree
from feeds.model import Person
from feeds.source import listing as listing_module
from feeds.source import reading as reading_module
from feeds.source.listing import NO_STAMP, Listing, list_posts
from feeds.source.post import read_post
from feeds.source.reading import Scanning

OLD = 1_600_000_000  # mtimes far from "now", so no post counts as racy


def make_site(site: Site, count: int = 40) -> None:
    site.write_config(BASIC_CONFIG + "max_items: 5\n")
    for index in range(count):
        site.post(
            f"p{index:03d}",
            date=f"2024-{1 + index % 12:02d}-{1 + index % 27:02d}T10:00:00+02:00",
            categories=f"[c{index % 4}]",
            body=f"Post {index} with a [link](../x{index}/).\n",
        )
    age_posts(site)


def age_posts(site: Site) -> None:
    for path in site.posts.rglob("*.md"):
        os.utime(path, (OLD, OLD))


def cold(site: Site, now: datetime = NOW) -> dict[str, bytes]:
    out = site.root / "cold"
    shutil.rmtree(out, ignore_errors=True)
    result = build(site.config, output_dir=out, now=now, use_cache=False)
    assert not result.has_errors
    return feed_files(out)


def mtimes(site: Site) -> dict[str, int]:
    return {p.name + str(p.parent): p.stat().st_mtime_ns for p in site.output.rglob("*.xml")}


def read_on_cores(monkeypatch: pytest.MonkeyPatch, cores: int) -> None:
    """Read even a small test site in parallel, as a machine with `cores` cores would:
    a cached build's reading (`feeds.incremental.parallel`), in chunks of three files."""
    monkeypatch.setattr(parallel_module, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(parallel_module, "MIN_CHUNK_FILES", 3)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)


READERS = (reading_module, parallel_module)
"""The modules that read the posts with `read_post`: the reference reading, and a cached
build's (on every core). An edit's replanning (`feeds.incremental.replan`) reads its
few changed files itself, and is not counted."""


def patch_read_post(monkeypatch: pytest.MonkeyPatch, wrap) -> None:
    """`read_post`, wherever posts are read, as `wrap(read_post)`."""
    for module in READERS:
        monkeypatch.setattr(module, "read_post", wrap(module.read_post))


def record_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the post files read from now on."""
    read: list[str] = []
    patch_read_post(
        monkeypatch,
        lambda read_post: (
            lambda path, *rest: read.append(Path(path).name) or read_post(path, *rest)
        ),
    )
    return read


def read_slowly_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make this process a slow core: 10 ms a post, which workers do not take; the
    paths it reads from now on."""
    pid = os.getpid()
    read_here: list[str] = []

    def slow(read_post):
        def slowly(path: str, *rest: object) -> object:
            if os.getpid() == pid:
                read_here.append(path)
                time.sleep(0.01)
            return read_post(path, *rest)

        return slowly

    patch_read_post(monkeypatch, slow)
    return read_here


def parallel_scanner(meanwhile=lambda: None):
    """A `scan_posts` scanner that reads as a cached build does: on every core."""

    def scan(listing: Listing, config: SiteConfig, scanning: Scanning) -> None:
        read_entries(listing.files, config, meanwhile, lambda rows: None, scanning.found)

    return scan


class _RecordedEntry:
    """A folder's entry whose `stat` is recorded."""

    def __init__(self, entry: os.DirEntry[str], stats: list[str]) -> None:
        self.entry, self.stats = entry, stats

    def __getattr__(self, name: str) -> object:
        return getattr(self.entry, name)

    def stat(self, **options: bool) -> os.stat_result:
        self.stats.append(self.entry.path)
        return self.entry.stat(**options)


def record_listing_stats(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the listing stats from now on: by path, or as a folder's entries."""
    stats: list[str] = []
    stamp_of, scandir = listing_module.stamp_of, os.scandir

    def recorded(path: str) -> object:
        stats.append(path)
        return stamp_of(path)

    @contextlib.contextmanager
    def recorded_scandir(path: str) -> Iterator[Iterator[_RecordedEntry]]:
        with scandir(path) as entries:
            yield (_RecordedEntry(entry, stats) for entry in entries)

    monkeypatch.setattr(listing_module, "stamp_of", recorded)
    monkeypatch.setattr(listing_module.os, "scandir", recorded_scandir)
    return stats


def record_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the child processes this process forks from now on."""
    children: list[int] = []
    fork = os.fork

    def recorded() -> int:
        child = fork()
        if child:
            children.append(child)
        return child

    monkeypatch.setattr(os, "fork", recorded)
    return children


def refuse_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)


def assert_reaped(children: list[int]) -> None:
    """Each child ended and was waited for: none left running, none a zombie."""
    for child in children:
        with pytest.raises(ChildProcessError):
            os.waitpid(child, os.WNOHANG)


@contextlib.contextmanager
def database(site: Site) -> Iterator[sqlite3.Connection]:
    """The site's posts database (see feeds.incremental.database), changed as the body
    changes it."""
    db = sqlite3.connect(site.root / CACHE_DIR / POSTS_FILE)
    try:
        with db:
            yield db
    finally:
        db.close()


def stored_rows(site: Site) -> dict[str, tuple[object, ...]]:
    """Each row of the posts database by its post file's path: (shard, stamp,
    written_ns, checksum, entry)."""
    with database(site) as db:
        rows = db.execute(
            "SELECT relative, shard, stamp, written_ns, checksum, entry FROM readings"
        ).fetchall()
    return {relative.decode(): tuple(rest) for relative, *rest in rows}


def assert_nothing_left_beside_the_database(site: Site) -> None:
    """No staged database, no journal: nothing a later run would have to clean up."""
    left = {path.name for path in (site.root / CACHE_DIR).iterdir()}
    assert left <= {POSTS_FILE, "state.json", "plan.pickle"}


def test_no_change_run_renders_and_writes_nothing_and_matches_cold(site: Site) -> None:
    make_site(site)
    first = build(site.config, now=NOW)
    assert first.report is not None and len(first.report.written) == 18
    before = mtimes(site)
    again = build(site.config, now=NOW)
    assert again.report is not None and again.report.written == ()
    assert len(again.report.unchanged) == 18 and again.posts == 40
    assert mtimes(site) == before
    assert feed_files(site.output) == cold(site)


@pytest.mark.parametrize("bad_post", [False, True])
def test_a_first_build_lists_without_stat_and_the_next_reads_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch, bad_post: bool
) -> None:
    """With no earlier run to compare with, the listing skips `stat`: each file's comes
    with reading it. The next run still reads nothing, not even a post with problems."""
    make_site(site)
    if bad_post:
        site.raw_post("bad.md", "---\ntitle: x\n---\n")
        age_posts(site)
    stats = record_listing_stats(monkeypatch)
    first = build(site.config, now=NOW)
    assert stats == [] and first.has_errors == bad_post
    read = record_reads(monkeypatch)
    second = build(site.config, now=NOW)
    assert read == [] and len(stats) == 40 + bad_post
    assert [p.format() for p in second.problems] == [p.format() for p in first.problems]
    assert second.published != bad_post
    if not bad_post:
        assert second.report is not None and second.report.written == ()


def test_a_large_first_build_stats_its_posts_before_reading(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past STAT_WHILE_READING_MAX files the stamps are taken before reading (they pack
    together in memory); the next run still reads nothing and writes nothing."""
    make_site(site)
    monkeypatch.setattr(listing_module, "STAT_WHILE_READING_MAX", 10)
    stats = record_listing_stats(monkeypatch)
    build(site.config, now=NOW)
    assert len(stats) == 40
    read = record_reads(monkeypatch)
    again = build(site.config, now=NOW)
    assert read == [] and again.report is not None and again.report.written == ()


def test_one_edit_rewrites_only_the_feeds_that_contain_it(site: Site) -> None:
    make_site(site)
    build(site.config, now=NOW)
    newest_in_c1 = site.posts / "p033.md"  # 2024-10-07: in the top 5 of c1, not of all
    newest_in_c1.write_text(newest_in_c1.read_text().replace("Post 33", "Post 33, edited"))
    result = build(site.config, now=NOW)
    assert result.report is not None
    assert result.report.written == (
        "categories/c1/atom.xml",
        "categories/c1/feed.json",
        "categories/c1/rss.xml",
        "index.html",  # shows the newest entries of every feed
    )
    assert feed_files(site.output) == cold(site)


def test_an_edit_that_changes_membership_is_seen(site: Site) -> None:
    make_site(site)
    build(site.config, now=NOW)
    (site.posts / "p000.md").write_text(
        (site.posts / "p000.md").read_text().replace("2024-01-01", "2025-06-01")
    )
    (site.posts / "p001.md").unlink()
    site.post("new-one", date="2025-07-01", categories="[c9]")
    build(site.config, now=NOW)
    assert feed_files(site.output) == cold(site)
    assert "categories/c9/atom.xml" in feed_files(site.output)


def test_a_scheduled_post_falls_due_without_any_file_changing(site: Site) -> None:
    make_site(site)
    site.post("scheduled", date="2026-03-01T00:00:00Z")
    age_posts(site)
    build(site.config, now=NOW)
    assert b"Scheduled" not in feed_files(site.output)["atom.xml"]
    later = datetime(2026, 3, 1, tzinfo=UTC)
    result = build(site.config, now=later)
    assert result.report is not None and "atom.xml" in result.report.written
    assert feed_files(site.output) == cold(site, now=later)


def test_config_changes_invalidate_everything(site: Site) -> None:
    make_site(site)
    build(site.config, now=NOW)
    site.write_config(BASIC_CONFIG.replace("Test Site", "Renamed") + "max_items: 5\n")
    result = build(site.config, now=NOW)
    assert result.report is not None and len(result.report.written) == 17
    assert result.report.unchanged == ("feed.css",)  # rendered again, bytes the same
    assert feed_files(site.output) == cold(site)


@pytest.mark.parametrize(
    "module", ["run.py", "source/post.py", f"source/post{EXTENSION_SUFFIXES[0]}"]
)
def test_a_change_of_feeds_own_code_invalidates_everything(
    site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, module: str
) -> None:
    """Every build calls itself 0.1.0: a cache is tied to the stat of feeds' modules
    (in the package's subpackages too), sources and (in a compiled install) compiled
    ones, so an upgrade never trusts readings that older code checked."""
    code = tmp_path / "code"
    (code / "source").mkdir(parents=True)
    (code / "run.py").write_text("# feeds' code\n")
    (code / "source" / "post.py").write_text("# feeds' code\n")
    monkeypatch.setattr(state_module, "CODE_FOLDER", code)
    make_site(site, count=6)
    build(site.config, now=NOW)
    read = record_reads(monkeypatch)
    build(site.config, now=NOW)
    assert read == []
    (code / module).write_text("# another build of feeds\n")
    result = build(site.config, now=NOW)
    assert len(read) == 6
    assert result.report is not None and result.report.written == ()
    assert feed_files(site.output) == cold(site)


def test_a_feed_file_changed_or_removed_by_hand_is_rewritten(site: Site) -> None:
    make_site(site)
    build(site.config, now=NOW)
    (site.output / "rss.xml").write_text("vandalised")
    (site.output / "categories/c2/atom.xml").unlink()
    result = build(site.config, now=NOW)
    assert result.report is not None
    assert sorted(result.report.written) == ["categories/c2/atom.xml", "rss.xml"]
    assert feed_files(site.output) == cold(site)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: b"\x00\xff" * 100,
        lambda data: b"[]",
        lambda data: json.dumps({"format": 2, "key": "other"}).encode(),
        lambda data: data.replace(b"tag:", b"evil:", 1),
        lambda data: data.replace(b"P023", b"P999", 1),  # same length: a changed title
    ],
)
def test_a_corrupt_truncated_or_foreign_cache_is_ignored_safely(site: Site, damage) -> None:
    make_site(site)
    build(site.config, now=NOW)
    for group in (POSTS_FILE, "state.json"):
        for path in (site.root / CACHE_DIR).glob(group):
            path.write_bytes(damage(path.read_bytes()))
        for target in site.output.rglob("*.xml"):
            target.write_text("stale")  # force every feed through the damaged cache
        result = build(site.config, now=NOW)
        assert not result.has_errors
        assert feed_files(site.output) == cold(site)


class Planted:
    """Unpickling this would run a command: the cache must refuse to."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch planted",))


class PlantedLookup:
    """`getattr` is how a ZoneInfo pickles; on anything else it reaches code to run."""

    def __reduce__(self) -> tuple[object, tuple[object, str]]:
        return (getattr, (Person, "__init__"))


@pytest.mark.parametrize(
    ("meta", "change"),
    [
        ({"key": "other"}, None),
        ({"format": 1}, None),
        ({"token": None}, None),
        ({}, lambda entry: (entry[0], ("short",), [])),
        ({}, lambda entry: (entry[0], (*entry[1][:4], 1, *entry[1][5:]), [])),
        ({}, lambda entry: (entry[0], entry[1], [(1, 2)])),
        ({}, lambda entry: None),
        ({}, lambda entry: (entry[0], Planted(), ())),
        ({}, lambda entry: Planted()),
        ({}, lambda entry: (entry[0], PlantedLookup(), ())),
    ],
)
def test_a_posts_cache_of_another_shape_or_with_code_in_it_is_ignored(
    site: Site, meta, change, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each reading is a pickle: it is read by an unpickler that can make only what a
    post holds, and every record is checked before it becomes a post; the database's
    own rows are checked too."""
    make_site(site)
    build(site.config, now=NOW)
    with database(site) as db:
        db.executemany(
            "UPDATE meta SET value = ? WHERE name = ?", [(v, k) for k, v in meta.items()]
        )
        if change is not None:
            rows = db.execute("SELECT relative, stamp, written_ns, entry FROM readings")
            for relative, stamp, written_ns, data in rows.fetchall():
                changed = pickle.dumps(change(pickle.loads(data)))
                db.execute(  # with a valid checksum
                    "UPDATE readings SET entry = ?, checksum = ? WHERE relative = ?",
                    (changed, checksum(stamp, written_ns, changed), relative),
                )
    (site.posts / "p000.md").write_text((site.posts / "p000.md").read_text() + "\nMore.\n")
    age_posts(site)
    monkeypatch.chdir(site.root)
    read = record_reads(monkeypatch)
    result = build(site.config, now=NOW)
    assert sorted(set(read)) == [f"p{index:03d}.md" for index in range(40)]  # none used
    assert not result.has_errors
    assert not (site.root / "planted").exists()
    assert feed_files(site.output) == cold(site)


def test_a_reading_rewritten_with_its_checksum_is_used(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the test above relies on: a row rewritten as it does, with the same reading,
    is used as it was."""
    make_site(site)
    build(site.config, now=NOW)
    with database(site) as db:
        rows = db.execute("SELECT relative, stamp, written_ns, entry FROM readings")
        for relative, stamp, written_ns, data in rows.fetchall():
            same = pickle.dumps(pickle.loads(data))
            assert same != data  # pickled anew, by another pickler
            db.execute(
                "UPDATE readings SET entry = ?, checksum = ? WHERE relative = ?",
                (same, checksum(stamp, written_ns, same), relative),
            )
    site.post("p999", date="2025-07-01", categories="[c9]")  # the full path
    read = record_reads(monkeypatch)
    build(site.config, now=NOW)
    assert read == ["p999.md"]
    assert feed_files(site.output) == cold(site)


def test_readings_with_a_named_time_zone_are_reused(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A date without an offset is in the site's ZoneInfo, which pickles as
    getattr(ZoneInfo, "_unpickle"): the cache once refused that, and read every post of
    such a site again on every run."""
    site.write_config(BASIC_CONFIG + "timezone: Europe/Paris\n")
    for day in range(1, 6):
        site.post(f"p{day}", date=f"2024-05-0{day}")
    age_posts(site)
    build(site.config, now=NOW)
    read = record_reads(monkeypatch)
    post = site.posts / "p3.md"
    post.write_text(post.read_text().replace("2024-05-03", "2024-05-06"))  # replans
    build(site.config, now=NOW)
    assert read == ["p3.md"]
    assert feed_files(site.output) == cold(site)


def test_tampered_readings_are_never_trusted_over_a_stat_change(site: Site) -> None:
    """The cache is keyed on each file's stat: an edit is always re-read."""
    make_site(site)
    build(site.config, now=NOW)
    post = site.posts / "p023.md"
    post.write_text(post.read_text().replace("title: P023", "title: Fresh Title"))
    build(site.config, now=NOW)
    assert b"Fresh Title" in feed_files(site.output)["atom.xml"]


def test_a_racy_edit_within_the_same_timestamp_is_still_seen(site: Site) -> None:
    """An edit that keeps size and mtime (same clock tick) right after a run is re-read."""
    make_site(site)
    post = site.posts / "p023.md"
    build(site.config, now=NOW)
    status = post.stat()
    text = post.read_text()
    post.write_text(text.replace("title: P023", "title: Q023"))  # same size
    os.utime(post, ns=(status.st_atime_ns, status.st_mtime_ns))
    build(site.config, now=NOW)
    # ctime changed, so the stat key differs; and recent mtimes are never trusted anyway.
    assert b"Q023" in feed_files(site.output)["atom.xml"]


def test_errors_are_reported_on_every_run_even_when_cached(site: Site) -> None:
    make_site(site)
    site.raw_post("bad.md", "---\ntitle: x\n---\n")
    age_posts(site)
    for _ in range(2):
        result = build(site.config, now=NOW)
        assert [p.format(relative_to=site.root) for p in result.problems] == [
            "posts/bad.md:1: 'date' is missing; add a line 'date: ...' to the front matter"
        ]
        assert not result.published


def test_warnings_are_replayed_by_a_no_change_run(site: Site) -> None:
    make_site(site)
    site.post("odd", colour="red")
    age_posts(site)
    first = build(site.config, now=NOW)
    second = build(site.config, now=NOW)
    assert second.report is not None and second.report.written == ()
    assert [p.format() for p in second.problems] == [p.format() for p in first.problems]
    assert len(second.problems) == 1


def test_the_cache_lives_beside_site_yaml_not_in_the_output(site: Site) -> None:
    make_site(site)
    site.post("draft", draft="true")
    build(site.config, now=NOW)
    assert (site.root / CACHE_DIR / POSTS_FILE).is_file()
    assert not any(".feeds-cache" in str(p) for p in site.output.rglob("*"))
    assert not any(b"Draft" in data for data in feed_files(site.output).values())


def test_no_cache_means_no_cache(site: Site) -> None:
    make_site(site)
    build(site.config, now=NOW, use_cache=False)
    assert not (site.root / CACHE_DIR).exists()


def test_reading_on_two_cores_gives_the_same_result(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_site(site)
    site.raw_post("bad.md", "---\ntitle: x\n---\n")
    serial = build(site.config, now=NOW, use_cache=False, write=False)
    read_on_cores(monkeypatch, 3)
    workers = record_forks(monkeypatch)
    parallel = build(site.config, now=NOW)  # no cache yet: every post read on 3 cores
    assert len(workers) >= 2  # (and the writer of the cache, see below)
    assert [p.format() for p in parallel.problems] == [p.format() for p in serial.problems]
    assert parallel.posts == serial.posts == 40
    site.raw_post("bad.md", "---\ntitle: x\ndate: 2024-01-01\n---\n")
    shutil.rmtree(site.root / CACHE_DIR)  # so that every post is read on 3 cores again
    build(site.config, now=NOW)
    assert feed_files(site.output) == cold(site)


def test_a_slow_core_reads_fewer_chunks_and_the_order_holds(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks go to whichever process is free, and the readings come back in the
    listing's order however they were shared out."""
    make_site(site)
    site.raw_post("bad.md", "---\ntitle: x\n---\n")
    config, _ = load_config(site.config)
    assert config is not None
    listing = list_posts(config)
    serial = reading_module.scan_posts(config, listing)
    read_on_cores(monkeypatch, 2)
    read_here = read_slowly_here(monkeypatch)
    parallel = reading_module.scan_posts(config, listing, parallel_scanner())
    assert parallel == serial
    assert 0 < len(read_here) < 30  # of 41: the worker read most of them


def test_a_workers_chunks_are_taken_over_while_this_process_still_reads(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's readings come chunk by chunk, taken over between this process's own
    chunks rather than all at the end, while the worker's core would idle."""
    make_site(site)
    config, _ = load_config(site.config)
    assert config is not None
    listing = list_posts(config)
    serial = reading_module.scan_posts(config, listing)
    read_on_cores(monkeypatch, 2)
    read_slowly_here(monkeypatch)  # a slow core: the worker's chunks arrive meanwhile
    taken_over: list[bool] = []  # for each chunk taken over: whether waited for
    received = parallel_module._Worker.received

    def recorded(worker: object, *args: object, wait: bool) -> Iterator[object]:
        for chunk in received(worker, *args, wait=wait):
            taken_over.append(wait)
            yield chunk

    monkeypatch.setattr(parallel_module._Worker, "received", recorded)
    assert reading_module.scan_posts(config, listing, parallel_scanner()) == serial
    assert taken_over.count(False) >= 5  # of 14 chunks, this process read at most 9


@pytest.mark.parametrize("cores", [1, 2])
def test_work_meanwhile_is_done_while_workers_read(
    site: Site, monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    """A build's imports of its later stages overlap the workers' reading; with no
    worker there is nothing to overlap, and they are left to first use."""
    make_site(site)
    config, _ = load_config(site.config)
    assert config is not None
    listing = list_posts(config)
    read_on_cores(monkeypatch, cores)
    calls: list[int] = []
    scanner = parallel_scanner(meanwhile=lambda: calls.append(os.getpid()))
    scan = reading_module.scan_posts(config, listing, scanner)
    assert calls == ([os.getpid()] if cores > 1 else [])
    assert scan == reading_module.scan_posts(config, listing)


@pytest.mark.parametrize("failure", ["raises", "dies", "dies later", "no process"])
def test_a_failed_reading_worker_costs_no_post(
    site: Site, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """Whatever becomes of a worker, its share is read by the build itself."""
    make_site(site)
    site.raw_post("bad.md", "---\ntitle: x\n---\n")
    serial = build(site.config, now=NOW, use_cache=False, write=False)
    read_on_cores(monkeypatch, 2)
    pid = os.getpid()
    read_in_worker: list[str] = []
    if failure == "dies later":
        read_slowly_here(monkeypatch)  # so that the worker gets to claim a second chunk

    def fail(read_post):
        def failing(path: str, *rest: object) -> object:
            if os.getpid() != pid:  # only in the worker
                if failure == "dies later" and len(read_in_worker) < 3:
                    read_in_worker.append(path)  # its first chunk is read and sent
                    return read_post(path, *rest)
                if failure.startswith("dies"):
                    os._exit(9)
                raise MemoryError
            return read_post(path, *rest)

        return failing

    if failure == "no process":
        refuse_forks(monkeypatch)
    else:
        patch_read_post(monkeypatch, fail)
    parallel = build(site.config, now=NOW, write=False)  # no cache yet: read on 2 cores
    assert [p.format() for p in parallel.problems] == [p.format() for p in serial.problems]
    assert parallel.posts == serial.posts == 40


def test_an_interrupted_build_leaves_no_reading_worker_behind(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM from cron's timeout or Ctrl-C stops the workers too."""
    make_site(site)
    read_on_cores(monkeypatch, 3)
    pid = os.getpid()

    def interrupt(read_post):
        def interrupted(path: str, *rest: object) -> object:
            if os.getpid() == pid:
                raise KeyboardInterrupt
            time.sleep(0.02)  # slow workers: this process always gets to claim a chunk
            return read_post(path, *rest)

        return interrupted

    patch_read_post(monkeypatch, interrupt)
    workers = record_forks(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        build(site.config, now=NOW)  # no cache yet: every post read on 3 cores
    assert len(workers) == 2
    assert_reaped(workers)


@pytest.mark.parametrize("cores", [1, 3])
@pytest.mark.parametrize("limit", [None, "HELD_FILES", "HELD_BYTES"])
def test_a_full_reads_readings_are_all_kept_for_the_next_run(
    site: Site, monkeypatch: pytest.MonkeyPatch, cores: int, limit: str | None
) -> None:
    """A run making a new database holds its readings, the workers' too, and one forked
    process writes them once the posts are read; with more files to read or more bytes
    than held, they are written as they come, and no process is forked to write them.
    Each post file has its row."""
    make_site(site)
    read_on_cores(monkeypatch, cores)
    if limit is not None:
        monkeypatch.setattr(database_module, limit, 39)  # 40 files, of hundreds of bytes each
    held = limit is None
    forks = record_forks(monkeypatch)
    build(site.config, now=NOW)
    assert len(forks) == cores - 1 + held  # the reading workers, and the writer if held
    assert_reaped(forks)
    assert sorted(stored_rows(site)) == [f"p{index:03d}.md" for index in range(40)]
    assert_nothing_left_beside_the_database(site)
    monkeypatch.undo()
    read = record_reads(monkeypatch)
    site.post("p999", date="2025-07-01", categories="[c9]")  # the full path, every reading
    build(site.config, now=NOW)
    assert read == ["p999.md"]
    assert feed_files(site.output) == cold(site)


def test_a_failed_writer_of_readings_costs_only_reading_them_again(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process writing a new database's readings fails (the disk fills, say): the
    feeds are published all the same, the operator hears of it, no staged database is
    left, and the next run reads every post again."""
    make_site(site)

    def fail(*_: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(database_module, "insert", fail)  # in the forked writer alone
    forks = record_forks(monkeypatch)
    result = build(site.config, now=NOW)
    assert len(forks) == 1
    assert_reaped(forks)
    assert [p.message for p in result.problems] == [
        "the build cache cannot be written (the process writing the post readings failed), "
        "so every run reads every post again; let the user who runs feeds write this folder"
    ]
    assert feed_files(site.output) == cold(site)
    assert_nothing_left_beside_the_database(site)
    assert not (site.root / CACHE_DIR / POSTS_FILE).exists()
    monkeypatch.undo()
    read = record_reads(monkeypatch)
    build(site.config, now=NOW)
    assert len(read) == 40
    assert sorted(stored_rows(site)) == [f"p{index:03d}.md" for index in range(40)]


def test_a_new_database_removed_by_a_run_at_the_same_time_is_not_a_problem(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another run's clean-up removes the new database, as a leftover, while the forked
    process writes it: that run's cache serves as well, so nobody is warned."""
    make_site(site)
    insert = database_module.insert

    def removed_meanwhile(connection: sqlite3.Connection, rows: object) -> None:
        ((_, _, path),) = connection.execute("PRAGMA database_list").fetchall()
        os.unlink(path)
        insert(connection, rows)

    monkeypatch.setattr(database_module, "insert", removed_meanwhile)
    result = build(site.config, now=NOW)
    assert result.problems == () and not result.has_errors
    assert feed_files(site.output) == cold(site)
    assert list((site.root / CACHE_DIR).iterdir()) == []


def test_an_interrupted_build_leaves_no_writer_of_readings_behind(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted once the posts are read, while a forked process writes their
    readings: that process is stopped, and its database removed."""
    make_site(site)
    forks = record_forks(monkeypatch)
    insert = database_module.insert

    def slow_insert(*rows: object) -> None:
        time.sleep(60)  # still writing when the build is interrupted
        insert(*rows)

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(database_module, "insert", slow_insert)

    monkeypatch.setattr(run_module, "_render_and_publish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(site.config, now=NOW)
    assert len(forks) == 1
    assert_reaped(forks)
    assert list((site.root / CACHE_DIR).iterdir()) == []


def test_a_program_that_ignores_sigchld_can_still_build(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system then reaps the workers itself and waiting for them fails: the build
    must neither stop there nor lose a reading."""
    import signal

    make_site(site)
    read_on_cores(monkeypatch, 2)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        result = build(site.config, now=NOW)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert result.posts == 40 and not result.has_errors
    assert feed_files(site.output) == cold(site)
    again = build(site.config, now=NOW)
    assert again.report is not None and again.report.written == ()


def test_a_threaded_program_builds_without_forking(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child forked from a threaded process can hang on a lock another thread held:
    with a second thread running, the build reads and writes its cache itself."""
    make_site(site)
    read_on_cores(monkeypatch, 2)
    children = record_forks(monkeypatch)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        result = build(site.config, now=NOW)
    finally:
        stop.set()
        other.join()
    assert children == []
    assert result.posts == 40 and not result.has_errors
    assert feed_files(site.output) == cold(site)
    again = build(site.config, now=NOW)  # every reading was kept all the same
    assert again.report is not None and again.report.written == ()


def test_a_build_leaves_the_cycle_collector_as_it_found_it(site: Site) -> None:
    """build() pauses CPython's cycle collector (see feeds.build); callers keep theirs."""
    import gc

    make_site(site, count=3)
    assert gc.isenabled()
    build(site.config, now=NOW)
    assert gc.isenabled()
    gc.disable()
    try:
        build(site.config, now=NOW, use_cache=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_inode_numbers_beyond_signed_64_bits_are_digested(tmp_path: Path) -> None:
    """Some network file systems give inode numbers from 2**63 on, which do not fit the
    signed 64-bit integers the stamps are packed as: the run must still tell such trees
    apart, and give the stamps back as they were."""
    huge = 2**64 - 1

    def tree(inode: int) -> PostsTree:
        unstamped = Listing(str(tmp_path), ["a.md"], NO_STAMP, ())
        return PostsTree(unstamped.with_stamps([(10, 1, inode, 1)]))

    assert tree(huge).digest != tree(huge - 1).digest
    assert tree(huge).digest == tree(huge).digest
    assert tree(huge).shard_digests != tree(huge - 1).shard_digests
    assert tree(huge).listing.stamp(0) == (10, 1, huge, 1)


def test_posts_share_their_listings_path_and_stamp(site: Site) -> None:
    """Posts read fresh or made from the cache's readings keep the very path and stamp
    objects their listing holds: 100,000 posts with copies of their own held 33 MB
    more, and the compiled install (which boxes fixed-length tuples anew) made one."""
    make_site(site, count=3)
    config, _ = load_config(site.config)
    assert config is not None
    listed = list_posts(config).files[0]
    post, _ = read_post(listed.path, config, listed.stamp)
    assert post is not None
    assert post.source is listed.path and post.stamp is listed.stamp
    entry = reading_entry(listed.stamp, (post, []))
    reading = reading_from_entry(entry, listed.path, listed.stamp)
    assert reading is not None and reading[0] is not None
    assert reading[0].source is listed.path and reading[0].stamp is listed.stamp


def test_an_edit_rewrites_one_row_of_post_readings(site: Site) -> None:
    """Saving every reading after each edit cost a one-edit run of 10,000 posts 0.1 s;
    the other rows keep even the time they were read at."""
    make_site(site)
    build(site.config, now=NOW)
    before = stored_rows(site)
    assert len(before) == 40
    post = site.posts / "p007.md"
    post.write_text(post.read_text() + "\nEdited.\n")
    # Not racy (see feeds.incremental.database), so no other post is re-read.
    os.utime(post, (OLD, OLD))
    build(site.config, now=NOW)
    after = stored_rows(site)
    assert after.keys() == before.keys()
    assert [name for name in before if before[name] != after[name]] == ["p007.md"]
    assert after["p007.md"][2] > before["p007.md"][2]  # written_ns
    assert feed_files(site.output) == cold(site)


def test_a_cold_build_keeps_one_row_per_post_file(site: Site) -> None:
    make_site(site)
    site.raw_post("bad.md", "---\ntitle: x\n---\n")  # its problems are its reading
    age_posts(site)
    build(site.config, now=NOW)
    rows = stored_rows(site)
    assert sorted(rows) == ["bad.md", *(f"p{index:03d}.md" for index in range(40))]
    assert all(row[0] == shard_of(name) for name, row in rows.items())
    assert len({row[0] for row in rows.values()}) > 10  # spread over the shards
    assert_nothing_left_beside_the_database(site)


def _zeroed_after_the_schema(data: bytes) -> bytes:
    """The pages after the first four (the schema, the meta table and the roots of
    the readings and their index) zeroed: the damage shows only when rows are read."""
    return data[: 4 * 4096] + bytes(len(data) - 4 * 4096)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:100],
        lambda data: b"\x00\xff" * 5000,
        lambda data: b"SQLite format 3\x00" + b"\xff" * 5000,
        _zeroed_after_the_schema,
    ],
)
def test_a_damaged_posts_database_is_ignored_and_replaced(
    site: Site, monkeypatch: pytest.MonkeyPatch, damage
) -> None:
    make_site(site)
    build(site.config, now=NOW)
    path = site.root / CACHE_DIR / POSTS_FILE
    path.write_bytes(damage(path.read_bytes()))
    site.post("p999", date="2025-07-01", categories="[c9]")  # the full path
    read = record_reads(monkeypatch)
    result = build(site.config, now=NOW)
    assert [p.format() for p in result.problems] == []  # not even the cache's own
    assert sorted(read) == sorted([*(f"p{index:03d}.md" for index in range(40)), "p999.md"])
    assert feed_files(site.output) == cold(site)
    assert len(stored_rows(site)) == 41  # a new database, whole
    assert_nothing_left_beside_the_database(site)


@pytest.mark.parametrize(
    "change",
    [
        f"UPDATE meta SET value = {CACHE_FORMAT - 1} WHERE name = 'format'",
        "UPDATE meta SET value = 'other' WHERE name = 'key'",
        "DELETE FROM meta WHERE name = 'written_ns'",
        "ALTER TABLE readings ADD COLUMN colour TEXT",
        "DROP INDEX readings_by_shard",
    ],
)
def test_a_posts_database_of_another_format_or_key_is_ignored_and_replaced(
    site: Site, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    make_site(site)
    build(site.config, now=NOW)
    with database(site) as db:
        db.execute(change)
    site.post("p999", date="2025-07-01", categories="[c9]")
    read = record_reads(monkeypatch)
    build(site.config, now=NOW)
    assert len(read) == 41
    assert feed_files(site.output) == cold(site)
    with database(site) as db:
        meta = dict(db.execute("SELECT name, value FROM meta"))
    assert meta["format"] == CACHE_FORMAT and meta["key"] == load_state(site.config).key
    assert len(stored_rows(site)) == 41


def test_the_rows_of_deleted_and_renamed_posts_are_forgotten(site: Site) -> None:
    make_site(site)
    build(site.config, now=NOW)
    (site.posts / "p005.md").unlink()
    (site.posts / "p006.md").rename(site.posts / "p106.md")
    build(site.config, now=NOW)
    rows = stored_rows(site)
    assert "p005.md" not in rows and "p006.md" not in rows and "p106.md" in rows
    assert len(rows) == 39
    assert feed_files(site.output) == cold(site)


def test_the_pickled_readings_of_an_earlier_version_are_removed(site: Site) -> None:
    make_site(site)
    folder = site.root / CACHE_DIR
    folder.mkdir()
    for number in (0, 17, 31):
        (folder / f"posts-{number:02d}.pickle").write_bytes(b"readings of feeds before")
    build(site.config, now=NOW)
    assert not list(folder.glob("posts-*.pickle"))
    assert len(stored_rows(site)) == 40


@pytest.mark.parametrize("found", [True, False])
def test_a_run_that_ends_early_leaves_the_readings_as_they_were(
    site: Site, monkeypatch: pytest.MonkeyPatch, found: bool
) -> None:
    """Its readings were written to the database as they came, but never saved: the
    database it found is left as it was, and one it staged is removed."""
    make_site(site)
    if found:
        build(site.config, now=NOW)
    before = stored_rows(site) if found else None
    site.post("p999", date="2025-07-01", categories="[c9]")

    def interrupted(self: BuildCache, last_run: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(BuildCache, "remember_run", interrupted)
        with pytest.raises(KeyboardInterrupt):
            build(site.config, now=NOW)
    if found:
        assert stored_rows(site) == before
    assert not (site.root / CACHE_DIR / POSTS_FILE).exists() or found
    if (site.root / CACHE_DIR).exists():
        assert_nothing_left_beside_the_database(site)
    read = record_reads(monkeypatch)
    build(site.config, now=NOW)
    assert read == (["p999.md"] if found else [f"p{index:03d}.md" for index in (*range(40), 999)])
    assert feed_files(site.output) == cold(site)


def test_a_journal_left_by_a_killed_run_is_rolled_back(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed while SQLite wrote its changes to the database leaves the journal
    of what they replaced, which the next run to open the database plays back."""
    make_site(site)
    build(site.config, now=NOW)
    before = stored_rows(site)
    path = site.root / CACHE_DIR / POSTS_FILE
    child = os.fork()
    if child == 0:
        try:  # as a run does, but with pages written before the end of the transaction
            db = sqlite3.connect(path, isolation_level=None)
            db.execute("PRAGMA cache_size = 1")
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE readings SET entry = x'00', checksum = 0, written_ns = 1")
        finally:
            os._exit(0)  # killed: no rollback
    assert os.waitpid(child, 0)[1] == 0
    assert Path(f"{path}-journal").exists()
    site.post("p999", date="2025-07-01", categories="[c9]")
    read = record_reads(monkeypatch)
    build(site.config, now=NOW)
    assert read == ["p999.md"]
    assert feed_files(site.output) == cold(site)
    after = stored_rows(site)
    assert {name: after[name] for name in before} == before
    assert_nothing_left_beside_the_database(site)


def test_a_run_while_another_writes_the_readings_keeps_none_of_its_own(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only one run at a time writes the database: another (a build into another
    folder, say) builds all the same, and keeps nothing, its state and plan included,
    which would not go with the readings the first run keeps."""
    make_site(site)
    build(site.config, now=NOW)
    state = (site.root / CACHE_DIR / "state.json").read_bytes()
    before = stored_rows(site)
    site.post("p999", date="2025-07-01", categories="[c9]")
    monkeypatch.setattr(sqlfile_module, "WAIT_S", 0.05)
    with database(site) as other:
        other.execute("BEGIN IMMEDIATE")  # another run, writing
        result = build(site.config, now=NOW)
        other.rollback()
    assert [p.format() for p in result.problems] == []
    assert feed_files(site.output) == cold(site)
    assert stored_rows(site) == before
    assert (site.root / CACHE_DIR / "state.json").read_bytes() == state
    read = record_reads(monkeypatch)
    build(site.config, now=NOW)
    assert read == ["p999.md"]
    assert len(stored_rows(site)) == 41


def test_a_database_in_use_is_not_replaced(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that replaces a database it cannot use (another version's, here) waits for
    no run that has it open in a transaction: its readings are then not kept."""
    make_site(site)
    build(site.config, now=NOW)
    with database(site) as db:
        db.execute("UPDATE meta SET value = 'other' WHERE name = 'key'")
    monkeypatch.setattr(sqlfile_module, "WAIT_S", 0.05)
    with database(site) as other:
        other.execute("BEGIN IMMEDIATE")  # the other version's run, writing
        result = build(site.config, now=NOW)
        other.rollback()
    assert not result.has_errors
    with database(site) as db:
        assert db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone() == ("other",)
    assert_nothing_left_beside_the_database(site)


def test_a_plan_is_used_only_with_the_readings_it_was_saved_with(site: Site) -> None:
    """A run that ended after saving its readings and before saving its plan leaves
    the last run's plan, made with other readings: it is not used."""
    make_site(site)
    build(site.config, now=NOW)
    cache = BuildCache(load_state(site.config))
    try:
        assert cache.plan is not None
    finally:
        cache.close()
    with database(site) as db:
        db.execute("UPDATE meta SET value = 'saved by a later run' WHERE name = 'token'")
    cache = BuildCache(load_state(site.config))
    try:
        assert cache.plan is None
    finally:
        cache.close()


def test_a_run_that_writes_nothing_leaves_the_cache_as_it_was(site: Site) -> None:
    """`feeds check` opens the database read-only."""
    make_site(site)
    build(site.config, write=False, now=NOW)
    assert not (site.root / CACHE_DIR).exists()
    build(site.config, now=NOW)
    before = {path.name: path.read_bytes() for path in (site.root / CACHE_DIR).iterdir()}
    site.post("p999", date="2025-07-01", categories="[c9]")
    result = build(site.config, write=False, now=NOW)
    assert result.posts == 41
    after = {path.name: path.read_bytes() for path in (site.root / CACHE_DIR).iterdir()}
    assert after == before


def test_a_run_that_publishes_nothing_keeps_its_readings(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A post with an error stops the build from publishing; the next run, once it is
    fixed, reads only that post again."""
    make_site(site)
    site.raw_post("bad.md", "---\ntitle: x\n---\n")
    age_posts(site)
    assert not build(site.config, now=NOW).published
    assert len(stored_rows(site)) == 41
    site.raw_post("bad.md", "---\ntitle: x\ndate: 2024-01-01\n---\n")
    read = record_reads(monkeypatch)
    assert build(site.config, now=NOW).published
    assert read == ["bad.md"]
    assert feed_files(site.output) == cold(site)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=12)
    ),
    max_leaves=60,
)


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES)
def test_state_is_encoded_in_pieces_that_join_into_its_json(value: object) -> None:
    """state.json is written a piece at a time (`state.json_pieces`), never as one text:
    the pieces, each of at most a few entries of a dict, join into the JSON of the whole,
    paths that are not UTF-8 (lone surrogates) included."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state_module, "_PIECE", 3)
        pieces = list(state_module.json_pieces(value))
    assert json.loads(b"".join(pieces)) == value
    if isinstance(value, dict) and len(value) > 3:
        assert len(pieces) > 1


def test_a_state_of_many_files_is_written_in_pieces(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "max_items: 1\narchives: true\n")
    for number in range(30):
        site.post(f"p{number:02d}")
    site.raw_post("caf\udce9.md", "---\ntitle: Caf\ndate: 2024-05-02\n---\nText.\n")  # not UTF-8
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state_module, "_PIECE", 4)
        first = build(site.config, now=NOW)
    assert first.published and len(first.feeds) > 50
    state = json.loads((site.root / CACHE_DIR / "state.json").read_bytes())
    assert len(state["feeds"]) == len(first.feeds) + len(first.pages)
    again = build(site.config, now=NOW)  # nothing changed: the state, read back, replays
    assert again.report is not None and again.report.written == ()
