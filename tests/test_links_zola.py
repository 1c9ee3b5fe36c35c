"""Links and ids of a Zola site's pages, as Zola's own feeds give them.

The expected values were recorded from Zola 0.22.0's own build of the fixture
(tests/sites/zola-links, with minimal templates added, under each `[slugify] paths`):
the `<id>` (= `<link href>`, = RSS `<guid>`) of every entry of its built-in atom.xml.
The site's URL, https://example.org, is left off. Zola is not needed to run them.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import HERE, NOW, check_all, feed_files, posts_by_title

from feeds import build
from feeds.config import load_config
from feeds.conventions import CONVENTIONS
from feeds.conventions.zola import slug_crate, slugify_paths

SITE = HERE / "sites" / "zola-links"
BASE = "https://example.org"

# title -> permalink = Atom <id> = RSS <guid>, under `[slugify] paths = "on"` (the default),
# in the order of Zola's feed (newest first).
ZOLA = {
    "Hello, World: Ünïcode & Straße!": "/blog/hello-world/",  # 2024-05-01-hello-world.md
    "An underscore after the date": "/blog/underscore-date/",  # 2024-04-02_Underscore Date
    "White space before the dash": "/blog/spaced-out/",  # 2024-03-03 -Spaced Out
    "Unicode name": "/blog/strasse-unicode-co/",  # Straße Ünïcode & Co.md
    "With a slug": "/blog/mein-aero-slug/",  # slug = "Mein Ærø Slug!"
    "A date and no dash": "/blog/2024-01-04-no-dash/",  # 2024-01-04 No Dash: dated, all slug
    "Its own path": "/custom/Own-URL/",  # path = "custom/Own-URL", kept as written
    "A bundle": "/blog/bundle-folder/",  # Bundle Folder/index.md
    "A dated bundle": "/blog/dated-bundle/",  # 2023-01-02-dated-bundle/index.md
    "A date alone": "/blog/2022-06-15/",  # 2022-06-15.md: no slug after the date
    "Dots in the name": "/blog/dots-in-name/",  # Dots. In. Name..md
    # Section folders are not slugified, and the permalink is not percent-encoded.
    "C++ & C# — a guide": "/Notes/Deep Dive/c-c-guide/",
    "Punctuation in the name": "/blog/what-s-up-really/",  # What's up (really)!.md
    "In a transparent section": "/blog/flat/in-transparent/",  # transparent: still its folder
    "Deep in nested sections": "/blog/nested/deeper/deep-page/",  # aliases change nothing
    "At the content root": "/root-page/",  # content/root-page.md
}
# `paths = "safe"`: only NTFS's forbidden characters and trailing dots and spaces go.
ZOLA_SAFE = {
    **ZOLA,
    "An underscore after the date": "/blog/Underscore Date/",
    "White space before the dash": "/blog/Spaced Out/",
    "A date and no dash": "/blog/2024-01-04 No Dash/",
    "Unicode name": "/blog/Straße Ünïcode & Co/",
    "With a slug": "/blog/Mein Ærø Slug!/",
    "A bundle": "/blog/Bundle Folder/",
    "Dots in the name": "/blog/Dots. In. Name/",
    "Punctuation in the name": "/blog/What's up (really)!/",
    "Deep in nested sections": "/blog/nested/deeper/Deep-Page/",
    "C++ & C# — a guide": "/Notes/Deep Dive/C++ & C# — guide/",
}
# `paths = "off"`: the names as written.
ZOLA_OFF = {**ZOLA_SAFE, "Dots in the name": "/blog/Dots. In. Name./"}


def site_copy(tmp_path: Path, extra: str = "") -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root, ignore=shutil.ignore_patterns("public", "feeds-out"))
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return config


@pytest.mark.parametrize(
    ("strategy", "expected"), [("on", ZOLA), ("safe", ZOLA_SAFE), ("off", ZOLA_OFF)]
)
def test_links_and_ids_are_zolas(tmp_path: Path, strategy: str, expected: dict[str, str]) -> None:
    """`permalink` names Zola's `[slugify] paths`, as `init --from` writes it; the draft
    is read but in no feed, as in Zola's."""
    config = site_copy(tmp_path, f"permalink: {strategy}\n")
    zola = config.parent / "config.toml"
    zola.write_text(zola.read_text().replace('paths = "on"', f'paths = "{strategy}"'))
    posts = posts_by_title(config)
    assert posts.pop("A draft").draft
    assert sorted(posts) == sorted(expected)
    for title, path in expected.items():
        link = BASE + quote(path, safe="/!'()&+")  # a feed's link must be a URL
        assert (title, posts[title].link, posts[title].id) == (title, link, BASE + path)


def test_dates_come_from_file_and_folder_names(tmp_path: Path) -> None:
    posts = posts_by_title(site_copy(tmp_path))
    assert posts["White space before the dash"].published.date().isoformat() == "2024-03-03"
    assert posts["A dated bundle"].published.date().isoformat() == "2023-01-02"
    assert posts["A date and no dash"].published.date().isoformat() == "2024-01-04"
    # No offset: UTC, as Zola reads it (2021-03-04T08:00:00+00:00 in its feed)
    assert posts["Punctuation in the name"].published.isoformat() == "2021-03-04T08:00:00+00:00"


@pytest.mark.parametrize(
    ("stem", "found"),
    [  # Zola 0.22's RFC3339_DATE; a date alone, or followed by other than [ ]-/_, is dated too
        ("2024-05-01-hello", (date(2024, 5, 1), "hello")),
        ("2024-05-01 _hello", (date(2024, 5, 1), "hello")),
        ("2024-05-01 hello", (date(2024, 5, 1), "")),
        ("2024-05-01", (date(2024, 5, 1), "")),
        ("2024-01-05T10:20:30Z-timed", (date(2024, 1, 5), "timed")),
        ("2024-01-05T10:20:30+02:00_timed", (date(2024, 1, 5), "timed")),
        ("2024-5-1-hello", None),  # Jekyll's, not Zola's
        ("2024-13-01-hello", None),
    ],
)
def test_zolas_dated_file_names(stem: str, found: tuple[date, str] | None) -> None:
    assert CONVENTIONS["zola"].file_name_date(stem) == found


def test_the_feeds_carry_zolas_ids(tmp_path: Path) -> None:
    config = site_copy(tmp_path)
    result = build(config, now=NOW, use_cache=False)
    assert not result.has_errors, [p.format() for p in result.problems]
    feeds = check_all(feed_files(config.parent / "feeds-out"))
    got = {e.title: e.id for e in feeds["atom.xml"].entries}
    assert got == {title: BASE + path for title, path in ZOLA.items()}
    assert [e.title for e in feeds["atom.xml"].entries] == list(ZOLA)  # Zola's order


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
        "a page's URL is its section's path and its slug (or its 'path'); write Zola's "
        "[slugify] paths (on, safe or off), or remove 'permalink' for its default, or write "
        "feeds' own form like /blog/{slug}/"
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
