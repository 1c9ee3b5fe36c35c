"""The output folder's names: feed files, term and archive folders, the pages beside them.

Kept apart from the stages that write those files because a run that finds nothing
changed still needs the names, to spot leftover and stale files, and must not pay
for loading the stream planner, the serializers and the page templates to learn them.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMAT_NAMES = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}
"""site.yaml's `formats:` names, and the file each writes in a feed's folder."""

FEED_FILES = tuple(FORMAT_NAMES.values())

XML_FEED_FILES = ("atom.xml", "rss.xml")
"""Formats that can carry RFC 5005 archive links and the browser stylesheet."""

SECTIONS = ("categories", "tags", "authors")
"""Output folders holding one feed folder per term; stale feeds are looked for there."""

ARCHIVE_FOLDER = "archive"

STYLESHEET = "feed.css"
OPML = "feeds.opml"

INDEX_MARK = b'<meta name="generator" content="feeds">'
"""In the head of every index page feeds writes; a page without it is the site's own."""


def is_our_index(page: bytes) -> bool:
    """An index page feeds wrote, as opposed to a site's own page it must not overwrite."""
    return INDEX_MARK in page[:2048]


def output_patterns(index_page: str | None) -> list[str]:
    """Glob patterns of every file a build can write, for finding stale ones; with the
    index page only when it is feeds' own (see `is_our_index`)."""
    folders = ["", f"{ARCHIVE_FOLDER}/*/"]
    for section in SECTIONS:
        folders += [f"{section}/*/", f"{section}/*/{ARCHIVE_FOLDER}/*/"]
    patterns = [folder + name for folder in folders for name in FEED_FILES]
    patterns += [STYLESHEET, OPML]
    return [*patterns, index_page] if index_page else patterns


def split_outputs(paths: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Feed files, and the pages written beside them."""
    ordered = sorted(paths)
    feeds = tuple(path for path in ordered if path.rsplit("/", 1)[-1] in FEED_FILES)
    return feeds, tuple(path for path in ordered if path not in feeds)
