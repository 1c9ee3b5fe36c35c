"""Links between posts (issue 23): Hugo's `ref` and `relref`, Jekyll's `link` and
`post_url`, rendered as the generator renders them, and kept right by the build cache
when the post they link to moves."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from conftest import BASIC_CONFIG, NOW, Site, feed_files

from feeds import build
from feeds.model import Severity
from feeds.source.templates import HUGO, LIQUID, strip_templates

SITE = "https://example.org/blog/"


def contents(folder: Path, name: str = "feed.json") -> dict[str, str]:
    """Each entry's HTML in the site feed, by title."""
    feed = json.loads((folder / name).read_text(encoding="utf-8"))
    return {item["title"]: item["content_html"] for item in feed["items"]}


def cold(site: Site) -> dict[str, bytes]:
    out = site.root / "cold"
    shutil.rmtree(out, ignore_errors=True)
    result = build(site.config, output_dir=out, now=NOW, use_cache=False)
    assert not result.has_errors
    return feed_files(out)


def warnings(result: object) -> list[tuple[str, int | None, str]]:
    return [
        (Path(p.path).name, p.line, p.message)
        for p in result.problems  # type: ignore[attr-defined]
        if p.severity is Severity.WARNING
    ]


# --- the tags -----------------------------------------------------------------------------


def test_links_are_rendered_from_the_links_given() -> None:
    body = (
        'A [ref]({{< ref "x.md#part" >}}), {{< relref path="posts/x" >}}; '
        "[l]({% link _posts/2024-01-02-x.md %}) {% post_url 2024-01-02-x %}\n"
    )
    links = {
        ("ref", "x.md#part"): "https://example.org/blog/posts/x/#part",
        ("relref", "posts/x"): "/blog/posts/x/",
        ("link", "_posts/2024-01-02-x.md"): "/blog/2024/01/02/x.html",
        ("post_url", "2024-01-02-x"): "/blog/2024/01/02/x.html",
    }
    text, dropped = strip_templates(body, site_url=SITE, links=links)
    assert dropped == []
    assert text == (
        "A [ref](https://example.org/blog/posts/x/#part), /blog/posts/x/; "
        "[l](/blog/2024/01/02/x.html) /blog/2024/01/02/x.html\n"
    )


def test_reading_collects_the_links_without_warnings() -> None:
    body = (
        'See [x]({{< ref "x" >}}).\n\n'
        '`{{< ref "code" >}}` {% post_url 2024-01-02-x %} {{< ref "a" lang="fr" >}}\n'
    )
    refs: list[tuple[str, str, int, str, str | None]] = []
    _, dropped = strip_templates(body, 3, dialects=frozenset({HUGO, LIQUID}), refs=refs)
    assert refs == [
        ("ref", "x", 3, '{{< ref "x" >}}', None),
        ("post_url", "2024-01-02-x", 5, "{% post_url 2024-01-02-x %}", None),
    ]
    # a ref with more than a path is not rendered: warned about when read
    assert [(line, message.split(":")[0]) for line, message in dropped] == [
        (5, 'template tag {{< ref "a" lang="fr" >}} was left out of the feed')
    ]
    # outside its generator's dialect a tag is not a link
    refs.clear()
    _, dropped = strip_templates(body, 3, dialects=frozenset({LIQUID}), refs=refs)
    assert [ref[0] for ref in refs] == ["post_url"]
    assert len(dropped) == 2


# --- Hugo -------------------------------------------------------------------------------


def hugo_site(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "conventions: hugo\n")
    site.post("other", title="Other", date="2024-05-01T09:00:00+02:00")
    site.post("sub/deep", title="Deep", date="2024-05-02T09:00:00+02:00")
    site.post(
        "a",
        title="A",
        date="2024-05-03T09:00:00+02:00",
        body=(
            '1 [o]({{< ref "other.md" >}}) 2 [o]({{< ref "/posts/other" >}}) '
            '3 [o]({{< relref "posts/other.md#top" >}}) 4 {{< ref "other" >}} '
            '5 [d]({{< relref "deep" >}}) 6 [d]({{< ref "sub/deep.md" >}}) '
            '7 [n]({{< ref "nowhere.md" >}}).\n'
        ),
    )


def test_hugo_ref_and_relref_link_to_the_posts(site: Site) -> None:
    hugo_site(site)
    result = build(site.config, now=NOW, use_cache=False)
    other = "https://example.org/blog/posts/other/"
    html = contents(site.output)["A"]
    assert f'1 <a href="{other}">o</a>' in html
    assert f'2 <a href="{other}">o</a>' in html
    # relref gives the path; the feed's HTML makes every link absolute
    assert f'3 <a href="{other}#top">o</a>' in html
    assert f'4 <a href="{other}">{other}</a> ' in html
    assert '5 <a href="https://example.org/blog/posts/sub/deep/">d</a>' in html
    assert '6 <a href="https://example.org/blog/posts/sub/deep/">d</a>' in html
    assert "7 n." in html
    assert warnings(result) == [
        (
            "a.md",
            5,
            'template tag {{< ref "nowhere.md" >}} was left out of the feed: feeds reads no '
            "post at nowhere.md; correct the path, or write the post's URL instead (a link "
            "keeps its text meanwhile)",
        )
    ]


# --- Jekyll -------------------------------------------------------------------------------


def test_jekyll_link_and_post_url_link_to_the_posts(site: Site) -> None:
    site.write_config(BASIC_CONFIG + "conventions: jekyll\nposts: _posts\n")
    site.posts = site.root / "_posts"
    site.post("2024-01-02-other", title="Other", date="2024-01-02T09:00:00+02:00")
    site.post("news/2024-01-03-deep", title="Deep", date="2024-01-03T09:00:00+02:00")
    site.post(
        "2024-01-04-a",
        title="A",
        date="2024-01-04T09:00:00+02:00",
        body=(
            "1 [o]({% link _posts/2024-01-02-other.md %}) 2 {% post_url 2024-01-02-other %} "
            "3 [d]({% post_url news/2024-01-03-deep %}) 4 [d]({{ site.url }}"
            "{% post_url 2024-01-03-deep %}) 5 [n]({% post_url 2024-01-09-none %}).\n"
        ),
    )
    result = build(site.config, now=NOW, use_cache=False)
    html = contents(site.output)["A"]
    assert '1 <a href="https://example.org/blog/2024/01/02/other.html">o</a>' in html
    assert "2 /blog/2024/01/02/other.html " in html
    assert '3 <a href="https://example.org/blog/2024/01/03/deep.html">d</a>' in html
    assert '4 <a href="https://example.org/blog/2024/01/03/deep.html">d</a>' in html
    assert "5 n." in html
    assert [(name, line, message.split(":")[0]) for name, line, message in warnings(result)] == [
        (
            "2024-01-04-a.md",
            5,
            "template tag {% post_url 2024-01-09-none %} was left out of the feed",
        )
    ]


# --- the build cache ----------------------------------------------------------------------


def test_a_moved_target_renders_its_linking_posts_again(site: Site) -> None:
    hugo_site(site)
    site.write_config(BASIC_CONFIG + "conventions: hugo\nmax_items: 1\narchives: true\n")
    build(site.config, now=NOW)
    assert feed_files(site.output) == cold(site)
    # the linking post is on an archive page; the target moves, its text the same
    (site.posts / "other.md").rename(site.posts / "moved.md")
    site.post("a", title="A", date="2024-05-03T09:00:00+02:00", body='{{< ref "moved" >}}\n')
    site.post("b", title="B", date="2024-05-04T09:00:00+02:00", body='{{< ref "moved" >}}\n')
    build(site.config, now=NOW)
    assert feed_files(site.output) == cold(site)
    (site.posts / "moved.md").rename(site.posts / "gone.md")
    result = build(site.config, now=NOW)
    assert feed_files(site.output) == cold(site)
    assert "https://example.org/blog/posts/moved/" not in str(feed_files(site.output))
    # the two links to it, and its own new id (see test_id_guard.py)
    assert len(warnings(result)) == 3
    assert "id changes from tag:example.org,2024-05-01:moved to" in warnings(result)[2][2]
    # a slug set in the target's front matter moves it too
    site.post("gone", title="Other", date="2024-05-01T09:00:00+02:00", slug="now-here")
    site.post("b", title="B", date="2024-05-04T09:00:00+02:00", body='{{< ref "gone" >}}\n')
    build(site.config, now=NOW)
    assert feed_files(site.output) == cold(site)
    assert b"https://example.org/blog/posts/now-here/" in feed_files(site.output)["atom.xml"]


def test_an_edit_of_a_linking_post_keeps_its_links(site: Site, full_runs: list[int]) -> None:
    hugo_site(site)
    build(site.config, now=NOW)
    old = 1_600_000_000
    for path in site.posts.rglob("*.md"):
        os.utime(path, (old, old))
    build(site.config, now=NOW)
    path = site.posts / "a.md"
    path.write_text(path.read_text(encoding="utf-8").replace("1 [o]", "one [o]"), "utf-8")
    full_runs.clear()
    result = build(site.config, now=NOW)  # the edit's replanning: the links as planned
    assert full_runs == []
    assert feed_files(site.output) == cold(site)
    assert 'one <a href="https://example.org/blog/posts/other/">o</a>' in contents(site.output)["A"]
    assert len(warnings(result)) == 1  # nowhere.md, as the full path says
    # a new link in the edit needs every post: the full path
    path.write_text(path.read_text(encoding="utf-8") + '{{< ref "sub/deep" >}}\n', "utf-8")
    build(site.config, now=NOW)
    assert full_runs == [1]
    assert feed_files(site.output) == cold(site)
