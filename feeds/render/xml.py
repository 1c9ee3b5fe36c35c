"""Atom and RSS as bytes, through feedgen. Pure.

feedgen writes the XML, but its API is a stateful builder whose defaults leak
the clock and the library's version into every feed. The serializers here set
every value explicitly from a `Feed`, so the bytes depend on the input alone:

- entries are appended (feedgen prepends by default, reversing the order);
- the feed's and each entry's `updated` are always set (feedgen's default is now);
- the generator carries no version, so upgrading feedgen does not rewrite feeds;
- the RSS channel link is the site (feedgen uses whichever link came last), and
  further links (WebSub hub, RFC 5005 archives) go through a feedgen extension;
- content is escaped text, never CDATA (which breaks on a literal "]]>");
- RSS authors without an email become dc:creator (RSS <author> must be an email), as
  do several authors (RSS allows one <author>); Atom has an <author> for each;
- attachments are Atom `link rel="enclosure"` each and RSS's one <enclosure> (the
  first, as RSS allows one); the image is Media RSS's `media:content` (with its alt
  text as `media:description`) and `media:thumbnail`, in both.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from feedgen.feed import FeedGenerator
from lxml import etree

from ..formats import BY_NAME
from ..model import Entry, Feed, Media, Person

if TYPE_CHECKING:
    from feedgen.entry import FeedEntry

GENERATOR = "feeds"
ATOM_NS = "http://www.w3.org/2005/Atom"
HISTORY_NS = "http://purl.org/syndication/history/1.0"
MEDIA_NS = "http://search.yahoo.com/mrss/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def render_atom(feed: Feed) -> bytes:
    """Atom 1.0 (RFC 4287); dates keep the offset they were written with."""
    generator = _generator(feed, BY_NAME["atom"].media_type)
    for entry in feed.entries:
        item = _entry(generator, entry, feed)
        item.published(entry.published)
        item.updated(entry.updated)
        if entry.authors:
            item.author([_person(author) for author in entry.authors])
        if entry.summary:
            item.summary(entry.summary, type="text")
        if entry.content_html:
            item.content(entry.content_html, type="html")
    return _with_stylesheet(generator.atom_str(pretty=True), feed)


def render_rss(feed: Feed) -> bytes:
    """RSS 2.0 following the RSS Advisory Board's best practices; dates in GMT."""
    generator = _generator(feed, BY_NAME["rss"].media_type)
    generator.lastBuildDate(_gmt(feed.updated))
    if feed.author.email:
        generator.managingEditor(f"{feed.author.email} ({feed.author.name})")
    generator.load_extension("dc", atom=False, rss=True)
    for entry in feed.entries:
        item = _entry(generator, entry, feed)
        item.published(_gmt(entry.published))
        if len(entry.authors) == 1 and entry.authors[0].email:
            item.author(_person(entry.authors[0]))
        elif entry.authors:
            item.dc.dc_creator([author.name for author in entry.authors])
        if entry.attachments:
            first = entry.attachments[0]
            item.enclosure(first.url, str(first.length), first.type)
        if (language := entry.own_language(feed.language)) is not None:
            item.dc.dc_language(language)
        if entry.summary:
            # description is HTML by convention: escape so text stays text in readers.
            item.description(html.escape(entry.summary, quote=False))
        if entry.content_html:
            item.content(entry.content_html)
    return _with_stylesheet(generator.rss_str(pretty=True), feed)


def _generator(feed: Feed, self_type: str) -> FeedGenerator:
    generator = FeedGenerator()
    generator.id(feed.id)
    generator.title(feed.title)
    generator.subtitle(feed.description)
    generator.description(feed.description)
    generator.updated(feed.updated)
    generator.author(_person(feed.author))
    generator.generator(GENERATOR)
    if feed.language:
        generator.language(feed.language)
    generator.link(href=feed.self_url, rel="self", type=self_type)
    # Last, because feedgen makes the last link added the RSS channel link.
    generator.link(href=feed.site_url, rel="alternate", type="text/html")
    links = ((("hub", feed.hub),) if feed.hub else ()) + feed.links
    if links or feed.archive:
        generator.register_extension("extras", _ExtraLinks, atom=True, rss=True)
        generator.extras.links = links
        generator.extras.archive = feed.archive
    if any(_entry_extras(entry, feed) for entry in feed.entries):
        generator.register_extension("entries", _EntryNamespaces, _EntryExtras, atom=True, rss=True)
        if any(entry.image is not None for entry in feed.entries):
            generator.entries.namespaces = {"media": MEDIA_NS}
    return generator


def _entry_extras(entry: Entry, feed: Feed) -> bool:
    """Whether the entry has what `_EntryExtras` writes."""
    own_language = entry.own_language(feed.language)
    return entry.image is not None or bool(entry.attachments) or own_language is not None


class _EntryNamespaces:
    """Declares, on the root, the namespaces the entries' extras use."""

    def __init__(self) -> None:
        self.namespaces: dict[str, str] = {}

    def extend_ns(self) -> dict[str, str]:
        return self.namespaces

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        return feed

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        return rss


class _EntryExtras:
    """What feedgen cannot write of an entry: its image as Media RSS gives it, which
    readers that show a picture per item look for (`media:content`, `media:thumbnail`);
    in Atom, its attachments as `link rel="enclosure"` (feedgen drops every attribute of
    an entry's links but `href`, so an enclosure would read as the alternate link) and
    its `xml:lang` when the post's language is not the feed's."""

    image: Media | None = None
    attachments: tuple[Media, ...] = ()
    language: str | None = None

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        if self.language is not None:
            entry.set(XML_LANG, self.language)
        for attachment in self.attachments:
            link = etree.SubElement(entry, "link", rel="enclosure", href=attachment.url)
            link.set("type", attachment.type or "")
            link.set("length", str(attachment.length))
            if attachment.text:
                link.set("title", attachment.text)
        return self._image(entry)

    def extend_rss(self, item: etree._Element) -> etree._Element:
        return self._image(item)  # the enclosure is feedgen's

    def _image(self, entry: etree._Element) -> etree._Element:
        image = self.image
        if image is None:
            return entry
        content = etree.SubElement(entry, f"{{{MEDIA_NS}}}content", url=image.url, medium="image")
        if image.type:
            content.set("type", image.type)
        if image.length is not None:
            content.set("fileSize", str(image.length))
        if image.text:
            description = etree.SubElement(content, f"{{{MEDIA_NS}}}description", type="plain")
            description.text = image.text
        etree.SubElement(entry, f"{{{MEDIA_NS}}}thumbnail", url=image.url)
        return entry


class _ExtraLinks:
    """feedgen extension adding atom:link elements and fh:archive to Atom and RSS alike."""

    links: tuple[tuple[str, str], ...] = ()
    archive = False

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NS} if self.archive else {}

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        # feedgen's Atom elements carry no namespace of their own (the root declares
        # it as the default), so ours must not either, or lxml invents a prefix.
        self._add(feed, "link")
        return feed

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        self._add(rss[0], f"{{{ATOM_NS}}}link")  # in the channel, as atom:link
        return rss

    def _add(self, parent: etree._Element, link_tag: str) -> None:
        for rel, href in self.links:
            etree.SubElement(parent, link_tag, rel=rel, href=href)
        if self.archive:
            etree.SubElement(parent, f"{{{HISTORY_NS}}}archive")


def _with_stylesheet(document: bytes, feed: Feed) -> bytes:
    """Browsers style the feed with this CSS; feed readers ignore the instruction."""
    if not feed.stylesheet:
        return document
    declaration, rest = document.split(b"\n", 1)
    instruction = f'<?xml-stylesheet type="text/css" href="{html.escape(feed.stylesheet)}"?>'
    return declaration + b"\n" + instruction.encode() + b"\n" + rest


def _entry(generator: FeedGenerator, entry: Entry, feed: Feed) -> FeedEntry:
    item = generator.add_entry(order="append")
    if _entry_extras(entry, feed):
        item.entries.image, item.entries.attachments = entry.image, entry.attachments
        item.entries.language = entry.own_language(feed.language)
    item.id(entry.id)
    item.title(entry.title)
    item.link(href=entry.link, rel="alternate", type="text/html")
    item.updated(entry.updated)
    # In one call: feedgen re-derives the RSS list of every category at each one.
    categories = [{"term": category.slug, "label": category.name} for category in entry.categories]
    categories += [{"term": tag} for tag in entry.tags]
    if categories:
        item.category(categories)
    return item


def _person(person: Person) -> dict[str, str]:
    return {"name": person.name, "email": person.email} if person.email else {"name": person.name}


def _gmt(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
