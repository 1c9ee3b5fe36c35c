"""What a feed entry says: Markdown to safe HTML, absolute URLs, plain-text summaries.

Pure, and only run for posts that reach a feed: rendering a body is the most
expensive step per post, and a site with thousands of posts shows only the
newest few in its feeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urljoin

import nh3
from markdown_it import MarkdownIt

from .config import SiteConfig
from .fields import Person
from .posts import Category, Post
from .text import xml_safe

MORE_MARKER = re.compile(r"<!--\s*more\s*-->")
ELLIPSIS = " …"

# Attributes whose value is a URL, made absolute against the post's own URL so
# that a feed reader, which shows the entry away from the site, can follow them.
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_EXTRA_ATTRIBUTES = {"a": {"title"}, "img": {"title"}, "abbr": {"title"}, "code": {"class"}}
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "hr",
        "dd",
        "dt",
        "figure",
        "figcaption",
    }
)


@dataclass(frozen=True)
class Entry:
    """One post as every feed format shows it; `content_html` is None in summary-only feeds."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    author: Person | None
    categories: tuple[Category, ...]
    tags: tuple[str, ...]
    summary: str
    content_html: str | None


def make_entry(post: Post, config: SiteConfig) -> Entry:
    body = xml_safe(post.body)
    html = render_html(body, base_url=post.link)
    return Entry(
        id=post.id,
        title=post.title,
        link=post.link,
        published=post.published,
        updated=post.updated,
        author=post.author,
        categories=post.categories,
        tags=post.tags,
        summary=post.summary or summarize(body, html, config.excerpt_words),
        content_html=None if config.summary_only or not html else html,
    )


def render_html(markdown: str, base_url: str) -> str:
    """Markdown (raw HTML allowed) to sanitized HTML with absolute links."""
    unsafe = _markdown().render(markdown)

    def absolute(_tag: str, attribute: str, value: str) -> str:
        return urljoin(base_url, value) if attribute in _URL_ATTRIBUTES else value

    attributes = {tag: set(allowed) for tag, allowed in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, extra in _EXTRA_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(extra)
    return nh3.clean(
        unsafe,
        attributes=attributes,
        attribute_filter=absolute,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    ).strip()


def summarize(markdown: str, html: str, words: int) -> str:
    """The text before `<!--more-->`, else the first `words` words of the post.

    " …" marks an excerpt that was cut, the same rule the site's own excerpts use.
    """
    parts = MORE_MARKER.split(markdown, maxsplit=1)
    if len(parts) == 2:
        return plain_text(render_html(parts[0], base_url=""))
    all_words = plain_text(html).split()
    if len(all_words) <= words:
        return " ".join(all_words)
    return " ".join(all_words[:words]) + ELLIPSIS


def plain_text(html: str) -> str:
    """The words a reader sees, with whitespace collapsed."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


@cache
def _markdown() -> MarkdownIt:
    """CommonMark plus tables and strikethrough; built once, it is costly to set up."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
