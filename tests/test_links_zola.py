"""Links and ids of a Zola site's pages, as Zola's own feeds give them.

Zola is not packaged here, so the expected values follow its source, read at 0.22.1
(getzola/zola: `Page::parse` in components/content/src/page.rs, `FileInfo`,
`slugify_paths` in components/utils/src/slugs.rs, `Config::make_permalink`, and the
built-in atom.xml and rss.xml, whose `<id>` and `<guid>` are `page.permalink`); each
slug was made by the `slug` crate's own `slugify` (0.1.4 with deunicode 1.3.1,
Debian's librust-slug-dev), as Zola's `slugify.paths = "on"` calls it. The site's URL,
https://example.org, is left off. Zola is not needed to run them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import HERE, NOW, check_all, feed_files, posts_by_title

from feeds import build
from feeds.config import load_config
from feeds.conventions.zola import slug_crate, slugify_paths

SITE = HERE / "sites" / "zola-links"
BASE = "https://example.org"

# title -> permalink = Atom <id> = RSS <guid>, by Zola's rules (see the docstring).
ZOLA = {
    "Hello, World: Ünïcode & Straße!": "/blog/hello-world/",  # 2024-05-01-hello-world.md
    "An underscore after the date": "/blog/underscore-date/",  # 2024-04-02_Underscore Date
    "White space before the dash": "/blog/spaced-out/",  # 2024-03-03 -Spaced Out
    "Unicode name": "/blog/strasse-unicode-co/",  # Straße Ünïcode & Co.md
    "With a slug": "/blog/mein-aero-slug/",  # slug = "Mein Ærø Slug!"
    "Its own path": "/custom/Own-URL/",  # path = "custom/Own-URL", kept as written
    "A bundle": "/blog/bundle-folder/",  # Bundle Folder/index.md
    "A dated bundle": "/blog/dated-bundle/",  # 2023-01-02-dated-bundle/index.md
    "A date alone": "/blog/2022-06-15/",  # 2022-06-15.md: no slug after the date
    "Dots in the name": "/blog/dots-in-name/",  # Dots. In. Name..md
    # Section folders are not slugified, and the permalink is not percent-encoded.
    "C++ & C# — a guide": "/Notes/Deep Dive/c-c-guide/",
}


def site_copy(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root, ignore=shutil.ignore_patterns("public", "feeds-out"))
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return config


def test_links_and_ids_are_zolas(tmp_path: Path) -> None:
    posts = posts_by_title(site_copy(tmp_path))
    assert sorted(posts) == sorted(ZOLA)
    for title, path in ZOLA.items():
        link = BASE + path.replace(" ", "%20")  # a feed's link must be a URL
        assert (title, posts[title].link, posts[title].id) == (title, link, BASE + path)


def test_dates_come_from_file_and_folder_names(tmp_path: Path) -> None:
    posts = posts_by_title(site_copy(tmp_path))
    assert posts["White space before the dash"].published.date().isoformat() == "2024-03-03"
    assert posts["A dated bundle"].published.date().isoformat() == "2023-01-02"


def test_the_feeds_carry_zolas_ids(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    result = build(config, now=NOW, use_cache=False)
    assert not result.has_errors, [p.format() for p in result.problems]
    feeds = check_all(feed_files(config.parent / "feeds-out"))
    got = {e.title: e.id for e in feeds["atom.xml"].entries}
    assert got == {title: BASE + path for title, path in ZOLA.items()}


def test_feeds_own_permalink_still_works(tmp_path: Path) -> None:
    """A site.yaml written before issue 23 keeps feeds' {slug} form, and its links;
    `id_scheme: generator` still gives Zola's ids."""
    posts = posts_by_title(site_copy(tmp_path, "permalink: /blog/{slug}/\n"))
    assert posts["Unicode name"].link == BASE + "/blog/strae-unicode-co/"  # feeds' slug
    assert posts["Its own path"].link == BASE + "/custom/Own-URL/"  # `path` still wins
    assert posts["Unicode name"].id == BASE + "/blog/strasse-unicode-co/"  # Zola's, still


def test_a_permalink_pattern_is_an_error(tmp_path: Path) -> None:
    config, problems = load_config(site_copy(tmp_path, "permalink: /:year/:slug/\n"))
    assert config is None
    assert [p.format(relative_to=tmp_path / "site") for p in problems] == [
        "site.yaml:9: 'permalink' cannot be '/:year/:slug/': Zola has no permalink pattern, "
        "a page's URL is its section's path and its slug (or its 'path'); remove "
        "'permalink' to get Zola's URLs, or write feeds' own form like /blog/{slug}/"
    ]


@pytest.mark.parametrize(
    ("text", "slug"),
    [  # the slug crate's slugify, run
        ("Hello, World: Ünïcode & Straße!", "hello-world-unicode-strasse"),
        ("C++ & C# — a 50% guide (part 1)... ok?", "c-c-a-50-guide-part-1-ok"),
        ("  Spaces   and   Accénts  ", "spaces-and-accents"),
        ("Ærø Œuvre ẞ", "aero-oeuvre-ss"),
        ("2024-03-01_first-post", "2024-03-01-first-post"),
        ("My-Mixed-Case", "my-mixed-case"),
        pytest.param("日本", "ri-ben", marks=pytest.mark.xfail(reason="deunicode's CJK table")),
    ],
)
def test_slug_crate(text: str, slug: str) -> None:
    assert slug_crate(text) == slug


@pytest.mark.parametrize(
    ("text", "on", "safe", "off"),
    [  # Zola's own test, `can_slugify_paths` in components/utils/src/slugs.rs
        ("input", "input", "input", "input"),
        ("test ", "test", "test", "test "),
        ("tes t", "tes-t", "tes t", "tes t"),
        ("dot. ", "dot", "dot", "dot. "),
        ("héhé", "hehe", "héhé", "héhé"),
        ("test (hey)", "test-hey", "test (hey)", "test (hey)"),
    ],
)
def test_slugify_paths_as_zola(text: str, on: str, safe: str, off: str) -> None:
    assert [slugify_paths(text, s) for s in ("on", "safe", "off")] == [on, safe, off]
