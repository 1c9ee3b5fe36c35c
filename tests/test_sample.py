"""The repository's own sample site: what a newcomer builds first."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import FEED_NAMES, NOW, REPO, check_all, feed_files, feed_paths

from feeds import build, load_config, read_posts
from feeds.render.content import summarize
from feeds.source.post import read_body

SEEDS = Path(__file__).parent / "seeds"  # copies of ../shared/seeds, so tests run without it

EXPECTED_ORDER = [
    "International Workers’ Day 2024",
    "Trial to Defend Stalin",
    "Review of Women at the Gates",
    "Break Free in 2024",
    "International Workers’ Day 2023",
    "Forward to 2022!",
    "Walk This Road With Us!",
]


def test_sample_builds_valid_feeds_for_the_stream_and_each_category(tmp_path: Path) -> None:
    # No cache: it would be written into the checkout, beside site.yaml.
    result = build(REPO / "site.yaml", output_dir=tmp_path, now=NOW, use_cache=False)
    assert not result.problems
    assert result.posts == 7
    files = feed_files(tmp_path)
    assert sorted(files) == feed_paths(
        "",
        "categories/holidays/",
        "categories/news/",
        "categories/reviews/",
        "categories/statements/",
    )
    parsed = check_all(files)
    assert [e.title for e in parsed["atom.xml"].entries] == EXPECTED_ORDER
    assert [e.title for e in parsed["rss.xml"].entries] == EXPECTED_ORDER
    holidays = [e.title for e in parsed["categories/holidays/atom.xml"].entries]
    assert holidays == [EXPECTED_ORDER[i] for i in (0, 3, 4, 5)]
    assert [e.title for e in parsed["categories/statements/rss.xml"].entries] == [
        "Walk This Road With Us!"
    ]
    image = "https://www.llco.org/break-free-in-2024/sunrise.png"  # beside the post
    shown = {
        name: next(e for e in parsed[name].entries if e.title == "Break Free in 2024")
        for name in FEED_NAMES
    }
    for name in ("atom.xml", "rss.xml"):
        assert shown[name].media_content == [
            {"url": image, "medium": "image", "type": "image/png", "filesize": "27150"}
        ]
        assert shown[name].media_thumbnail == [{"url": image}]
    assert shown["feed.json"].image == image
    assert parsed["atom.xml"].feed.title == "Leading Light Communist Organization"
    assert parsed["categories/news/atom.xml"].feed.title.endswith(": News")


def test_sample_posts_carry_the_seed_texts() -> None:
    config, problems = load_config(REPO / "site.yaml")
    assert config is not None and not problems
    posts = {p.title: p for p in read_posts(config).posts}
    stream = (SEEDS / "news-stream.txt").read_text(encoding="utf-8")
    for title in EXPECTED_ORDER[:-1]:
        assert title in stream
        post = posts[title]
        shown = stream.split(title, 1)[1].strip().split("\n\n")[0]
        if post.summary:  # cut excerpts: summary as shown, body = its words
            assert shown.endswith(" …")
            assert post.summary.startswith(shown)
        else:
            assert read_body(post, config).startswith(shown)
    statement = (SEEDS / "walk-this-road-with-us.txt").read_text(encoding="utf-8")
    words = lambda text: re.sub(r"\s+", " ", text).strip()  # noqa: E731
    assert words(read_body(posts["Walk This Road With Us!"], config)) == words(
        statement.split("\n", 1)[1]
    )


def test_seed_excerpts_follow_the_55_word_rule() -> None:
    """The seeds' cut excerpts are what `summarize` makes of a longer body."""
    config, _ = load_config(REPO / "site.yaml")
    assert config is not None
    for post in read_posts(config).posts:
        if post.summary and post.summary.endswith(" …"):
            longer = read_body(post, config) + " and more words the seeds do not show."
            assert summarize(longer, f"<p>{longer}</p>", 55) == post.summary


def test_load_config_takes_the_path_as_text_too() -> None:
    """As `build("site.yaml")` does: a library user writes the name as text first."""
    assert load_config(str(REPO / "site.yaml")) == load_config(REPO / "site.yaml")
