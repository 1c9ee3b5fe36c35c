"""Links and ids of an Eleventy site's posts, as Eleventy and eleventy-plugin-rss give them.

The expected values were recorded from Eleventy 3.1.8 with @11ty/eleventy-plugin-rss
3.0.0 (npm) building tests/sites/eleventy-links once per permalink below, written
into the posts' directory data (posts/posts.json, `{"tags": "posts", "permalink":
...}`; None: no permalink): `npx @11ty/eleventy`, each entry's `<id>` read from
_site/feed.xml (the plugin's virtual Atom feed; its `<link href>` is the same text);
the site's URL, https://example.org, is left off. The plugin escapes the URL twice,
so a reader sees `&amp;` and `&#39;` in these ids; the post's real URL, feeds' link,
has `&` and `'`. Each test reads the same posts with feeds, under the matching
site.yaml, and compares every post. Eleventy is not needed to run them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import HERE, NOW, check_all, feed_files, posts_by_title

from feeds import build
from feeds.config import load_config
from feeds.conventions.eleventy import slugify, url_path

SITE = HERE / "sites" / "eleventy-links"
BASE = "https://example.org"

# permalink -> (title, id), as eleventy-plugin-rss published them.
ELEVENTY: dict[str | None, list[tuple[str, str]]] = {
    None: [
        ("Hello, World: Ünïcode & Straße!", "/posts/2024-05-01-hello-world/"),
        ("C++ & C# — a 50% guide (part 1)... ok?", "/posts/C++%20&amp;%20Caf%C3%A9/"),
        ("A Bundle", "/posts/bundle/"),
        ("A dated folder", "/posts/2023-02-03-dated-folder/"),
        ("Its own URL", "/custom/Own-URL/"),
        ("It's Ærø's Œuvre: Ünïcode ẞ", "/t/templated/its-aeros-uvre-uenicode-ss/"),
        ("  Spaces   and   Accénts  ", "/posts/sub/Nested%20Post/"),
        ("Same as its folder", "/posts/same/"),
        ("Dots.in the name", "/posts/2022-06-15-dotted.name/"),
        ("日本語 のタイトル", "/posts/%E6%97%A5%E6%9C%AC%E8%AA%9E/"),
        ("iPhone vs. HTMLParser2 & APIs", "/posts/CamelCase-Name/"),
        ("Don't <stop> me & you", "/posts/Don&#39;t%20stop/"),
    ],
    "/blog/{{ page.fileSlug }}/": [
        ("Hello, World: Ünïcode & Straße!", "/blog/hello-world/"),
        ("C++ & C# — a 50% guide (part 1)... ok?", "/blog/C++%20&amp;%20Caf%C3%A9/"),
        ("A Bundle", "/blog/bundle/"),
        ("A dated folder", "/blog/dated-folder/"),
        ("Its own URL", "/custom/Own-URL/"),
        ("It's Ærø's Œuvre: Ünïcode ẞ", "/t/templated/its-aeros-uvre-uenicode-ss/"),
        ("  Spaces   and   Accénts  ", "/blog/Nested%20Post/"),
        ("Same as its folder", "/blog/same/"),
        ("Dots.in the name", "/blog/dotted.name/"),
        ("日本語 のタイトル", "/blog/%E6%97%A5%E6%9C%AC%E8%AA%9E/"),
        ("iPhone vs. HTMLParser2 & APIs", "/blog/CamelCase-Name/"),
        ("Don't <stop> me & you", "/blog/Don&#39;t%20stop/"),
    ],
    "/{{ title | slugify }}/": [
        ("Hello, World: Ünïcode & Straße!", "/hello-world-uenicode-and-strasse/"),
        ("C++ & C# — a 50% guide (part 1)... ok?", "/c-and-c-a-50-guide-part-1-ok/"),
        ("A Bundle", "/a-bundle/"),
        ("A dated folder", "/a-dated-folder/"),
        ("Its own URL", "/custom/Own-URL/"),
        ("It's Ærø's Œuvre: Ünïcode ẞ", "/t/templated/its-aeros-uvre-uenicode-ss/"),
        ("  Spaces   and   Accénts  ", "/spaces-and-accents/"),
        ("Same as its folder", "/same-as-its-folder/"),
        ("Dots.in the name", "/dots-in-the-name/"),
        ("日本語 のタイトル", "/"),
        ("iPhone vs. HTMLParser2 & APIs", "/iphone-vs-htmlparser2-and-apis/"),
        ("Don't <stop> me & you", "/dont-stop-me-and-you/"),
    ],
    "{{ page.filePathStem }}.html": [
        ("Hello, World: Ünïcode & Straße!", "/posts/hello-world.html"),
        ("C++ & C# — a 50% guide (part 1)... ok?", "/posts/C++%20&amp;%20Caf%C3%A9.html"),
        ("A Bundle", "/posts/bundle/"),
        ("A dated folder", "/posts/2023-02-03-dated-folder/"),
        ("Its own URL", "/custom/Own-URL/"),
        ("It's Ærø's Œuvre: Ünïcode ẞ", "/t/templated/its-aeros-uvre-uenicode-ss/"),
        ("  Spaces   and   Accénts  ", "/posts/sub/Nested%20Post.html"),
        ("Same as its folder", "/posts/same/same.html"),
        ("Dots.in the name", "/posts/dotted.name.html"),
        ("日本語 のタイトル", "/posts/%E6%97%A5%E6%9C%AC%E8%AA%9E.html"),
        ("iPhone vs. HTMLParser2 & APIs", "/posts/CamelCase-Name.html"),
        ("Don't <stop> me & you", "/posts/Don&#39;t%20stop.html"),
    ],
    "posts/{{ page.fileSlug | slugify }}/index.html": [
        ("Hello, World: Ünïcode & Straße!", "/posts/hello-world/"),
        ("C++ & C# — a 50% guide (part 1)... ok?", "/posts/c-and-cafe/"),
        ("A Bundle", "/posts/bundle/"),
        ("A dated folder", "/posts/dated-folder/"),
        ("Its own URL", "/custom/Own-URL/"),
        ("It's Ærø's Œuvre: Ünïcode ẞ", "/t/templated/its-aeros-uvre-uenicode-ss/"),
        ("  Spaces   and   Accénts  ", "/posts/nested-post/"),
        ("Same as its folder", "/posts/same/"),
        ("Dots.in the name", "/posts/dotted-name/"),
        ("日本語 のタイトル", "/posts/"),
        ("iPhone vs. HTMLParser2 & APIs", "/posts/camelcase-name/"),
        ("Don't <stop> me & you", "/posts/dont-stop/"),
    ],
    "/{{ slug }}/{{ title | slugify }}/": [
        ("Hello, World: Ünïcode & Straße!", "/hello-world-uenicode-and-strasse/"),
        ("C++ & C# — a 50% guide (part 1)... ok?", "/c-and-c-a-50-guide-part-1-ok/"),
        ("A Bundle", "/a-bundle/"),
        ("A dated folder", "/a-dated-folder/"),
        ("Its own URL", "/custom/Own-URL/"),
        ("It's Ærø's Œuvre: Ünïcode ẞ", "/t/templated/its-aeros-uvre-uenicode-ss/"),
        ("  Spaces   and   Accénts  ", "/spaces-and-accents/"),
        ("Same as its folder", "/same-as-its-folder/"),
        ("Dots.in the name", "/dots-in-the-name/"),
        ("日本語 のタイトル", "/japanese/"),
        ("iPhone vs. HTMLParser2 & APIs", "/iphone-vs-htmlparser2-and-apis/"),
        ("Don't <stop> me & you", "/dont-stop-me-and-you/"),
    ],
}


def site_copy(tmp_path: Path, permalink: str | None) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root, ignore=shutil.ignore_patterns("_site", "feeds-out"))
    config = root / "site.yaml"
    if permalink is not None:
        text = config.read_text(encoding="utf-8") + f"permalink: '{permalink}'\n"
        config.write_text(text, encoding="utf-8")
    return config


def real_url(published_id: str) -> str:
    """The URL the plugin escaped twice, as the page really is."""
    return BASE + published_id.replace("&amp;", "&").replace("&#39;", "'")


@pytest.mark.parametrize("permalink", list(ELEVENTY))
def test_links_and_ids_are_eleventys(tmp_path: Path, permalink: str | None) -> None:
    posts = posts_by_title(site_copy(tmp_path, permalink))
    # feeds trims a title's spaces, the plugin's feed keeps them
    assert sorted(posts) == sorted(title.strip() for title, _ in ELEVENTY[permalink])
    for title, published_id in ELEVENTY[permalink]:
        post = posts[title.strip()]
        assert (title, post.link, post.id) == (title, real_url(published_id), BASE + published_id)


def test_the_feeds_carry_the_plugins_ids(tmp_path: Path) -> None:
    config = site_copy(tmp_path, "/blog/{{ page.fileSlug }}/")
    result = build(config, now=NOW, use_cache=False)
    assert not result.has_errors, [p.format() for p in result.problems]
    feeds = check_all(feed_files(config.parent / "feeds-out"))
    rows = ELEVENTY["/blog/{{ page.fileSlug }}/"]
    got = {e.title: (e.link, e.id) for e in feeds["atom.xml"].entries}
    assert got == {t.strip(): (real_url(i), BASE + i) for t, i in rows}


def test_the_fixture_keeps_feeds_own_permalink_working(tmp_path: Path) -> None:
    """A site.yaml written before issue 23 keeps feeds' {slug} form, and its links."""
    config = site_copy(tmp_path, "/posts/{slug}/")
    posts = posts_by_title(config)
    assert posts["Dots.in the name"].link == BASE + "/posts/dotted-name/"
    assert posts["Its own URL"].link == BASE + "/custom/Own-URL/"  # front matter wins


@pytest.mark.parametrize(
    ("text", "slug"),
    [  # @sindresorhus/slugify 2.2.1 with {decamelize: false}, as Eleventy 3 calls it
        ("Crème Brûlée à la française", "creme-brulee-a-la-francaise"),
        ("Ærø Œuvre", "aero-uvre"),
        ("Straße & Größe", "strasse-and-groesse"),
        ("€100 — ½ price!", "e100-price"),
        ("it's done, isn't it", "its-done-isnt-it"),
        ("Łódź, Dvořák, İstanbul", "lodz-dvorak-istanbul"),
        ("naïve café ﬁne", "naive-cafe-ne"),
        ("日本語 のタイトル", ""),
        ("x^y`z ¨ ´", "xyz"),
        ("Ħħ ıĲĳ ẞ", "hh-iijij-ss"),
        ("ÀÉÎÕÜ Ÿ ç", "aeioue-y-c"),
        ("C++", "c"),
    ],
)
def test_slugify_as_eleventy(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("output", "url"),
    [
        ("posts/x/", "/posts/x/"),
        ("/posts/x/index.html", "/posts/x/"),
        ("//posts//x.html", "/posts/x.html"),
        ("/posts/index", "/posts/"),
        ("/a/../b/./c/", "/b/c/"),
    ],
)
def test_url_path_as_template_permalink(output: str, url: str) -> None:
    assert url_path(output) == url


@pytest.mark.parametrize(
    ("permalink", "message"),
    [
        (
            '/{{ page.date | date: "%Y" }}/{{ page.fileSlug }}/',
            "'permalink' has {{ page.date | date: \"%Y\" }}, which feeds cannot run: use "
            "page.fileSlug, page.filePathStem or a front matter key like title, "
            "optionally | slugify",
        ),
        (
            "/{{ title | slug }}/",
            "'permalink' has the filter 'slug', which feeds cannot run; use slugify, "
            "or give such posts a link: instead",
        ),
        (
            "/{% if x %}a{% endif %}/",
            "'permalink' has a template tag {% %}; feeds runs only {{ }} with "
            "page.fileSlug, page.filePathStem or a front matter key like title, "
            "optionally | slugify; give such posts a link: instead",
        ),
        (
            "https://example.org/{{ title }}/",
            "'permalink' must be a path like /blog/{{ page.fileSlug }}/",
        ),
    ],
)
def test_a_permalink_feeds_cannot_run_is_an_error(
    tmp_path: Path, permalink: str, message: str
) -> None:
    config, problems = load_config(site_copy(tmp_path, permalink))
    assert config is None
    [problem] = problems
    assert problem.format(relative_to=tmp_path / "site").startswith(f"site.yaml:9: {message}")


JS_POST = "---js\n{\n  title: 'Computed',\n  date: new Date(),\n}\n---\nBody.\n"


@pytest.mark.parametrize("fence", ["---js", "---javascript"])
def test_javascript_front_matter_is_left_out_with_a_warning(tmp_path: Path, fence: str) -> None:
    config = site_copy(tmp_path, None)
    (config.parent / "posts" / "x.md").write_text(JS_POST.replace("---js", fence, 1))
    result = build(config, now=NOW, use_cache=False)
    assert not result.has_errors, [p.format() for p in result.problems]
    assert [
        p.format(relative_to=config.parent) for p in result.problems if "x.md" in str(p.path)
    ] == [
        "posts/x.md:1: warning: front matter in JavaScript is not run; the post is left out "
        "of the feeds; write it as YAML to publish it"
    ]
    feeds = check_all(feed_files(config.parent / "feeds-out"))
    assert "Computed" not in {e.title for e in feeds["atom.xml"].entries}
    assert len(feeds["atom.xml"].entries) == len(ELEVENTY[None])


def test_javascript_front_matter_is_an_error_under_other_conventions(tmp_path: Path) -> None:
    config = site_copy(tmp_path, None)
    text = config.read_text(encoding="utf-8").replace("conventions: eleventy\n", "")
    config.write_text(text.replace("id_scheme: generator\n", ""), encoding="utf-8")
    (config.parent / "posts" / "x.md").write_text(JS_POST)
    result = build(config, now=NOW, use_cache=False)
    assert [p.format(relative_to=config.parent) for p in result.problems if p.is_error] == [
        "posts/x.md:1: front matter in 'js' cannot be read; write it as YAML between '---' "
        "lines or as TOML between '+++' lines"
    ]
