"""`max_bytes`: every feed file kept under its size budget, through the command line.

Past the budget, the oldest entries carry their summary only, then the oldest are left
out (with archives, only those an archive page holds); never the newest. Tested at the
boundary: a budget of exactly the file's size, one byte less, the all-summary feed's
size and one byte less; and over random posts and budgets."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, Site, check_all, feed_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.cli import main

FEEDS = str(Path(sys.executable).parent / "feeds")
UNLIMITED = 1024**3
"""The largest budget site.yaml takes: no feed here comes near it."""


def build(site: Site, *options: str) -> subprocess.CompletedProcess[str]:
    """`feeds build` as a user runs it, in the site's folder; it must succeed."""
    result = subprocess.run(
        [FEEDS, "build", *options], cwd=site.root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result


def built(site: Site, config: str, *options: str) -> tuple[dict[str, bytes], str]:
    """The files a build of the site with `config` (added to the basic one) writes, each
    validated, and what it printed on stderr (its warnings)."""
    site.write_config(BASIC_CONFIG + config)
    result = build(site, "--no-cache", *options)
    files = site.files()
    check_all(files)
    return files, result.stderr


def write_posts(site: Site, bodies: list[int], summaries: list[int] | None = None) -> None:
    """Posts p0 (oldest) to pN, each a body of that many paragraphs of 20 words, and a
    summary of `summaries` words where one is given (0: the automatic one)."""
    for number, paragraphs in enumerate(bodies):
        text = "".join(
            f"Paragraph {i} of post {number}: {'words ' * 16}end.\n\n" for i in range(paragraphs)
        )
        words = summaries[number] if summaries else 0
        front = f"summary: {'summed up ' * words}\n" if words else ""
        date = f"2024-01-{number + 1:02d}T09:00:00Z"
        site.post(f"p{number}", front=front, body=text or "\n", date=date)


def entries(data: bytes, name: str) -> list[tuple[str, bool]]:
    """(id, whole) for each entry of a feed, in order: whole when it carries its content."""
    if name.endswith(".json"):
        return [(item["id"], "content_html" in item) for item in json.loads(data)["items"]]
    parsed = check_all({name: data})[name]
    return [(entry.id, "content" in entry) for entry in parsed.entries]  # type: ignore[attr-defined]


@pytest.fixture
def posts(site: Site) -> Site:
    write_posts(site, [3, 5, 2, 4, 6])
    return site


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml", "feed.json"])
def test_a_budget_of_the_files_size_keeps_it_whole_and_one_byte_less_shortens_the_oldest(
    posts: Site, name: str
) -> None:
    fmt = {"atom.xml": "atom", "rss.xml": "rss", "feed.json": "json"}[name]
    whole, _ = built(posts, f"formats: [{fmt}]\nmax_bytes: {UNLIMITED}\n")
    size = len(whole[name])
    same, warnings = built(posts, f"formats: [{fmt}]\nmax_bytes: {size}\n")
    assert same == whole and warnings == ""
    cut, warnings = built(posts, f"formats: [{fmt}]\nmax_bytes: {size - 1}\n")
    assert len(cut[name]) <= size - 1
    assert [whole for _, whole in entries(cut[name], name)] == [True] * 4 + [False]
    assert (
        f"site.yaml: warning: {name} is over max_bytes ({size - 1} bytes) in full: summary "
        "only for its oldest 1 entry; raise max_bytes to keep them whole"
    ) in warnings


def test_a_budget_of_the_all_summary_size_shortens_all_and_one_byte_less_drops_the_oldest(
    posts: Site,
) -> None:
    """All summary-only is exactly the summary_only feed; one entry fewer, exactly the
    summary_only feed of one item fewer (the feed's updated time is its newest post's)."""
    summaries, _ = built(posts, f"summary_only: true\nmax_bytes: {UNLIMITED}\n")
    fewer, _ = built(posts, f"summary_only: true\nmax_items: 4\nmax_bytes: {UNLIMITED}\n")
    for name in ("atom.xml", "rss.xml", "feed.json"):
        size = len(summaries[name])
        cut, warnings = built(posts, f"max_bytes: {size}\n")
        assert cut[name] == summaries[name]
        assert (
            f"{name} is over max_bytes ({size} bytes) in full: summary only for its "
            "oldest 5 entries"
        ) in warnings
        cut, warnings = built(posts, f"max_bytes: {size - 1}\n")
        assert cut[name] == fewer[name]
        assert (
            f"{name} is over max_bytes ({size - 1} bytes) even with summaries only: its oldest "
            "1 entry left out, summary only for the other 4"
        ) in warnings


def test_a_tight_budget_drops_all_but_the_newest_and_names_its_post(site: Site) -> None:
    write_posts(site, [1, 1, 1, 40])
    files, warnings = built(site, "max_bytes: 1500\nformats: [json]\n")
    assert [entry for entry, _ in entries(files["feed.json"], "feed.json")] == [
        json.loads(files["feed.json"])["items"][0]["id"]
    ]
    assert entries(files["feed.json"], "feed.json")[0][1] is False
    assert len(files["feed.json"]) <= 1500
    assert "posts/p3.md: warning: feed.json holds this post alone, summary only, to fit" in warnings


def test_a_single_huge_entry_is_published_summary_only_and_named(site: Site) -> None:
    site.post("huge", body="A long post. " * 50_000, date="2024-01-01")
    files, warnings = built(site, "")  # the default budget
    for name in ("atom.xml", "rss.xml", "feed.json"):
        assert [whole for _, whole in entries(files[name], name)] == [False]
        assert len(files[name]) <= 512_000
        assert f"posts/huge.md: warning: {name} holds this post alone" in warnings


def test_an_entry_over_budget_even_summary_only_is_published_over_it_with_a_warning(
    site: Site,
) -> None:
    site.post("wordy", front=f"summary: {'word ' * 400}\n", date="2024-01-01")
    files, warnings = built(site, "max_bytes: 1024\nformats: [atom]\n")
    assert len(entries(files["atom.xml"], "atom.xml")) == 1
    size = len(files["atom.xml"])
    assert size > 1024
    assert (
        f"posts/wordy.md: warning: atom.xml holds this post alone, summary only, and "
        f"is still {size} bytes, over max_bytes (1024 bytes)"
    ) in warnings


def test_with_archives_only_posts_an_archive_page_holds_are_left_out(site: Site) -> None:
    """8 posts, pages of 3: pages 1 and 2 hold p0-p5; the subscription feed holds p7, p6
    and p5, and only p5 is on a page. A tiny budget leaves p5 out, keeps p7 and p6 over
    budget, and keeps every page whole: every post is still in some feed document."""
    write_posts(site, [8] * 8)
    files, warnings = built(site, "archives: true\nmax_items: 3\nmax_bytes: 1024\n")
    held: set[str] = set()
    for path, data in files.items():
        if path.endswith(("atom.xml", "rss.xml", "feed.json")):
            found = entries(data, path)
            assert not any(whole for _, whole in found), path  # all summary-only
            held |= {entry for entry, _ in found}
            if path.startswith("archive/"):
                assert len(found) == 3, path  # pages keep their posts, over budget
    subscription = [entry for entry, _ in entries(files["atom.xml"], "atom.xml")]
    assert len(subscription) == 2
    assert len({entry for entry, _ in entries(files["archive/2/atom.xml"], "atom.xml")}) == 3
    assert len(held) == 8  # every post, in some feed document
    assert "site.yaml: warning: atom.xml is" in warnings
    assert "no archive page holds them yet" in warnings
    assert "an archive page keeps every post it holds" in warnings


def test_with_archives_a_subscription_feed_drops_into_its_newest_page(site: Site) -> None:
    write_posts(site, [30] * 7)  # pages hold p0-p5; the feed p6, p5, p4
    summaries, _ = built(
        site, f"archives: true\nmax_items: 3\nsummary_only: true\nmax_bytes: {UNLIMITED}\n"
    )
    size = len(summaries["atom.xml"])
    files, warnings = built(site, f"archives: true\nmax_items: 3\nmax_bytes: {size - 1}\n")
    assert len(entries(files["atom.xml"], "atom.xml")) == 2
    assert "left out (its newest archive page holds them)" in warnings


def test_a_declared_feed_has_its_own_budget(posts: Site) -> None:
    config = f"""\
max_bytes: {UNLIMITED}
feeds:
  small:
    title: Small
    max_bytes: 2000
"""
    files, warnings = built(posts, config)
    assert all(whole for _, whole in entries(files["atom.xml"], "atom.xml"))
    assert len(files["small/atom.xml"]) <= 2000
    assert not all(whole for _, whole in entries(files["small/atom.xml"], "atom.xml"))
    assert "small/atom.xml is over max_bytes (2000 bytes)" in warnings
    assert "warning: atom.xml" not in warnings


def test_the_cut_is_deterministic_and_the_cache_gives_the_same_bytes(posts: Site) -> None:
    posts.write_config(BASIC_CONFIG + "max_bytes: 3000\narchives: true\nmax_items: 2\n")
    build(posts, "--no-cache")
    reference = posts.files()
    build(posts, "--no-cache")
    assert posts.files() == reference
    cached = posts.root / "cached"
    build(posts, "--out", str(cached))  # cold cache
    assert feed_files(cached) == reference
    write_posts(posts, [3, 5, 2, 4, 6, 9])  # a post more, one edited: the cache replans
    build(posts, "--out", str(cached))
    build(posts, "--no-cache")
    assert feed_files(cached) == posts.files()
    check_all(posts.files())


def test_a_cached_run_that_keeps_a_cut_feed_still_tells_of_the_cut(posts: Site) -> None:
    """A feed found current is not rendered again, yet its cut is reported as a build
    without the cache reports it: the cache keeps what rendering each file gave."""
    posts.write_config(BASIC_CONFIG + "max_bytes: 3000\n")
    posts.post("draft", draft="true")
    build(posts)
    posts.post("draft", draft="true", body="Edited, still a draft.\n")
    cached = build(posts)  # not a replay: a file changed; every feed current
    assert "(0 written" in cached.stdout
    assert "atom.xml is over max_bytes (3000 bytes)" in cached.stderr
    assert cached.stderr == build(posts, "--no-cache").stderr


def test_the_budget_is_in_the_fingerprint(posts: Site) -> None:
    """A cached run with another budget rewrites the feeds it changes."""
    posts.write_config(BASIC_CONFIG + f"max_bytes: {UNLIMITED}\n")
    build(posts)
    whole = posts.files()
    posts.write_config(BASIC_CONFIG + "max_bytes: 3000\n")
    build(posts)
    assert posts.files()["atom.xml"] != whole["atom.xml"]
    assert len(posts.files()["atom.xml"]) <= 3000


def test_a_cut_is_told_once_under_quiet(posts: Site) -> None:
    posts.write_config(BASIC_CONFIG + "max_bytes: 3000\n")
    first = build(posts, "--no-cache", "--quiet")
    assert "atom.xml is over max_bytes (3000 bytes)" in first.stderr
    assert build(posts, "--no-cache", "--quiet").stderr == ""


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("max_bytes: 1 MB", "max_bytes"),
        ("max_bytes: 100", "max_bytes"),
        ("feeds: {x: {title: X, max_bytes: 512K}}", "feeds.x.max_bytes"),
    ],
)
def test_a_budget_is_a_whole_number_of_bytes(site: Site, written: str, key: str) -> None:
    site.write_config(BASIC_CONFIG + written + "\n")
    site.post("a")
    result = subprocess.run([FEEDS, "build"], cwd=site.root, capture_output=True, text=True)
    assert result.returncode != 0
    assert f"'{key}' must be a whole number of bytes from 1024" in result.stderr
    assert "like max_bytes: 1000000 for 1 MB" in result.stderr


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    posts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=300)),
        min_size=1,
        max_size=8,
    ),
    budget=st.integers(min_value=1024, max_value=40_000),
)
def test_every_cut_fits_and_is_a_prefix_whole_entries_first(
    posts: list[tuple[int, int]], budget: int
) -> None:
    """Over random bodies, summaries (some longer than their body, which a summary-only
    entry then outweighs) and budgets."""
    with tempfile.TemporaryDirectory() as folder:
        site = Site(Path(folder) / "site")
        write_posts(site, [body for body, _ in posts], [summary for _, summary in posts])
        uncut = _built_in_process(site, UNLIMITED)
        cut = _built_in_process(site, budget)
        assert set(cut) == set(uncut)
        for name, data in cut.items():
            if not name.endswith(("atom.xml", "rss.xml", "feed.json")):
                continue
            found, whole = entries(data, name), entries(uncut[name], name)
            assert len(data) <= budget or len(found) == 1, name
            assert [entry for entry, _ in found] == [entry for entry, _ in whole][: len(found)]
            shortened = [i for i, (_, full) in enumerate(found) if whole[i][1] and not full]
            kept_whole = [i for i, (_, full) in enumerate(found) if full]
            assert not shortened or not kept_whole or max(kept_whole) < min(shortened), name
            if len(uncut[name]) <= budget:
                assert data == uncut[name]


def _built_in_process(site: Site, budget: int) -> dict[str, bytes]:
    """`feeds build` run by its command line's own entry point, in this process (fast
    enough for many examples), every file validated."""
    site.write_config(BASIC_CONFIG + f"max_bytes: {budget}\n")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["build", "--no-cache", "--config", str(site.config)])
    assert code == 0
    files = site.files()
    check_all(files)
    return files
