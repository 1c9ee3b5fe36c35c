"""Incremental runs (feeds.incremental.replan): an edit of a post's text re-plans nothing; every
other change takes the full path. Either way the output is a cold build's, byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, NOW, Site, feed_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cache import OLD, age_posts, cold, make_site, record_reads

from feeds import build
from feeds.incremental import Incremental
from feeds.incremental.session import Session
from feeds.incremental.state import CACHE_DIR
from feeds.incremental.store import PLAN_FILE
from feeds.model import BuildResult


def edit(site: Site, name: str, old: str, new: str) -> None:
    """Change a post's text, with an mtime far from now (so no other post counts as racy)."""
    path = site.posts / f"{name}.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    os.utime(path, (OLD + 1, OLD + 1))


TEXT_EDITS = {
    "title": ("title: P033", "title: P033, retitled"),
    "body": ("Post 33", "Post 33, edited"),
    "summary": ("title: P033", "summary: Now with a summary\ntitle: P033"),
    "updated": ("title: P033", "updated: 2025-01-01T00:00:00Z\ntitle: P033"),
}


@pytest.mark.parametrize("change", TEXT_EDITS.values(), ids=TEXT_EDITS.keys())
def test_an_edit_of_a_posts_text_reads_only_that_post(
    site: Site, full_runs: list[int], change: tuple[str, str]
) -> None:
    make_site(site)
    build(site.config, now=NOW)
    assert full_runs == [1]
    edit(site, "p033", *change)  # in the newest 5 of c1, not of the site
    result = build(site.config, now=NOW)
    assert full_runs == [1], "the plan was made again"
    assert result.report is not None
    assert "categories/c1/atom.xml" in result.report.written
    assert "atom.xml" not in result.report.written
    assert result.posts == 40 and not result.problems
    assert feed_files(site.output) == cold(site)
    edit(site, "p033", "with a", "with one")  # and again, from the plan this run saved
    build(site.config, now=NOW)
    assert full_runs == [1]
    assert feed_files(site.output) == cold(site)


def test_an_edit_of_a_post_in_no_feed_writes_nothing(site: Site, full_runs: list[int]) -> None:
    make_site(site)
    build(site.config, now=NOW)
    edit(site, "p000", "Post 0 ", "Post zero ")  # January: in no newest 5
    result = build(site.config, now=NOW)
    assert full_runs == [1] and result.report is not None and result.report.written == ()
    assert feed_files(site.output) == cold(site)


FULL_PATH_CHANGES: dict[str, Callable[[Site], None]] = {
    "date": lambda site: edit(site, "p033", "2024-10-07", "2024-10-08"),
    "category": lambda site: edit(site, "p033", "[c1]", "[c2]"),
    "second category": lambda site: edit(site, "p033", "[c1]", "[c1, c2]"),
    "draft": lambda site: edit(site, "p033", "title:", "draft: true\ntitle:"),
    "slug": lambda site: edit(site, "p033", "title:", "slug: renamed\ntitle:"),
    "new warning": lambda site: edit(site, "p033", "title:", "colour: red\ntitle:"),
    "new file": lambda site: site.post("p999", date="2024-12-30", categories="[c1]"),
    "file removed": lambda site: (site.posts / "p033.md").unlink(),
    "file renamed": lambda site: (site.posts / "p033.md").rename(site.posts / "p033b.md"),
    "no plan": lambda site: (site.root / CACHE_DIR / PLAN_FILE).unlink(),
    "damaged plan": lambda site: (site.root / CACHE_DIR / PLAN_FILE).write_bytes(b"x" * 40),
}


@pytest.mark.parametrize("change", FULL_PATH_CHANGES.values(), ids=FULL_PATH_CHANGES.keys())
def test_other_changes_take_the_full_path(
    site: Site, full_runs: list[int], change: Callable[[Site], None]
) -> None:
    make_site(site)
    build(site.config, now=NOW)
    change(site)
    edit(site, "p032", "Post 32", "Post 32, edited")  # with a text edit beside it
    result = build(site.config, now=NOW)
    assert full_runs == [1, 1]
    assert not result.has_errors
    assert feed_files(site.output) == cold(site)


def test_archive_pages_are_kept_and_an_archived_post_takes_the_full_path(
    site: Site, full_runs: list[int]
) -> None:
    make_site(site)
    site.write_config(BASIC_CONFIG + "max_items: 5\narchives: true\n")
    newest = site.post("p999", date="2025-01-01", categories="[c9]", body="Post 999.\n")
    os.utime(newest, (OLD, OLD))
    build(site.config, now=NOW)  # 41 posts: 8 archive pages, and the newest on none
    edit(site, "p999", "Post 999", "Post 999, edited")
    result = build(site.config, now=NOW)
    assert full_runs == [1]
    assert result.report is not None
    assert "atom.xml" in result.report.written
    assert "archive/8/atom.xml" in result.report.unchanged
    assert feed_files(site.output) == cold(site)
    edit(site, "p001", "Post 1 ", "Post one ")  # on archive pages
    build(site.config, now=NOW)
    assert full_runs == [1, 1]
    assert feed_files(site.output) == cold(site)
    (site.output / "archive/1/atom.xml").unlink()  # a page the next run would keep, gone
    edit(site, "p999", "edited", "edited twice")
    build(site.config, now=NOW)
    assert full_runs == [1, 1, 1]
    assert feed_files(site.output) == cold(site)


# --- Any sequence of edits: the cached run's bytes are the cold build's --------------------

POST_NAMES = [f"n{index}" for index in range(8)]
EDITS = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(POST_NAMES), st.text("abc ", max_size=5)),
    st.tuples(st.just("date"), st.sampled_from(POST_NAMES), st.integers(1, 28)),
    st.tuples(st.just("category"), st.sampled_from(POST_NAMES), st.sampled_from("xyz")),
    st.tuples(st.just("draft"), st.sampled_from(POST_NAMES), st.booleans()),
    st.tuples(st.just("delete"), st.sampled_from(POST_NAMES), st.none()),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(archives=st.booleans(), edits=st.lists(EDITS, min_size=1, max_size=4))
def test_any_sequence_of_edits_gives_a_cold_builds_bytes(
    archives: bool, edits: list[tuple[str, str, object]]
) -> None:
    posts = {
        name: {"day": 1 + index * 3, "category": "xyz"[index % 3], "text": "", "draft": False}
        for index, name in enumerate(POST_NAMES)
    }
    with tempfile.TemporaryDirectory(prefix="feeds-incremental-") as folder:
        site = Site(Path(folder))
        site.write_config(BASIC_CONFIG + f"max_items: 2\narchives: {str(archives).lower()}\n")
        for name in posts:
            _write(site, name, posts[name], 0)
        build(site.config, now=NOW)
        for step, (kind, name, value) in enumerate(edits, start=1):
            if kind == "delete":
                (site.posts / f"{name}.md").unlink(missing_ok=True)
                posts.pop(name, None)
            else:
                post = posts.setdefault(
                    name, {"day": 2, "category": "x", "text": "", "draft": False}
                )
                post[{"date": "day"}.get(kind, kind)] = value
                _write(site, name, post, step)
            result = build(site.config, now=NOW, prune_stale=True)  # as a cold build has none
            assert not result.has_errors
            assert feed_files(site.output) == cold(site), (kind, name, value)


def _write(site: Site, name: str, post: dict[str, object], step: int) -> None:
    path = site.post(
        name,
        date=f"2024-03-{post['day']:02d}T10:00:00Z",
        categories=f"[{post['category']}]",
        draft=str(post["draft"]).lower(),
        body=f"Text {post['text']!r}.\n",
    )
    os.utime(path, (OLD + step, OLD + step))


# --- Media files: a post's image and attachments, changed while the post is not ------------

GIF = bytes.fromhex(
    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
)
"""A 1x1 GIF: another type, and another size, than `png()`."""


def png(width: int = 1) -> bytes:
    """A `width`x1 PNG, black."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" + b"\0\0\0" * width)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def mp3(frames: int = 1) -> bytes:
    """An ID3v2 header, then `frames` silent MPEG-1 Layer III frames' headers."""
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * frames


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per cached run the replay could not answer."""
    calls: list[int] = []
    session = Incremental.session

    def counted(self: Incremental, *, writes: bool) -> AbstractContextManager[Session]:
        calls.append(1)
        return session(self, writes=writes)

    monkeypatch.setattr(Incremental, "session", counted)
    return calls


def media_site(site: Site) -> None:
    """`make_site`'s 40 posts, and among the newest: one with an image and a PDF from the
    static folder (the site's own folder), one page bundle with its own image."""
    make_site(site)
    site.post(
        "episode",
        date="2024-12-20T10:00:00Z",
        categories="[c1]",
        image="/media/cover.png",
        attachments="[/media/episode.mp3, /media/notes.pdf]",
        body="Episode one.\n",
    )
    site.post("bundle/index", date="2024-12-21T10:00:00Z", image="cover.png", body="Bundle.\n")
    age_posts(site)
    media(site, "cover.png", png())
    media(site, "episode.mp3", mp3())
    media(site, "notes.pdf", PDF)
    (site.posts / "bundle" / "cover.png").write_bytes(png(2))


def media(site: Site, name: str, data: bytes | None) -> None:
    """Write (or with None, remove) the static folder's media/<name>."""
    path = site.root / "media" / name
    path.parent.mkdir(exist_ok=True)
    if data is None:
        path.unlink()
    else:
        path.write_bytes(data)


def same_as_reference(site: Site, result: BuildResult) -> None:
    """The cached run's messages, and with no error its output, are a cold build's."""
    out = site.root / "cold"
    shutil.rmtree(out, ignore_errors=True)
    reference = build(site.config, output_dir=out, now=NOW, use_cache=False)
    assert [p.format() for p in result.problems] == [p.format() for p in reference.problems]
    assert result.published == reference.published
    if reference.published:
        assert feed_files(site.output) == feed_files(out)


def attachments(site: Site, title: str) -> list[dict[str, object]]:
    items = json.loads(feed_files(site.output)["feed.json"])["items"]
    return next(item.get("attachments", []) for item in items if item["title"] == title)


def test_a_no_change_run_with_media_is_a_replay(site: Site, sessions: list[int]) -> None:
    media_site(site)
    build(site.config, now=NOW)
    result = build(site.config, now=NOW)
    assert sessions == [1], "the second run was not a replay"
    assert result.report is not None and result.report.written == ()
    same_as_reference(site, result)


def test_an_image_replaced_by_another_is_seen(site: Site, sessions: list[int]) -> None:
    media_site(site)
    build(site.config, now=NOW)
    shown = 'url="https://example.org/blog/media/cover.png" medium="image" type="image/{}"'
    shown += ' fileSize="{}"'
    assert shown.format("png", len(png())).encode() in feed_files(site.output)["rss.xml"]
    media(site, "cover.png", GIF)  # another type and size, under the same name
    result = build(site.config, now=NOW)
    assert sessions == [1, 1]
    assert result.report is not None and "rss.xml" in result.report.written
    assert shown.format("gif", len(GIF)).encode() in feed_files(site.output)["rss.xml"]
    same_as_reference(site, result)


def test_an_image_that_appears_beside_its_post_is_seen(site: Site, sessions: list[int]) -> None:
    """Looked for beside the post first: a file there replaces the static folder's (or
    its absence), though no file the last run read changed."""
    media_site(site)
    media(site, "cover.png", None)
    (site.posts / "bundle" / "cover.png").unlink()
    (site.root / "bundle").mkdir()
    (site.root / "bundle" / "cover.png").write_bytes(png(2))  # at its URL in the static folder
    first = build(site.config, now=NOW)
    assert ["cover.png" in p.message for p in first.problems] == [True]  # the episode's
    (site.posts / "bundle" / "cover.png").write_bytes(png(300))
    result = build(site.config, now=NOW)
    assert sessions == [1, 1]
    assert f'fileSize="{len(png(300))}"'.encode() in feed_files(site.output)["rss.xml"]
    same_as_reference(site, result)
    media(site, "cover.png", png())  # the episode's image, missing until now
    result = build(site.config, now=NOW)
    assert sessions == [1, 1, 1] and not result.problems
    same_as_reference(site, result)


def test_an_attachment_appearing_growing_and_disappearing_is_seen(
    site: Site, sessions: list[int]
) -> None:
    media_site(site)
    media(site, "episode.mp3", None)
    for _ in range(2):  # reported on every run, cached or not
        result = build(site.config, now=NOW)
        assert not result.published
        assert [p.is_error and "episode.mp3" in p.message for p in result.problems] == [True]
        same_as_reference(site, result)
    media(site, "episode.mp3", mp3())
    result = build(site.config, now=NOW)
    assert result.published and not result.problems
    assert attachments(site, "Episode")[0]["size_in_bytes"] == 14
    same_as_reference(site, result)
    media(site, "episode.mp3", mp3(frames=100))
    result = build(site.config, now=NOW)
    assert attachments(site, "Episode")[0]["size_in_bytes"] == 410
    same_as_reference(site, result)
    media(site, "episode.mp3", None)
    result = build(site.config, now=NOW)
    assert not result.published and result.has_errors
    same_as_reference(site, result)
    assert sessions == [1] * 5


def test_an_edit_beside_a_changed_attachment_takes_the_full_path(
    site: Site, full_runs: list[int]
) -> None:
    media_site(site)
    build(site.config, now=NOW)
    edit(site, "p032", "Post 32", "Post 32, edited")
    media(site, "notes.pdf", PDF + b"%% more\n")
    result = build(site.config, now=NOW)
    assert full_runs == [1, 1]
    assert attachments(site, "Episode")[1]["size_in_bytes"] == len(PDF) + 8
    same_as_reference(site, result)


MEDIA_EDITS = {
    "text": ("Episode one.", "Episode one, edited."),
    "new image": ("image: /media/cover.png", "image: /media/bundle.png"),
    "image dropped": ("image: /media/cover.png\n", ""),
}


@pytest.mark.parametrize("change", MEDIA_EDITS.values(), ids=MEDIA_EDITS.keys())
def test_an_edit_of_a_post_with_media_is_replanned_with_its_media_found(
    site: Site, full_runs: list[int], change: tuple[str, str]
) -> None:
    media_site(site)
    media(site, "bundle.png", png(4))
    build(site.config, now=NOW)
    edit(site, "episode", *change)
    result = build(site.config, now=NOW)
    assert full_runs == [1]
    same_as_reference(site, result)
    media(site, "bundle.png", png(5))  # watched from now on if the edit named it
    result = build(site.config, now=NOW)
    same_as_reference(site, result)


def test_an_edit_that_changes_a_posts_media_problems_takes_the_full_path(
    site: Site, full_runs: list[int]
) -> None:
    media_site(site)
    build(site.config, now=NOW)
    edit(site, "episode", "/media/cover.png", "/media/missing.png")  # a new warning
    result = build(site.config, now=NOW)
    assert full_runs == [1, 1]
    assert ["missing.png" in p.message for p in result.problems] == [True]
    same_as_reference(site, result)
    edit(site, "episode", "/media/notes.pdf", "/media/missing.pdf")  # an error: left out
    result = build(site.config, now=NOW)
    assert full_runs == [1, 1, 1] and not result.published
    same_as_reference(site, result)


def test_readings_of_posts_with_media_are_reused(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache's files hold posts' `MediaRef`s and `Media`, and load back."""
    media_site(site)
    build(site.config, now=NOW)
    read = record_reads(monkeypatch)
    site.post("new", date="2024-06-01T10:00:00Z")  # the full path: every other reading reused
    result = build(site.config, now=NOW)
    assert read == ["new.md"]
    same_as_reference(site, result)
