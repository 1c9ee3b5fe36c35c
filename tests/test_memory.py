"""A build's memory follows its feeds, not its site: of a post no feed shows, a build
keeps the key that places it (`model.PostKey`), not its title or summary; the build
cache's readings go to disk as they are read, but for a small site's, held for a forked
process to write (`database.HELD_FILES`, `HELD_BYTES`); archive pages, which show every
post, are made and staged a few at a time (`plan.archive_outputs`).

Measured with tracemalloc in this process (a site this small is read on one core):
the peak of Python's allocations while a site builds, with ten times the posts and
the same feeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, Site, feed_files

from feeds import build, plan
from feeds.config import load_config
from feeds.incremental import CACHE_DIR
from feeds.incremental.replan import TEXT_FIELDS
from feeds.model import Post, PostKey
from feeds.plan import ARCHIVE_BATCH_POSTS
from feeds.source import reading as reading_module

SUMMARY = "A summary long enough to matter. " * 120
"""About 4 KB: a build that kept every post whole would keep this too."""


def news_site(root: Path, posts: int, *, archives: bool = False) -> Site:
    """`posts` posts in four categories; the feeds show the newest 10 of each (with
    `archives`, 20 to a page)."""
    site = Site(root)
    site.write_config(
        "title: News\nurl: https://example.org/\ndescription: All of it.\n"
        + ("archives: true\nmax_items: 20\n" if archives else "max_items: 10\n")
    )
    for number in range(posts):
        site.post(
            f"post-{number:05d}",
            date=f"20{10 + number // 4000:02d}-{1 + number // 365 % 12:02d}-"
            f"{1 + number % 28:02d}T{number % 24:02d}:{number % 60:02d}:00Z",
            categories=f"[topic-{number % 4}]",
            tags=f"[tag-{number % 50}, tag-{number % 7}]",
            summary=f'"{SUMMARY}{number}"',
        )
    return site


_MEASURE = """
import gc, shutil, sys, tracemalloc
from datetime import datetime
from pathlib import Path
from typing import Any
import feeds.incremental.database
import feeds.plan
from feeds import build

root, now, cache = Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2]), sys.argv[3]
feeds.plan.ARCHIVE_BATCH_POSTS = int(sys.argv[4])
feeds.incremental.database.HELD_BYTES = int(sys.argv[5])
for _ in range(2):  # the first loads the stages' modules and grows the process's tables
    shutil.rmtree(root / "public", ignore_errors=True)
    shutil.rmtree(root / cache, ignore_errors=True)
    gc.collect()
    tracemalloc.start()
    result = build(root / "site.yaml", now=now, use_cache=cache != "-")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.posts and not result.has_errors, result.problems
print(peak)
"""


HELD_LIMIT = 200_000
"""The readings a new build cache holds, for these tests (see `database.HELD_BYTES`):
less than the smallest site's, so that the held readings weigh the same in every site."""


def build_peak(
    site: Site, *, use_cache: bool, batch: int = ARCHIVE_BATCH_POSTS, held: int = HELD_LIMIT
) -> int:
    """The peak bytes Python allocated while `site` built from nothing, in a process of
    its own (whose first build loads what a build loads), archive pages made `batch`
    posts at a time, and at most `held` bytes of readings held for the cache."""
    cache = CACHE_DIR if use_cache else "-"
    arguments = [str(site.root), NOW.isoformat(), cache, str(batch), str(held)]
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, *arguments], capture_output=True, text=True, check=True
    )
    return int(run.stdout)


@pytest.mark.parametrize("use_cache", [False, True], ids=["no-cache", "cache"])
def test_a_build_s_memory_grows_with_its_feeds_not_its_posts(
    tmp_path: Path, use_cache: bool
) -> None:
    small, large = news_site(tmp_path / "small", 140), news_site(tmp_path / "large", 1400)
    small_peak = build_peak(small, use_cache=use_cache)
    large_peak = build_peak(large, use_cache=use_cache)
    per_post = (large_peak - small_peak) / 1260
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
    assert per_post < len(SUMMARY) / 2, per_post  # no post's summary is kept


def test_a_new_build_cache_holds_readings_up_to_its_limit(tmp_path: Path) -> None:
    """Under the limit, a first build holds every reading for the process that writes
    them (1,400 posts of 4 KB each: 6 MB); over it, no more than the limit."""
    site = news_site(tmp_path, 1400)
    unheld = build_peak(site, use_cache=True, held=0)
    limit = 1_000_000
    assert build_peak(site, use_cache=True, held=10 * limit) - unheld > 1400 * len(SUMMARY)
    assert build_peak(site, use_cache=True, held=limit) - unheld < 1.5 * limit


def test_archive_pages_are_made_a_batch_at_a_time_in_bounded_memory(tmp_path: Path) -> None:
    """Every post is on an archive page, so it is the batches that bound the memory: what
    grows is the bookkeeping of a page for every twenty posts (its stream, its files'
    paths and fingerprints), far less than the posts' text."""
    small = news_site(tmp_path / "small", 140, archives=True)
    large = news_site(tmp_path / "large", 1400, archives=True)
    small_peak = build_peak(small, use_cache=True, batch=100)
    large_peak = build_peak(large, use_cache=True, batch=100)
    assert large_peak < 3 * small_peak, (small_peak, large_peak)
    assert (large_peak - small_peak) / 1260 < len(SUMMARY) * 2 / 3


def test_batches_of_archive_pages_give_the_bytes_of_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = news_site(tmp_path, 300, archives=True)
    whole = build(site.config, output_dir=tmp_path / "whole", now=NOW, use_cache=False)
    monkeypatch.setattr(plan, "ARCHIVE_BATCH_POSTS", 7)
    batched = build(site.config, output_dir=tmp_path / "batched", now=NOW, use_cache=False)
    assert whole.feeds == batched.feeds and len(whole.feeds) > 60
    assert feed_files(tmp_path / "whole") == feed_files(tmp_path / "batched")


def test_a_post_key_holds_every_field_that_may_decide_a_post_s_feeds() -> None:
    """A field added to `Post` is either text its entries show (`replan.TEXT_FIELDS`),
    or planning may use it, and then the key must carry it (see `reading.key_of`)."""
    shown_only = TEXT_FIELDS | {"published", "id_given"}  # `instant` orders; ids.py reads it
    hashed = {"link": "link_hash", "id": "id_hash"}
    for name in Post._fields:
        if name not in shown_only:
            assert hashed.get(name, name) in PostKey._fields, name


def test_keys_whose_hashes_collide_are_told_apart_by_their_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Posts whose links and ids hash alike, as keys keep them, are read whole: they
    clash only where their slugs (links under a generator) or ids are the same."""
    monkeypatch.setattr(reading_module, "hash", lambda value: 0, raising=False)
    site = news_site(tmp_path, 3)
    config, _ = load_config(site.config)
    assert config is not None
    scan = reading_module.scan_posts(config)
    assert len(scan.keys) == 3 and scan.problems == ()
    copy = site.post("post-00001-copy", front="slug: post-00001\n")
    scan = reading_module.scan_posts(config)
    assert len(scan.keys) == 2
    assert sorted(p.path.name for p in scan.problems) == ["post-00001-copy.md", "post-00001.md"]
    assert all("is also used by" in p.message for p in scan.problems) and copy.exists()


@pytest.mark.parametrize("use_cache", [False, True], ids=["no-cache", "cache"])
def test_a_post_edited_while_the_site_is_read_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_cache: bool
) -> None:
    """The posts the feeds show are read whole again after planning: one whose file no
    longer gives the key it was planned by (here, a new date) stops the run, and the
    next run publishes it."""
    site = news_site(tmp_path, 30)
    edited = site.posts / "post-00029.md"
    planned = plan.plan_streams

    def edited_meanwhile(*arguments: Any) -> Any:
        edited.write_text(edited.read_text().replace("date: 2010-", "date: 2009-"))
        return planned(*arguments)

    monkeypatch.setattr(plan, "plan_streams", edited_meanwhile)
    result = build(site.config, now=NOW, use_cache=use_cache)
    assert not result.published and not site.output.exists()
    assert [p.format(tmp_path) for p in result.problems if p.is_error] == [
        "posts/post-00029.md: changed while feeds was reading the posts; run feeds again"
    ]
    monkeypatch.undo()
    again = build(site.config, now=NOW, use_cache=use_cache)
    assert again.published and not again.has_errors
