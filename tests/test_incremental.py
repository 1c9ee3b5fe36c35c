"""Incremental runs (feeds.incremental.replan): an edit of a post's text re-plans nothing; every
other change takes the full path. Either way the output is a cold build's, byte for byte."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, NOW, Site, feed_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cache import OLD, cold, make_site

from feeds import build
from feeds.config import SiteConfig
from feeds.incremental.session import Session
from feeds.incremental.state import CACHE_DIR
from feeds.incremental.store import PLAN_FILE
from feeds.source.reading import ReadResult


@pytest.fixture
def full_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per cached run that read and planned the whole site (`cold`, which uses
    no cache, reads too, uncounted)."""
    calls: list[int] = []
    read_posts = Session.read_posts

    def counted(self: Session, config: SiteConfig) -> ReadResult:
        calls.append(1)
        return read_posts(self, config)

    monkeypatch.setattr(Session, "read_posts", counted)
    return calls


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
