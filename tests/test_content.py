"""Entry content: Markdown to safe HTML with absolute URLs, and plain-text summaries."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from feeds.render.content import plain_text, render_html, summarize

POST_URL = "https://example.org/blog/2024/my-post/"


def test_markdown_is_rendered_github_flavoured() -> None:
    html = render_html("# Head\n\n*a* **b** ~~c~~\n\n| x | y |\n|---|---|\n| 1 | 2 |\n", POST_URL)
    assert "<h1>Head</h1>" in html
    assert "<em>a</em> <strong>b</strong> <del>c</del>" in html
    assert "<td>1</td>" in html


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("[a](other/)", '<a href="https://example.org/blog/2024/my-post/other/">a</a>'),
        ("[a](../up)", '<a href="https://example.org/blog/2024/up">a</a>'),
        ("[a](/root)", '<a href="https://example.org/root">a</a>'),
        ("[a](#part)", '<a href="https://example.org/blog/2024/my-post/#part">a</a>'),
        ("![i](pic.png)", '<img src="https://example.org/blog/2024/my-post/pic.png" alt="i">'),
        ('<img src="/i.png">', '<img src="https://example.org/i.png">'),
        ("[a](https://else.example/x)", '<a href="https://else.example/x">a</a>'),
        ("[mail](mailto:x@example.org)", '<a href="mailto:x@example.org">mail</a>'),
    ],
)
def test_relative_urls_become_absolute(markdown: str, expected: str) -> None:
    assert expected in render_html(markdown, POST_URL)


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        "<style>body{display:none}</style>",
        '<iframe src="https://evil.example/"></iframe>',
        '<a href="javascript:alert(1)">x</a>',
        '<img src="x.png" onerror="alert(1)">',
        '<p onclick="alert(1)">x</p>',
        "[x](javascript:alert(1))",
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        '<object data="x.swf"></object>',
        '<form action="/steal"><input name="p"></form>',
    ],
)
def test_dangerous_html_is_removed(dangerous: str) -> None:
    tags = " ".join(re.findall(r"<[^>]*>", render_html(dangerous, POST_URL).lower()))
    for marker in (
        "<script",
        "<style",
        "<iframe",
        "javascript:",
        "onerror",
        "onclick",
        "data:",
        "<object",
        "<form",
        "<input",
    ):
        assert marker not in tags


def test_ordinary_formatting_links_and_images_survive_sanitizing() -> None:
    source = (
        '<p>A <b>b</b> <i>i</i> <a href="https://x.example/" title="t">l</a> '
        '<img src="https://x.example/i.png" alt="a" title="t"> <code class="language-py">c'
        "</code></p>\n\n> quote\n\n- item\n"
    )
    html = render_html(source, POST_URL)
    for kept in (
        "<b>b</b>",
        "<i>i</i>",
        'title="t"',
        'alt="a"',
        '<code class="language-py">',
        "<blockquote>",
        "<li>item</li>",
    ):
        assert kept in html


def test_summary_before_more_marker() -> None:
    body = "First *part* here.\n\n<!-- more -->\n\nSecond part.\n"
    assert summarize(body, render_html(body, POST_URL), 55) == "First part here."


def test_auto_excerpt_cuts_with_an_ellipsis_only_when_words_were_cut() -> None:
    body = " ".join(f"w{i}" for i in range(60))
    html = render_html(body, POST_URL)
    assert summarize(body, html, 55) == " ".join(f"w{i}" for i in range(55)) + " …"
    assert summarize(body, html, 60) == body
    assert summarize("", "", 55) == ""


def test_plain_text_separates_blocks_and_decodes_entities() -> None:
    assert plain_text("<p>a&amp;b</p><p>c<br>d</p><ul><li>e</li></ul>") == "a&b c d e"


def test_each_post_links_against_its_own_url_when_threads_render_at_once() -> None:
    """One sanitizer serves every post; the URLs its links resolve against are the
    calling thread's own."""

    def links(number: int) -> tuple[int, list[str]]:
        post_url = f"https://example.org/posts/p{number}/"
        html = render_html(f"[a](img{number}.png) ![b](/media/{number}.png)\n" * 40, post_url)
        return number, re.findall(r'(?:href|src)="([^"]*)"', html)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for number, found in pool.map(links, range(300)):
            assert len(found) == 80
            assert set(found) == {
                f"https://example.org/posts/p{number}/img{number}.png",
                f"https://example.org/media/{number}.png",
            }
