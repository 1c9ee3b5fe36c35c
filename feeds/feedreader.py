"""Reading a feed file as feed readers do: the entries they key on, safely.

A feed in the output folder, or a copy a user saved, is untrusted input: XML is parsed
with no entity expansion, no DTD or entity ever loaded from a file or the network, and
lxml's default size limits (no `huge_tree`); a document that declares entities is
refused, since no feed needs them and they are what XML bombs and XXE attacks are made
of. Read are Atom 1.0 and 0.3, RSS 2.0/0.9x, RSS 1.0/RDF and JSON Feed.
"""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree

MAX_FEED_BYTES = 100 * 1024 * 1024
"""A saved feed larger than this is refused unread: real feeds are a few megabytes at most."""

ATOM = "http://www.w3.org/2005/Atom"
ATOM_03 = "http://purl.org/atom/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS_10 = "http://purl.org/rss/1.0/"
RSS_090 = "http://my.netscape.com/rdf/simple/0.9/"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"


class FeedError(Exception):
    """A file that cannot be read as a feed; the message says why."""


class ReadEntry(NamedTuple):
    """One entry of a feed as feed readers know it."""

    id: str
    """What readers key the entry on: Atom `id`, RSS `guid` (else the link), RDF
    `rdf:about` (else the link), JSON Feed `id`; "" if it has none of them."""
    link: str | None
    title: str
    date: datetime | None
    text: str | None = None
    """Its content, else its summary, as the feed writes it (HTML or text); None if
    it has neither."""


_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def title_key(title: str) -> str:
    """A title as people read it (matching only)."""
    text = unicodedata.normalize("NFKC", html.unescape(title)).translate(_TYPOGRAPHY)
    return " ".join(text.replace("…", "...").split()).casefold()


def read_feed(path: Path) -> list[ReadEntry]:
    """The entries of the feed in the file at `path`; raises `FeedError`."""
    try:
        with path.open("rb") as file:
            # As much as the file holds: `read(MAX_FEED_BYTES + 1)` alone would allocate
            # a buffer of that size for every feed, and the id guard reads hundreds.
            size = os.fstat(file.fileno()).st_size
            data = file.read(min(size, MAX_FEED_BYTES) + 1) if size else b""
            if not size or len(data) > size:  # not a regular file, or one that grew
                data += file.read(MAX_FEED_BYTES + 1 - len(data))
    except OSError as error:
        raise FeedError(f"cannot read the file: {error.strerror or error}") from None
    return parse_feed(data)


def parse_feed(data: bytes) -> list[ReadEntry]:
    """The entries of the feed `data` holds; raises `FeedError`."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"larger than {MAX_FEED_BYTES // 1024 // 1024} MB")
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        return _json_entries(data)
    if not data.strip():
        raise FeedError("the file is empty")
    return _xml_entries(data)


def _json_entries(data: bytes) -> list[ReadEntry]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FeedError(f"not JSON: {_first_line(error)}") from None
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise FeedError("JSON without an 'items' list, so no JSON Feed")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = _json_text(item.get("url"))
        title = _json_text(item.get("title")) or "(untitled)"
        # JSON Feed 1.0 feeds were seen with numeric ids; readers use them as text.
        entry_id = _json_text(item.get("id")) or link or ""
        date = _iso_date(_json_text(item.get("date_published")))
        text = next(filter(None, map(item.get, ("content_html", "content_text", "summary"))), None)
        title = " ".join(title.split())
        entries.append(ReadEntry(entry_id, link, title, date, _json_text(text)))
    return entries


def _json_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        return str(value).strip() or None
    return None


def _xml_entries(data: bytes) -> list[ReadEntry]:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )
    # libxml2 reads external parameter entities and DTDs even with all of the above
    # off: this resolver answers every such request with nothing, so no file (think
    # /dev/zero, /etc/passwd) and no URL is ever opened.
    parser.resolvers.add(_NothingResolver())
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        # jekyll-feed, for one, writes a bare `&` into links; feed readers read it as
        # the character, and so does this, but nothing else that is not XML.
        try:
            root = etree.fromstring(_BARE_AMPERSAND.sub(b"&amp;", data), parser)
        except etree.XMLSyntaxError:
            raise FeedError(f"not well-formed XML: {_first_line(error)}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[union-attr]
        raise FeedError("it declares XML entities, which no feed needs; refused as unsafe")
    if root.tag == f"{{{ATOM}}}feed":
        return [_atom_entry(entry, ATOM) for entry in root.iterchildren(f"{{{ATOM}}}entry")]
    if root.tag == f"{{{ATOM_03}}}feed":
        return [_atom_entry(e, ATOM_03) for e in root.iterchildren(f"{{{ATOM_03}}}entry")]
    if root.tag == "rss":
        channel = root.find("channel")
        items = channel.iterchildren("item") if channel is not None else iter(())
        return [_rss_entry(item) for item in items]
    if root.tag == f"{{{RDF}}}RDF":
        items = [item for ns in (RSS_10, RSS_090) for item in root.iter(f"{{{ns}}}item")]
        return [_rdf_entry(item) for item in items]
    raise FeedError(f"an XML document whose root is <{etree.QName(root).localname}>, no feed")


_BARE_AMPERSAND = re.compile(rb"&(?!#[0-9]+;|#x[0-9A-Fa-f]+;|[A-Za-z_][A-Za-z0-9._-]*;)")
"""An `&` that starts no character or entity reference."""


class _NothingResolver(etree.Resolver):
    """Every external DTD or entity is empty: nothing is fetched or read."""

    def resolve(  # type: ignore[override]  # lxml-stubs lack `context`
        self, system_url: str, public_id: str, context: Any
    ) -> Any:
        return self.resolve_string("", context, base_url=system_url)


def _atom_entry(entry: etree._Element, ns: str) -> ReadEntry:
    links = entry.findall(f"{{{ns}}}link")
    alternate = [link for link in links if link.get("rel", "alternate") == "alternate"]
    chosen = alternate or links
    link = _clean(chosen[0].get("href")) if chosen else None
    entry_id = _text(entry.find(f"{{{ns}}}id")) or link or ""
    title_element = entry.find(f"{{{ns}}}title")
    title = _text(title_element, all_text=True) or "(untitled)"
    if title_element is not None and title_element.get("type") in ("html", "text/html"):
        title = " ".join(html.unescape(re.sub(r"<[^>]*>", "", title)).split())
    date = None
    for name in ("published", "issued", "updated", "modified"):
        date = date or _iso_date(_text(entry.find(f"{{{ns}}}{name}")))
    text = _text(entry.find(f"{{{ns}}}content")) or _text(entry.find(f"{{{ns}}}summary"))
    return ReadEntry(entry_id, link, title, date, text)


def _rss_entry(item: etree._Element) -> ReadEntry:
    link = _text(item.find("link"))
    guid = item.find("guid")
    guid_text = _text(guid)
    # RSS 2.0: a guid is a permalink unless isPermaLink="false"; readers then use it
    # as the link of an item that has none.
    if link is None and guid_text and guid is not None and guid.get("isPermaLink") != "false":
        link = guid_text
    # Without a guid, readers key the item on its link.
    entry_id = guid_text or link or ""
    title = _rss_title(item.find("title"))
    date = _rfc822_date(_text(item.find("pubDate"))) or _iso_date(_text(item.find(f"{{{DC}}}date")))
    text = _text(item.find(f"{{{CONTENT}}}encoded")) or _text(item.find("description"))
    return ReadEntry(entry_id, link, title, date, text)


def _rdf_entry(item: etree._Element) -> ReadEntry:
    ns = _namespace(item)
    link = _text(item.find(f"{{{ns}}}link"))
    # feedparser, and the readers built on it, key an RSS 1.0 item on rdf:about.
    entry_id = _clean(item.get(f"{{{RDF}}}about")) or link or ""
    title = _rss_title(item.find(f"{{{ns}}}title"))
    return ReadEntry(entry_id, link, title, _iso_date(_text(item.find(f"{{{DC}}}date"))))


def _namespace(element: etree._Element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _rss_title(element: etree._Element | None) -> str:
    """RSS titles are plain text by the spec and HTML-escaped in practice; readers unescape."""
    title = _text(element, all_text=True)
    return " ".join(html.unescape(title).split()) if title else "(untitled)"


def _text(element: etree._Element | None, *, all_text: bool = False) -> str | None:
    if element is None:
        return None
    text = "".join(map(str, element.itertext())) if all_text else element.text
    return _clean(text)


def _clean(text: str | None) -> str | None:
    """Text as readers take it: without the whitespace around it; none if empty."""
    if text is None:
        return None
    return text.strip() or None


def _iso_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _rfc822_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _first_line(error: BaseException) -> str:
    return str(error).split("\n", 1)[0] or type(error).__name__
