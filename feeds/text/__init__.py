"""Small pure helpers for text that ends up in XML and URLs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit

# XML 1.0 allows tab, newline and carriage return, and excludes the other C0
# controls, lone surrogates and the two non-characters U+FFFE/U+FFFF: lxml
# refuses such strings outright. DEL and the C1 controls are allowed but
# "discouraged" by XML and refused by YAML's reader; they never carry meaning
# in a post, so they go too.
# A raw pattern: `re` reads the escapes, so the source holds no lone surrogate (which
# mypyc cannot compile).
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_SLUG = 80
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def decode_utf8(raw: bytes) -> str:
    """The bytes as UTF-8 text without a leading byte-order mark, as the "utf-8-sig"
    codec gives them, but through CPython's C decoder ("utf-8-sig" is written in
    Python, and every post of every build is decoded). Raises UnicodeDecodeError as
    `bytes.decode` does."""
    text = raw.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def xml_safe(text: str) -> str:
    """Remove the characters XML 1.0 cannot carry, so every feed stays well-formed.

    Every character `isprintable` accepts is allowed, so text that is printable but
    for its line breaks and tabs (nearly all) is returned as it is: that test is a
    table lookup a character, where the regular expression would scan for a class.
    """
    if text.replace("\n", " ").replace("\t", " ").isprintable():
        return text
    return _XML_FORBIDDEN.sub("", text)


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens: safe as one path segment.

    Accents are folded (`Révolution` -> `revolution`); anything else becomes a
    hyphen. May return "" when nothing usable is left; callers report that.
    """
    if len(text) <= MAX_SLUG and _SLUG.fullmatch(text):  # the common case: already a slug
        return text
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", folded.lower()).strip("-")
    if len(slug) > MAX_SLUG:  # a path segment must stay well under file systems' 255 bytes
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG] else slug[:MAX_SLUG]
    return slug


@lru_cache(maxsize=4096)
def term_slug(text: str) -> str:
    """`slugify` for the names of categories, tags and authors, which thousands of
    posts repeat. File names and `slug:` values, each slugified once, are not cached:
    they would only push the names out."""
    return slugify(text)


@lru_cache(maxsize=4096)
def term_key(text: str) -> str:
    """What makes two category names the same feed: their letters and digits.

    `iOS`, `ios` and `i-OS` are one term; so are `Machine Learning` and
    `machine-learning`. The feed's path keeps the slug most posts use. Cached: a
    site's posts and streams ask for the same few terms tens of thousands of times.
    """
    return term_slug(text).replace("-", "")


def absolute_url(value: str, base_url: str, site_url: str | None) -> str:
    """A link as a reader away from the site can follow it.

    Page-relative links (`img.png`) resolve against the post's URL; root-relative
    ones (`/img.png`) against the site's `url`, path included, since generators
    write them relative to the site's base path (Jekyll's `{{ site.baseurl }}/img.png`
    is `/img.png` once the template text is gone). A root-relative link that already
    starts with that path is not given it twice.
    """
    if site_url is None or not value.startswith("/") or value.startswith("//"):
        return urljoin(base_url, value)
    if value.startswith(urlsplit(site_url).path):
        return urljoin(site_url, value)
    return site_url + value.lstrip("/")


_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"
"""What a URL holds as written: ASCII letters, digits, `-._` and these."""


def as_uri(url: str) -> str:
    """`url` as a URL (RFC 3986) rather than an IRI: its other characters (non-ASCII
    letters, `"`, `<`, `|`...) percent-encoded from UTF-8, as Markdown encodes a body's
    links; `%` escapes already written are kept."""
    return quote(url, safe=_URI_SAFE)
