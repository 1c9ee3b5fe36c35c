"""Links, ids and dates of a Hugo site's posts, as Hugo's own RSS feed gives them.

The expected values were recorded from Hugo 0.111.3 (Debian 12's `hugo`) building
tests/sites/hugo-links once per setting below: `hugo --config hugo.toml,extra.toml`
with `[permalinks] posts = "<permalink>"` (None: no [permalinks]) and
`uglyURLs = true` where marked, each item's `<link>`, `<guid>` (always the same as
the link) and `<pubDate>` read from public/index.xml; the site's URL,
https://example.org, is left off. Each test reads the same posts with feeds, under
the matching site.yaml, and compares every post. Hugo is not needed to run them.
"""

from __future__ import annotations

import shutil
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from conftest import HERE, NOW, check_all, feed_files, posts_by_title

from feeds import build
from feeds.config import load_config
from feeds.conventions.hugo import urlize

SITE = HERE / "sites" / "hugo-links"
BASE = "https://example.org"

# (permalink, uglyURLs) -> (title, link = guid, pubDate), as Hugo published them.
HUGO: dict[tuple[str | None, bool], list[tuple[str, str, str]]] = {
    (None, False): [
        (
            "Hello, World: Ünïcode & Straße!",
            "/posts/my-mixed-case/",
            "Wed, 01 May 2024 01:30:00 +0300",
        ),
        ("With a Slug", "/posts/my-custom-slug/", "Mon, 04 Mar 2024 23:30:00 -0500"),
        ("日本語 のタイトル", "/posts/unicode-name-%C3%9F/", "Sun, 31 Dec 2023 22:00:00 -0800"),
        (
            "C++ & C# — a 50% guide (part 1)... ok?",
            "/posts/punctuation/",
            "Wed, 15 Jun 2022 00:00:00 -0400",
        ),
        ("A Bundle", "/posts/bundle-name/", "Sat, 02 Jan 2021 03:04:05 +0000"),
        ("Its own URL", "/custom/Own-URL/", "Sat, 29 Feb 2020 00:00:00 -0500"),
        (
            "  Spaces   and   Accénts  ",
            "/posts/acc%C3%A9nted-spaces/",
            "Thu, 04 Jul 2019 12:00:00 -0400",
        ),
    ],
    (None, True): [
        (
            "Hello, World: Ünïcode & Straße!",
            "/posts/my-mixed-case.html",
            "Wed, 01 May 2024 01:30:00 +0300",
        ),
        ("With a Slug", "/posts/my-custom-slug.html", "Mon, 04 Mar 2024 23:30:00 -0500"),
        ("日本語 のタイトル", "/posts/unicode-name-%C3%9F.html", "Sun, 31 Dec 2023 22:00:00 -0800"),
        (
            "C++ & C# — a 50% guide (part 1)... ok?",
            "/posts/punctuation.html",
            "Wed, 15 Jun 2022 00:00:00 -0400",
        ),
        ("A Bundle", "/posts/bundle-name.html", "Sat, 02 Jan 2021 03:04:05 +0000"),
        ("Its own URL", "/custom/Own-URL/", "Sat, 29 Feb 2020 00:00:00 -0500"),
        (
            "  Spaces   and   Accénts  ",
            "/posts/acc%C3%A9nted-spaces.html",
            "Thu, 04 Jul 2019 12:00:00 -0400",
        ),
    ],
    ("/:year/:month/:day/:title/", False): [
        (
            "Hello, World: Ünïcode & Straße!",
            "/2024/05/01/hello-world-%C3%BCn%C3%AFcode-stra%C3%9Fe/",
            "Wed, 01 May 2024 01:30:00 +0300",
        ),
        ("With a Slug", "/2024/03/04/with-a-slug/", "Mon, 04 Mar 2024 23:30:00 -0500"),
        (
            "日本語 のタイトル",
            "/2023/12/31/%E6%97%A5%E6%9C%AC%E8%AA%9E-%E3%81%AE%E3%82%BF%E3%82%A4%E3%83%88%E3%83%AB/",
            "Sun, 31 Dec 2023 22:00:00 -0800",
        ),
        (
            "C++ & C# — a 50% guide (part 1)... ok?",
            "/2022/06/15/c-c#-a-50-guide-part-1...-ok/",
            "Wed, 15 Jun 2022 00:00:00 -0400",
        ),
        ("A Bundle", "/2021/01/02/a-bundle/", "Sat, 02 Jan 2021 03:04:05 +0000"),
        ("Its own URL", "/custom/Own-URL/", "Sat, 29 Feb 2020 00:00:00 -0500"),
        (
            "  Spaces   and   Accénts  ",
            "/2019/07/04/spaces-and-acc%C3%A9nts/",
            "Thu, 04 Jul 2019 12:00:00 -0400",
        ),
    ],
    ("/:year/:monthname/:weekday/:section/:slug/:filename/", False): [
        (
            "Hello, World: Ünïcode & Straße!",
            "/2024/may/3/posts/hello-world-%C3%BCn%C3%AFcode-stra%C3%9Fe/my-mixed-case/",
            "Wed, 01 May 2024 01:30:00 +0300",
        ),
        (
            "With a Slug",
            "/2024/march/1/posts/my-custom-slug/with-slug/",
            "Mon, 04 Mar 2024 23:30:00 -0500",
        ),
        (
            "日本語 のタイトル",
            "/2023/december/0/posts/%E6%97%A5%E6%9C%AC%E8%AA%9E-%E3%81%AE%E3%82%BF%E3%82%A4%E3%83%88%E3%83%AB/unicode-name-%C3%9F/",
            "Sun, 31 Dec 2023 22:00:00 -0800",
        ),
        (
            "C++ & C# — a 50% guide (part 1)... ok?",
            "/2022/june/3/posts/c-c#-a-50-guide-part-1...-ok/punctuation/",
            "Wed, 15 Jun 2022 00:00:00 -0400",
        ),
        (
            "A Bundle",
            "/2021/january/6/posts/a-bundle/bundle-name/",
            "Sat, 02 Jan 2021 03:04:05 +0000",
        ),
        ("Its own URL", "/custom/Own-URL/", "Sat, 29 Feb 2020 00:00:00 -0500"),
        (
            "  Spaces   and   Accénts  ",
            "/2019/july/4/posts/spaces-and-acc%C3%A9nts/acc%C3%A9nted-spaces/",
            "Thu, 04 Jul 2019 12:00:00 -0400",
        ),
    ],
    ("/:sections/:slugorfilename/", False): [
        (
            "Hello, World: Ünïcode & Straße!",
            "/posts/my-mixed-case/",
            "Wed, 01 May 2024 01:30:00 +0300",
        ),
        ("With a Slug", "/posts/my-custom-slug/", "Mon, 04 Mar 2024 23:30:00 -0500"),
        ("日本語 のタイトル", "/posts/unicode-name-%C3%9F/", "Sun, 31 Dec 2023 22:00:00 -0800"),
        (
            "C++ & C# — a 50% guide (part 1)... ok?",
            "/posts/punctuation/",
            "Wed, 15 Jun 2022 00:00:00 -0400",
        ),
        ("A Bundle", "/posts/bundle-name/", "Sat, 02 Jan 2021 03:04:05 +0000"),
        ("Its own URL", "/custom/Own-URL/", "Sat, 29 Feb 2020 00:00:00 -0500"),
        (
            "  Spaces   and   Accénts  ",
            "/posts/acc%C3%A9nted-spaces/",
            "Thu, 04 Jul 2019 12:00:00 -0400",
        ),
    ],
    ("/:year/:title/", True): [
        (
            "Hello, World: Ünïcode & Straße!",
            "/2024/hello-world-%C3%BCn%C3%AFcode-stra%C3%9Fe.html",
            "Wed, 01 May 2024 01:30:00 +0300",
        ),
        ("With a Slug", "/2024/with-a-slug.html", "Mon, 04 Mar 2024 23:30:00 -0500"),
        (
            "日本語 のタイトル",
            "/2023/%E6%97%A5%E6%9C%AC%E8%AA%9E-%E3%81%AE%E3%82%BF%E3%82%A4%E3%83%88%E3%83%AB.html",
            "Sun, 31 Dec 2023 22:00:00 -0800",
        ),
        (
            "C++ & C# — a 50% guide (part 1)... ok?",
            "/2022/c-c#-a-50-guide-part-1...-ok.html",
            "Wed, 15 Jun 2022 00:00:00 -0400",
        ),
        ("A Bundle", "/2021/a-bundle.html", "Sat, 02 Jan 2021 03:04:05 +0000"),
        ("Its own URL", "/custom/Own-URL/", "Sat, 29 Feb 2020 00:00:00 -0500"),
        (
            "  Spaces   and   Accénts  ",
            "/2019/spaces-and-acc%C3%A9nts.html",
            "Thu, 04 Jul 2019 12:00:00 -0400",
        ),
    ],
}


def site_copy(tmp_path: Path, permalink: str | None, ugly: bool = False) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root, ignore=shutil.ignore_patterns("public", "feeds-out"))
    config = root / "site.yaml"
    text = config.read_text(encoding="utf-8")
    if permalink is not None:
        text += f'permalink: "{permalink}"\n'
    if ugly:
        text += "ugly_urls: true\n"
    config.write_text(text, encoding="utf-8")
    return config


@pytest.mark.parametrize(("permalink", "ugly"), list(HUGO))
def test_links_ids_and_dates_are_hugos(tmp_path: Path, permalink: str | None, ugly: bool) -> None:
    posts = posts_by_title(site_copy(tmp_path, permalink, ugly))
    # feeds trims a title's spaces, Hugo's RSS keeps them
    assert sorted(posts) == sorted(title.strip() for title, *_ in HUGO[permalink, ugly])
    for title, link, published in HUGO[permalink, ugly]:
        post = posts[title.strip()]
        assert (title, post.link, post.id) == (title, BASE + link, BASE + link)
        assert post.published == parsedate_to_datetime(published), title


def test_the_feeds_carry_hugos_links_and_guids(tmp_path: Path) -> None:
    config = site_copy(tmp_path, "/:year/:month/:day/:title/")
    result = build(config, now=NOW, use_cache=False)
    assert not result.has_errors, [p.format() for p in result.problems]
    feeds = check_all(feed_files(config.parent / "feeds-out"))
    rows = HUGO["/:year/:month/:day/:title/", False]
    got = {e.title: (e.link, e.id) for e in feeds["rss.xml"].entries}
    assert got == {title.strip(): (BASE + link, BASE + link) for title, link, _ in rows}


@pytest.mark.parametrize(
    ("text", "urlized"),
    [
        ("Hello, World: Ünïcode & Straße!", "hello-world-ünïcode-straße"),
        ("C++ & C# — a 50% guide (part 1)... ok?", "c-c#-a-50-guide-part-1...-ok"),
        ("  Spaces   and   Accénts  ", "spaces-and-accénts"),
        ("日本語 のタイトル", "日本語-のタイトル"),
    ],
)
def test_urlize_as_hugo(text: str, urlized: str) -> None:
    assert urlize(text) == urlized  # Hugo's links above, percent-decoded


def test_a_permalink_hugo_would_refuse_is_an_error(tmp_path: Path) -> None:
    config, problems = load_config(site_copy(tmp_path, "/:year/:foo/"))
    assert config is None
    assert [p.format(relative_to=tmp_path / "site") for p in problems] == [
        "site.yaml:10: 'permalink' has unknown token :foo; use :year :month :monthname :day "
        ":weekday :weekdayname :yearday :title :slug :slugorfilename :filename :section :sections"
    ]


def test_ugly_urls_needs_hugo(tmp_path: Path) -> None:
    config_path = site_copy(tmp_path, None, ugly=True)
    text = config_path.read_text(encoding="utf-8")
    text = text.replace("conventions: hugo\n", "").replace("id_scheme: generator\n", "")
    config_path.write_text(text, encoding="utf-8")
    config, problems = load_config(config_path)
    assert config is None
    assert [p.format(relative_to=config_path.parent) for p in problems] == [
        "site.yaml:8: 'ugly_urls' is Hugo's uglyURLs; add 'conventions: hugo', or remove it"
    ]


SECTIONS = HERE / "sites" / "hugo-sections"

# Hugo 0.111.3 building tests/sites/hugo-sections (`[permalinks] posts = "/:year/:title/"`,
# `news = "/news/:slug/"`; notes/ not listed; about.md directly in content/): each
# item's <link> (= <guid>) in public/index.xml, the site's URL left off.
HUGO_SECTIONS = {
    "First Post": "/2024/first-post/",
    "Deep Post": "/2024/deep-post/",  # content/posts/deep/: still the posts section
    "We Launched": "/news/launch-day/",
    "News Without Slug": "/news/news-without-slug/",
    "A Note": "/notes/a-note/",  # not listed: Hugo's default
    "About": "/about/",  # no section: the default
}


def sections_copy(tmp_path: Path, posts: str = "content") -> Path:
    root = tmp_path / "site"
    shutil.copytree(SECTIONS, root, ignore=shutil.ignore_patterns("public", "feeds-out"))
    config = root / "site.yaml"
    text = config.read_text(encoding="utf-8").replace("posts: content\n", f"posts: {posts}\n")
    config.write_text(text, encoding="utf-8")
    return config


def test_permalinks_by_section_are_hugos(tmp_path: Path) -> None:
    config = sections_copy(tmp_path)
    posts = posts_by_title(config)
    assert {title: (p.link, p.id) for title, p in posts.items()} == {
        title: (BASE + link, BASE + link) for title, link in HUGO_SECTIONS.items()
    }
    result = build(config, now=NOW, use_cache=False)
    assert not result.has_errors, [p.format() for p in result.problems]
    feeds = check_all(feed_files(config.parent / "feeds-out"))
    assert {e.title: e.link for e in feeds["rss.xml"].entries} == {
        title: BASE + link for title, link in HUGO_SECTIONS.items()
    }


def test_a_section_as_the_posts_folder_takes_its_permalink(tmp_path: Path) -> None:
    posts = posts_by_title(sections_copy(tmp_path, "content/news"))
    assert {title: p.link for title, p in posts.items()} == {
        title: BASE + link for title, link in HUGO_SECTIONS.items() if link.startswith("/news/")
    }


def test_a_content_folder_of_another_name_is_the_posts_folder(tmp_path: Path) -> None:
    config = sections_copy(tmp_path, "src")
    (config.parent / "content").rename(config.parent / "src")  # Hugo's contentDir = "src"
    posts = posts_by_title(config)
    assert {title: p.link for title, p in posts.items()} == {
        title: BASE + link for title, link in HUGO_SECTIONS.items()
    }


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "{posts: '/:year/:foo/'}",
            "'permalink.posts' has unknown token :foo; use :year :month :monthname :day "
            ":weekday :weekdayname :yearday :title :slug :slugorfilename :filename :section "
            ":sections",
        ),
        (
            "{posts: '/{year}/{slug}/'}",
            "'permalink.posts' is in feeds' {token} syntax; a section's permalink is written "
            "in Hugo's, like /:year/:title/",
        ),
        ("{posts: [a, b]}", "'permalink.posts' must be a pattern like /:year/:title/"),
    ],
)
def test_a_wrong_section_permalink_is_an_error(tmp_path: Path, written: str, message: str) -> None:
    config_path = sections_copy(tmp_path)
    text = config_path.read_text(encoding="utf-8").split("permalink:")[0]
    config_path.write_text(text + f"permalink: {written}\n", encoding="utf-8")
    config, problems = load_config(config_path)
    assert config is None
    assert [p.format(relative_to=config_path.parent) for p in problems] == [
        f"site.yaml:10: {message}"
    ]


def test_permalinks_by_section_need_hugo(tmp_path: Path) -> None:
    config_path = sections_copy(tmp_path)
    text = config_path.read_text(encoding="utf-8").replace("conventions: hugo", "conventions: zola")
    config_path.write_text(text.replace("id_scheme: generator\n", ""), encoding="utf-8")
    config, problems = load_config(config_path)
    assert config is None and len(problems) == 1
    assert "permalink" in problems[0].message
