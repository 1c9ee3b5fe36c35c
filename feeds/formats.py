"""What a build writes and under which names: one record per feed format, and the
output folder's layout (term and archive folders, the pages beside the feeds).

Every fact about a format lives in its record here; the planner, the renderers, the
pages and the check for stale files all ask it. Light on purpose: a run that finds
nothing changed needs the names to spot stale files, not the serializers, which a
record imports only when asked to render.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .model import Feed


class Format(NamedTuple):
    """A feed format: `name` in site.yaml's `formats:`, the `file` it writes in each feed
    folder, how servers and pages announce it, and whether it can carry RFC 5005
    archive links and the browser stylesheet (`archivable`: the XML formats)."""

    name: str
    file: str
    media_type: str
    label: str
    archivable: bool
    opml_type: str
    """The outline type an OPML reader subscribes to it as."""
    module: str
    """The module of feeds.render whose `render_<name>` writes it."""

    def serialize(self, feed: Feed) -> bytes:
        module = importlib.import_module(f"feeds.render.{self.module}")
        render: Callable[[Feed], bytes] = getattr(module, f"render_{self.name}")
        return render(feed)


FORMATS = (
    Format("atom", "atom.xml", "application/atom+xml", "Atom", True, "rss", "xml"),
    Format("rss", "rss.xml", "application/rss+xml", "RSS", True, "rss", "xml"),
    Format("json", "feed.json", "application/feed+json", "JSON Feed", False, "json", "jsonfeed"),
)
BY_NAME = {format.name: format for format in FORMATS}
BY_FILE = {format.file: format for format in FORMATS}
FEED_FILES = tuple(BY_FILE)

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
