"""What a feed entry says: Markdown to safe HTML, absolute URLs, plain-text summaries.

Pure, and only run for posts that reach a feed: rendering a body is the most
expensive step per post, and a site with thousands of posts shows only the
newest few in its feeds.
"""

from __future__ import annotations

import ctypes
import re
from contextvars import ContextVar
from html import escape, unescape

import nh3
from cmarkgfm import _cmark, cmark
from cmarkgfm.cmark import Options

from ..config import SiteConfig
from ..model import Entry, Media, Post
from ..text import absolute_url, as_uri, xml_safe

_CHARACTER_REFERENCE = re.compile(r"&#([xX][0-9a-fA-F]+|[0-9]+);")
_GFM_EXTENSIONS = ["table", "strikethrough", "autolink", "tasklist"]
MORE_MARKER = re.compile(r"<!--\s*more\s*-->")
ELLIPSIS = " …"

# Attributes whose value is a URL, made absolute so that a feed reader, which
# shows the entry away from the site, can follow them (see `absolute_url`).
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_EXTRA_ATTRIBUTES = {"a": {"title"}, "img": {"title"}, "abbr": {"title"}, "code": {"class"}}
_ALLOWED_ATTRIBUTES = {
    tag: set(nh3.ALLOWED_ATTRIBUTES.get(tag, ())) | _EXTRA_ATTRIBUTES.get(tag, set())
    for tag in set(nh3.ALLOWED_ATTRIBUTES) | set(_EXTRA_ATTRIBUTES)
}
_LINK_BASES: ContextVar[tuple[str, str | None]] = ContextVar("_LINK_BASES")
"""The URLs `absolute_url` resolves the links of the post being sanitized against."""


def _absolute(_tag: str, attribute: str, value: str) -> str | None:
    if attribute not in _URL_ATTRIBUTES:
        return value
    try:
        return absolute_url(value, *_LINK_BASES.get())
    except ValueError:  # not a URL at all ("http://[x"): drop the attribute
        return None


# Made once, not per post: building a sanitizer costs more than cleaning a post with
# it. The post's URLs reach `_absolute` through `_LINK_BASES`, which holds per thread.
_SANITIZER = nh3.Cleaner(
    attributes=_ALLOWED_ATTRIBUTES,
    attribute_filter=_absolute,
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
)
_TAG_STRIPPER = nh3.Cleaner(tags=set())
# Tags that separate words visually; replaced by a space before tags are stripped.
_BLOCK_BOUNDARY = re.compile(
    r"<(?:/?(?:p|div|li|h[1-6]|blockquote|pre|tr|td|th|dd|dt|figcaption|table)|br|hr)\b[^>]*>",
    re.IGNORECASE,
)
_LEADING_HEADING = re.compile(r"^\s*<h([1-6])\b[^>]*>.*?</h\1>", re.IGNORECASE | re.DOTALL)


def make_entry(post: Post, body: str, config: SiteConfig) -> Entry:
    markdown = post.is_markdown
    html = render_html(body, post.link, config.url, markdown_body=markdown)
    summary = post.summary or summarize(body, html, config.excerpt_words)
    if post.image is not None and not _starts_with(html, post.image.url):
        html = _image_html(post.image) + html  # for readers that show no media:content
    return Entry(
        id=post.id,
        title=post.title,
        link=post.link,
        published=post.published,
        updated=post.updated,
        authors=post.authors,
        categories=post.categories,
        tags=post.tags,
        summary=summary,
        content_html=html or None,  # left out of summary-only feeds (`render._render`)
        language=post.language,
        image=post.image,
        banner=post.banner,
        attachments=post.attachments,
    )


_LEADING_IMAGE = re.compile(
    r"\s*(?:<(?:p|a|figure|picture|div)\b[^>]*>\s*)*<img\b[^>]*?\bsrc=\"(?P<src>[^\"]*)\"",
    re.IGNORECASE,
)


def _starts_with(html: str, image_url: str) -> bool:
    """Whether the body shows the image first, before any text (sanitized HTML quotes
    every attribute with `"`; an `<img>` written as HTML keeps the characters that
    Markdown percent-encodes, and the image's URL has them encoded)."""
    found = _LEADING_IMAGE.match(html)
    return found is not None and as_uri(unescape(found["src"])) == image_url


def _image_html(image: Media) -> str:
    alt = escape(image.text or "")
    return f'<p><img src="{escape(image.url)}" alt="{alt}"></p>\n'


def render_html(
    markdown: str, base_url: str, site_url: str | None = None, *, markdown_body: bool = True
) -> str:
    """Markdown (GitHub flavour, raw HTML allowed) to sanitized HTML with absolute links.

    cmark's own "safe" mode would drop all raw HTML; editors embed harmless HTML
    too, so it is let through here and the allow-list sanitizer decides. GitHub's
    tagfilter extension is left out: it turns <script> and the like into visible
    text, where the sanitizer removes them with their content. With
    `markdown_body=False` the text is HTML already and is only sanitized.
    """
    # A reference such as &#1; or &#xFFFE; would come out as a character XML
    # forbids (and the latter breaks cmark's UTF-8): such references are dropped.
    markdown = _CHARACTER_REFERENCE.sub(_allowed_reference, markdown)
    unsafe = _markdown_html(markdown) if markdown_body else markdown
    bases = _LINK_BASES.set((base_url, site_url))
    try:
        return _SANITIZER.clean(unsafe).strip()
    finally:
        _LINK_BASES.reset(bases)


_LIBRARY = ctypes.CDLL(_cmark.__file__)
_LIBRARY.cmark_node_free.argtypes = [ctypes.c_void_p]
_FREE = ctypes.CDLL(None).free
_FREE.argtypes = [ctypes.c_void_p]


def _markdown_html(markdown: str) -> str:
    """GitHub-flavoured Markdown to HTML, raw HTML kept, as cmarkgfm's
    `markdown_to_html_with_extensions` renders it, with the parsed document and the
    HTML freed once read: that function leaves both allocated (cmarkgfm 2025.10.22),
    which a build rendering every post (archive pages) would pay for with gigabytes.
    cmark allocates with the C library's allocator, whose `free` releases them."""
    options = Options.CMARK_OPT_UNSAFE
    cmark.core_extensions_ensure_registered()
    parser = cmark.parser_new(options=options)
    try:
        for name in _GFM_EXTENSIONS:
            cmark.parser_attach_syntax_extension(parser, cmark.find_syntax_extension(name))
        cmark.parser_feed(parser, markdown)
        root = cmark.parser_finish(parser)
        try:
            extensions = cmark.parser_get_syntax_extensions(parser)
            html = _cmark.lib.cmark_render_html(root, options, extensions)
            try:
                return str(_cmark.ffi.string(html).decode("utf-8"))
            finally:
                _FREE(_address(html))
        finally:
            _LIBRARY.cmark_node_free(_address(root))
    finally:
        cmark.parser_free(parser)


def _address(pointer: object) -> int:
    """A cffi pointer's address, as ctypes takes it."""
    return int(_cmark.ffi.cast("uintptr_t", pointer))


def summarize(markdown: str, html: str, words: int) -> str:
    """The text before `<!--more-->`, else the first `words` words of the post after
    a leading heading (which repeats the title far more often than it summarizes).

    " …" marks an excerpt that was cut, the same rule the site's own excerpts use.
    """
    parts = MORE_MARKER.split(markdown, maxsplit=1)
    if len(parts) == 2:
        return plain_text(render_html(parts[0], base_url=""))
    all_words = plain_text(_LEADING_HEADING.sub("", html, count=1)).split()
    if len(all_words) <= words:
        return " ".join(all_words)
    return " ".join(all_words[:words]) + ELLIPSIS


def _allowed_reference(match: re.Match[str]) -> str:
    number = match[1]
    try:
        code = int(number[1:], 16) if number[0] in "xX" else int(number)
        character = chr(code)
    except (ValueError, OverflowError):
        return ""
    return match[0] if xml_safe(character) else ""


def plain_text(html: str) -> str:
    """The words a reader sees, with whitespace collapsed and entities decoded."""
    spaced = _BLOCK_BOUNDARY.sub(" ", html)
    return " ".join(xml_safe(unescape(_TAG_STRIPPER.clean(spaced))).split())
