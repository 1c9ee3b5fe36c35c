"""Feeds as bytes: one small serializer per format. Pure.

feedgen writes the XML, but its API is a stateful builder whose defaults leak
the clock and the library's version into every feed. Each serializer here
sets every value explicitly from a `Feed`, so the bytes depend on the
input alone:

- entries are appended (feedgen prepends by default, reversing the order);
- the feed's and each entry's `updated` are always set (feedgen's default is now);
- the generator carries no version, so upgrading feedgen does not rewrite feeds;
- the RSS channel link is the site (feedgen uses whichever link came last);
- content is escaped text, never CDATA (which breaks on a literal "]]>");
- RSS authors without an email become dc:creator (RSS <author> must be an email).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .fields import Person

if TYPE_CHECKING:  # imported when a feed is rendered, not when feeds is
    from feedgen.entry import FeedEntry
    from feedgen.feed import FeedGenerator

    from .content import Entry

GENERATOR = "feeds"


@dataclass(frozen=True)
class Feed:
    """A feed in no particular format; `updated` is its newest entry's."""

    title: str
    description: str
    site_url: str
    self_url: str
    author: Person
    language: str | None
    updated: datetime
    entries: tuple[Entry, ...]


def render_atom(feed: Feed) -> bytes:
    """Atom 1.0 (RFC 4287); dates keep the offset they were written with."""
    generator = _generator(feed, "application/atom+xml")
    for entry in feed.entries:
        item = _entry(generator, entry)
        item.published(entry.published)
        item.updated(entry.updated)
        if entry.author is not None:
            item.author(_person(entry.author))
        if entry.summary:
            item.summary(entry.summary, type="text")
        if entry.content_html:
            item.content(entry.content_html, type="html")
    return generator.atom_str(pretty=True)


def render_rss(feed: Feed) -> bytes:
    """RSS 2.0 following the RSS Advisory Board's best practices; dates in GMT."""
    generator = _generator(feed, "application/rss+xml")
    generator.lastBuildDate(_gmt(feed.updated))
    if feed.author.email:
        generator.managingEditor(f"{feed.author.email} ({feed.author.name})")
    generator.load_extension("dc", atom=False, rss=True)
    for entry in feed.entries:
        item = _entry(generator, entry)
        item.published(_gmt(entry.published))
        if entry.author is not None and entry.author.email:
            item.author(_person(entry.author))
        elif entry.author is not None:
            item.dc.dc_creator(entry.author.name)
        if entry.summary:
            # description is HTML by convention: escape so text stays text in readers.
            item.description(html.escape(entry.summary, quote=False))
        if entry.content_html:
            item.content(entry.content_html)
    return generator.rss_str(pretty=True)


FORMATS: dict[str, Callable[[Feed], bytes]] = {"atom.xml": render_atom, "rss.xml": render_rss}
"""Each feed file name and the serializer that writes it."""


def _generator(feed: Feed, self_type: str) -> FeedGenerator:
    from feedgen.feed import FeedGenerator

    generator = FeedGenerator()
    generator.id(feed.self_url)
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
    return generator


def _entry(generator: FeedGenerator, entry: Entry) -> FeedEntry:
    item = generator.add_entry(order="append")
    item.id(entry.id)
    item.title(entry.title)
    item.link(href=entry.link, rel="alternate", type="text/html")
    item.updated(entry.updated)
    for category in entry.categories:
        item.category(term=category.slug, label=category.name)
    for tag in entry.tags:
        item.category(term=tag)
    return item


def _person(person: Person) -> dict[str, str]:
    return {"name": person.name, "email": person.email} if person.email else {"name": person.name}


def _gmt(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
