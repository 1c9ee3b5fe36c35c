"""Feeds site.yaml declares (`feeds:`): which posts each selects, where it is written,
its own item limit, formats and summary-only setting, and posts' own languages."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASIC_CONFIG, NOW, Site, check_all, feed_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import build
from feeds.config import load_config
from feeds.model import Category, Person, Post
from feeds.selection import selects

FEEDS = str(Path(sys.executable).parent / "feeds")

CONFIG = (
    BASIC_CONFIG
    + """\
language: en
authors:
  jo: Jo Doe <jo@example.org>
feeds:
  featured:
    title: Featured
    tags: [featured]
  news-not-events:
    path: news/
    title: News but not events
    categories: [news]
    not: {categories: [events]}
    summary_only: true
    formats: [atom, json]
  fr:
    title: En français
    language: fr
    max_items: 1
  by-jo:
    title: Jo's posts
    authors: [jo]
"""
)


def write_posts(site: Site) -> None:
    site.post("a", categories="[News]", tags="[Featured]", date="2024-01-01")
    site.post("b", categories="[news, events]", date="2024-01-02")
    site.post("c", language="fr-CA", author="jo", date="2024-01-03")
    site.post("d", lang="fr", author="Jo Doe", date="2024-01-04")


def built(site: Site) -> dict[str, object]:
    """The site built as a user builds it, every file validated."""
    result = subprocess.run(
        [FEEDS, "build", "--no-cache"], cwd=site.root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stderr, result.stderr
    return check_all(feed_files(site.output))


def titles(parsed: dict[str, object], name: str) -> list[str]:
    return [entry.title for entry in parsed[name].entries]  # type: ignore[attr-defined]


def test_each_declared_feed_selects_its_posts(site: Site) -> None:
    site.write_config(CONFIG)
    write_posts(site)
    parsed = built(site)
    assert titles(parsed, "featured/atom.xml") == ["A"]  # Featured is featured
    assert titles(parsed, "news/atom.xml") == ["A"]  # news, not events
    assert titles(parsed, "fr/atom.xml") == ["D"]  # fr and fr-CA, max_items 1
    assert titles(parsed, "by-jo/rss.xml") == ["D", "C"]  # by handle and by name
    assert parsed["featured/atom.xml"].feed.title == "Featured"
    assert parsed["fr/atom.xml"].feed.language == "fr"


def test_per_feed_formats_and_summary_only(site: Site) -> None:
    site.write_config(CONFIG)
    write_posts(site)
    parsed = built(site)
    assert sorted(name for name in parsed if name.startswith("news/")) == [
        "news/atom.xml",
        "news/feed.json",
    ]
    (entry,) = parsed["news/atom.xml"].entries
    assert "content" not in entry and entry.summary == "Some text."
    assert parsed["featured/atom.xml"].entries[0].content[0].value == "<p>Some text.</p>"


def test_declared_feeds_are_listed_for_subscribers(site: Site) -> None:
    site.write_config(CONFIG)
    write_posts(site)
    built(site)
    opml = (site.output / "feeds.opml").read_text(encoding="utf-8")
    index = (site.output / "index.html").read_text(encoding="utf-8")
    for path in ("featured/atom.xml", "news/atom.xml", "fr/atom.xml", "by-jo/atom.xml"):
        assert f"https://example.org/blog/{path}" in opml
        assert path in index


def test_a_post_in_another_language_says_so_in_every_format(site: Site) -> None:
    site.write_config(CONFIG)
    write_posts(site)
    parsed = built(site)
    # feedparser gives each text the language in force where it is (xml:lang).
    atom = {entry.title: entry.title_detail.language for entry in parsed["atom.xml"].entries}
    assert atom == {"D": "fr", "C": "fr-CA", "B": "en", "A": "en"}
    assert b"<entry>" in (site.output / "atom.xml").read_bytes()  # the feed's: not repeated
    assert b"<dc:language>fr-CA</dc:language>" in (site.output / "rss.xml").read_bytes()
    document = json.loads((site.output / "feed.json").read_bytes())
    languages = {item["title"]: item.get("language") for item in document["items"]}
    assert languages == {"D": "fr", "C": "fr-CA", "B": None, "A": None}
    # In the French feed, French is the feed's language: no entry repeats it.
    assert b"xml:lang" not in (site.output / "fr/atom.xml").read_bytes().split(b"<entry", 1)[1]


def test_archives_of_a_declared_feed_keep_its_settings(site: Site) -> None:
    site.write_config(
        BASIC_CONFIG
        + "archives: true\nmax_items: 5\n"
        + "feeds:\n  all-fr:\n    title: Tout\n    language: fr\n    max_items: 2\n"
        + "    formats: [atom]\n    summary_only: true\n"
    )
    for day in range(1, 6):
        site.post(f"p{day}", language="fr", date=f"2024-01-0{day}")
    parsed = built(site)
    assert titles(parsed, "all-fr/atom.xml") == ["P5", "P4"]
    assert titles(parsed, "all-fr/archive/1/atom.xml") == ["P2", "P1"]
    assert titles(parsed, "all-fr/archive/2/atom.xml") == ["P4", "P3"]
    assert not any(name.startswith("all-fr/") and name.endswith(".json") for name in parsed)
    assert all("content" not in e for e in parsed["all-fr/archive/1/atom.xml"].entries)


def test_cached_builds_give_the_same_bytes(site: Site, tmp_path: Path) -> None:
    site.write_config(CONFIG)
    write_posts(site)
    build(site.config, now=NOW, use_cache=False, output_dir=tmp_path / "cold")
    for _ in range(2):
        build(site.config, now=NOW, output_dir=tmp_path / "cached")
    assert feed_files(tmp_path / "cold") == feed_files(tmp_path / "cached")
    site.post("b", categories="[news]", date="2024-01-02")  # b leaves events: news now
    build(site.config, now=NOW, use_cache=False, output_dir=tmp_path / "cold")
    build(site.config, now=NOW, output_dir=tmp_path / "cached")
    assert feed_files(tmp_path / "cold") == feed_files(tmp_path / "cached")
    assert b"<title>B</title>" in (tmp_path / "cached" / "news" / "atom.xml").read_bytes()


def test_a_feed_that_selects_nothing_is_not_written_and_its_old_files_are_stale(
    site: Site,
) -> None:
    site.write_config(CONFIG)
    write_posts(site)
    built(site)
    site.post("a", categories="[News]", date="2024-01-01")  # no longer featured
    result = build(site.config, now=NOW, use_cache=False)
    assert set(result.stale) == {"featured/atom.xml", "featured/rss.xml", "featured/feed.json"}


@pytest.mark.parametrize(
    ("feeds", "message"),
    [
        ("  - x\n", "'feeds' must map feed names to their settings"),
        ("  Big: {title: B}\n", "a feed's name must be lower-case letters"),
        ("  x: {tags: [a]}\n", "'feeds.x.title' is empty"),
        ("  x: {title: X, tag: [a]}\n", "'feeds.x' has unknown key 'tag' (did you mean 'tags'?)"),
        ("  x: {title: X, not: {tag: [a]}}\n", "'feeds.x.not' has unknown key 'tag'"),
        ("  x: {title: X, path: categories/x/}\n", "categories/ holds the site's own feeds"),
        ("  x: {title: X, path: ../up/}\n", "must be a folder below the output folder"),
        ("  x: {title: X}\n  y: {title: Y, path: x}\n", "y and x are both at x/"),
        ("  x: {title: X, language: English}\n", "must be a language tag"),
        ("  x: {title: X, formats: [atom, pdf]}\n", "'pdf' is not one of them"),
        ("  x: {title: X, max_items: 0}\n", "'feeds.x.max_items' must be a whole number"),
        ("  x: {title: X, tags: []}\n", "'feeds.x.tags' lists nothing"),
    ],
)
def test_each_mistake_is_named_on_its_line(site: Site, feeds: str, message: str) -> None:
    site.write_config(BASIC_CONFIG + "feeds:\n" + feeds)
    config, problems = load_config(site.config)
    assert config is None
    assert [(p.line, message in p.message) for p in problems] == [(4, True)], problems


def test_categories_must_be_the_sites_and_paths_must_not_clash(site: Site) -> None:
    site.write_config(
        BASIC_CONFIG
        + "categories: [news]\n".replace("[news]", "{news: News}")
        + "feed_paths: {atom: featured/atom.xml}\n"
        + "feeds:\n  featured: {title: F, categories: [nws]}\n"
    )
    _, problems = load_config(site.config)
    assert [p.message for p in problems] == [
        "'feeds.featured' lists category 'nws', which 'categories' does not have "
        "(did you mean 'news'?)",
        "'feeds.featured' is at featured/, where feed_paths puts featured/atom.xml; "
        "give it another path:",
    ]


PEOPLE = {"jo": Person("Jo Doe")}
TERMS = ["news", "News", "events", "i-OS", "ios", "featured"]
LANGUAGES = ["en", "fr", "fr-CA", "FR", "de-AT"]


def post_with(categories: list[str], tags: list[str], authors: list[str]) -> Post:
    return Post(
        "x.md", (), "x", "id", "link", "X", NOW, 0, NOW,
        tuple(Category(term, term) for term in categories), tuple(tags),
        tuple(Person(name) for name in authors), None, 1,
    )  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    categories=st.lists(st.sampled_from(TERMS), max_size=3),
    tags=st.lists(st.sampled_from(TERMS), max_size=3),
    authors=st.lists(st.sampled_from(["Jo Doe", "Ann"]), max_size=2),
    language=st.sampled_from([None, *LANGUAGES]),
    wanted=st.sampled_from(TERMS),
    unwanted=st.sampled_from(TERMS),
    wanted_language=st.sampled_from(LANGUAGES),
    author=st.sampled_from(["jo", "Ann", "Jo Doe"]),
)
def test_selection_is_any_of_each_facet_and_none_of_the_excluded(
    categories: list[str],
    tags: list[str],
    authors: list[str],
    language: str | None,
    wanted: str,
    unwanted: str,
    wanted_language: str,
    author: str,
) -> None:
    """The rule, written plainly, against `selects` on every combination drawn."""
    from feeds.selection import parse_feeds

    (spec,) = parse_feeds(
        "feeds",
        {
            "x": {
                "title": "X",
                "categories": [wanted],
                "authors": [author],
                "language": wanted_language,
                "not": {"tags": [unwanted]},
            }
        },
    )
    post = post_with(categories, tags, authors)

    def key(term: str) -> str:
        return term.lower().replace("-", "")

    name = PEOPLE[author].name if author in PEOPLE else author
    expected = (
        key(wanted) in {key(c) for c in categories}
        and name in authors
        and language is not None
        and (
            language.lower() == wanted_language.lower()
            or language.lower().startswith(wanted_language.lower() + "-")
        )
        and key(unwanted) not in {key(t) for t in tags}
    )
    assert selects(spec, post, language, PEOPLE) == expected


def test_every_combination_of_facets_is_valid_output(site: Site) -> None:
    """A declared feed per facet combination: every file written is valid."""
    facets = {"categories": "[news]", "tags": "[featured]", "authors": "[jo]", "language": "fr"}
    lines = ["feeds:"]
    for number, chosen in enumerate(
        combo for size in (1, 2) for combo in itertools.combinations(facets, size)
    ):
        lines.append(f"  f{number}:")
        lines.append(f"    title: F{number}")
        lines += [f"    {facet}: {facets[facet]}" for facet in chosen]
    site.write_config(CONFIG.split("feeds:")[0] + "\n".join(lines) + "\n")
    write_posts(site)
    site.post("e", categories="[news]", tags="[featured]", author="jo", language="fr")
    parsed = built(site)
    assert all(titles(parsed, f"f{n}/atom.xml")[0] == "E" for n in range(10))
