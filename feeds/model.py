"""The records every stage shares: a post, a stream, an entry, a feed, a problem, a result.

Named tuples, not dataclasses: a site has tens of thousands of posts, and a tuple is
the cheapest object to make, to send between processes and to keep in the build
cache; and a run that finds nothing changed imports this module, which must stay
light. Each stage's own working types live with the stage.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple


class ConfigNotFoundError(FileNotFoundError):
    """No site.yaml where one was expected: a usage error, not bad input."""


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    ALERT = "alert"
    """A warning told on every run, `--quiet` or not: something private is being published."""
    NOTE = "note"
    """Not a problem: what was left out and why (a file that is no post), shown with -v."""


class Problem(NamedTuple):
    """One thing wrong with one file, at one line when the line is known.

    `message` says what is wrong and what to write instead, so that the printed
    form `path:line: message` is enough to fix the file without reading docs.
    Every stage collects problems instead of raising on the first one, so a single
    run reports everything that is wrong with a site at once.
    """

    path: Path
    line: int | None
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self, relative_to: Path | None = None) -> str:
        where = display_path(self.path, relative_to)
        if self.line is not None:
            where = f"{where}:{self.line}"
        prefix = _PREFIXES[self.severity]
        return printable(f"{where}: {prefix}{self.message}")


_PREFIXES = {
    Severity.ERROR: "",
    Severity.WARNING: "warning: ",
    Severity.ALERT: "warning: ",
    Severity.NOTE: "note: ",
}


def printable(text: str) -> str:
    """`text` fit to print and to write as UTF-8, which refuse lone surrogates: Python
    holds the bytes of a file name that are not UTF-8 as such (`os.fsdecode`), and
    they are shown as those bytes' escapes (`caf\\xe9.md`), any other as `\\ud800`."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub(r"[\ud800-\udfff]", _escape, text)
    return text


def _escape(surrogate: re.Match[str]) -> str:
    code = ord(surrogate[0])
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def display_path(path: Path, relative_to: Path | None = None) -> str:
    """Show paths the way the user typed them: relative when below the working folder."""
    base = relative_to if relative_to is not None else Path.cwd()
    if path.is_absolute() and path.is_relative_to(base):
        return os.path.relpath(path, base)
    return str(path)


class Person(NamedTuple):
    """An author: a name, and an email address when one is known."""

    name: str
    email: str | None = None


Stamp = tuple[int, ...]
"""A file's size, mtime, inode and ctime (see `source.listing.file_stamp`): together
they change whenever the file's bytes do."""


class Media(NamedTuple):
    """A file a post shows or carries: its image, or an attachment (audio, video, a PDF).

    `url` is absolute. `type` (MIME) and `length` (bytes) are read from the file when it
    is one of the site's own, else taken from front matter: an attachment has both, as
    readers download by them; a remote image may have neither. `text` is an image's alt
    text or an attachment's title. `file` is the site's file it was read from, relative
    to the folder of site.yaml, and `stamp` that file's stat then: replacing the file
    changes the feeds that show it."""

    url: str
    type: str | None = None
    length: int | None = None
    text: str | None = None
    file: str | None = None
    stamp: Stamp | None = None


class MediaRef(NamedTuple):
    """A file as front matter names it (see `source.media`), before it is looked for:
    the post keeps these, and each build finds the files again."""

    kind: str
    """`image`, `banner` or `attachment`."""
    written: str
    key: str
    """The key as messages name it: `image`, `attachments[2]`."""
    line: int
    type: str | None = None
    length: int | None = None
    text: str | None = None


class Category(NamedTuple):
    """A category as it appears in paths (`slug`) and to people (`name`)."""

    slug: str
    name: str


class Post(NamedTuple):
    """A post's front matter, checked (see `source.keys`). The body is not kept: it is
    read again for the few posts that reach a feed, so memory does not grow with the
    site."""

    source: str
    """The file's path, as listed."""
    stamp: Stamp
    """The file's stat when it was read: changes whenever the body does."""
    slug: str
    id: str
    link: str
    title: str
    published: datetime
    instant: int
    """`published` as whole microseconds since the epoch (`dates.instant`): what feeds
    are ordered and scheduled by, exact and cheap to compare across time zones."""
    updated: datetime
    categories: tuple[Category, ...]
    tags: tuple[str, ...]
    authors: tuple[Person, ...]
    """Its authors, first named first; the site's `author` when it names none."""
    summary: str | None
    body_line: int
    language: str | None = None
    """Its language, when front matter gives one; else the site's."""
    draft: bool = False
    expires: datetime | None = None
    """Hugo's `expiryDate`: the post leaves every feed at this moment."""
    refs: tuple[tuple[str, str, int, str, str | None], ...] = ()
    """Its body's links to other posts (`{{< ref >}}`, `{% post_url %}`...), as
    `(tag, target, line, tag as shown, link)`: the link is None until the site's plan
    finds the post at `target` (see `plan.refs`), and stays None if there is none."""
    media: tuple[MediaRef, ...] = ()
    """The image, banner and attachments its front matter names; the fields below are
    them as found, which reading the files (`source.media.find_media`) fills in."""
    image: Media | None = None
    banner: Media | None = None
    """A wide image for the top of the entry (JSON Feed's `banner_image`)."""
    attachments: tuple[Media, ...] = ()
    id_given: bool = False
    """Whether front matter's `id:` gave its id, rather than the slug and date (or the
    `id_scheme`) making it: a post's id can then change only as the author writes."""

    @property
    def made_from(self) -> tuple[object, ...]:
        """Everything its entries depend on besides feeds' code and the config (which key
        the build cache): its file's stamp, the links to other posts its body shows,
        which change with those posts' files, and its media files as found."""
        return (self.source, self.stamp, self.refs, self.image, self.banner, self.attachments)

    @property
    def is_markdown(self) -> bool:
        """`.html` posts are HTML (Jekyll's rule): no Markdown code blocks in them."""
        return os.path.splitext(self.source)[1] != ".html"


class PostKey(NamedTuple):
    """What decides which feeds show a post, and where: all a build keeps of a post no
    feed shows, so that its memory grows with its feeds, not with the site. The posts
    the feeds show are read whole again (see `plan.plan_site`). Its tags and authors are
    () where no feed is chosen by them (see `source.reading.key_of`).

    `link_hash` and `id_hash` are `hash()`es of its link and id, enough to tell that no
    two posts share one: the few posts whose hashes do are read whole to tell for sure.
    Python's string hashes differ from one process to the next (but not in the worker
    processes a build forks), so a key lives for one run and is never kept."""

    source: str
    instant: int
    slug: str
    categories: tuple[Category, ...]
    tags: tuple[str, ...]
    authors: tuple[Person, ...]
    language: str | None
    draft: bool
    expires: datetime | None
    refs: tuple[tuple[str, str, int, str, str | None], ...]
    link_hash: int
    id_hash: int


class Stream(NamedTuple):
    """One feed's posts, newest first, regardless of format.

    `directory` is where the feed's files go, relative to the output folder and
    its URL ("" for the site-wide feed, "categories/news/" for a category, the folder
    of a feed site.yaml declares).
    `prev_archive` is the directory of the newest archive page before this
    one; on archive pages, `next_archive` is the page after it and `current`
    the directory of the subscription feed.
    """

    key: str
    title: str
    description: str
    directory: str
    posts: tuple[PostKey, ...]
    prev_archive: str | None = None
    next_archive: str | None = None
    current: str | None = None
    summary_only: bool | None = None
    """Whether its entries carry their summary only; None: as site.yaml's `summary_only`."""
    formats: tuple[str, ...] | None = None
    """The formats it is written in; None: site.yaml's `formats`."""
    language: str | None = None
    """Its language; None: the site's."""
    max_bytes: int | None = None
    """Its files' size budget in bytes (see `render.budget`); None: site.yaml's `max_bytes`."""
    min_items: int = 1
    """The fewest entries the budget may cut its files to: the newest post always stays,
    and with archives every post no archive page holds too, so that no post is left out
    of every feed document (see `plan.streams._with_archives`)."""

    @property
    def is_archive(self) -> bool:
        return self.current is not None


class Entry(NamedTuple):
    """One post as every feed format shows it; `content_html` is None in summary-only
    feeds, and starts with the post's image when the body does not."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    authors: tuple[Person, ...]
    categories: tuple[Category, ...]
    tags: tuple[str, ...]
    summary: str
    content_html: str | None
    language: str | None = None
    """Its post's own language, when it has one."""
    image: Media | None = None
    banner: Media | None = None
    attachments: tuple[Media, ...] = ()

    def own_language(self, feed_language: str | None) -> str | None:
        """Its language where a feed in `feed_language` must say it (`xml:lang`): when
        the post has one, and it is not the feed's."""
        if self.language is None or self.language.lower() == (feed_language or "").lower():
            return None
        return self.language


class Feed(NamedTuple):
    """A feed in no particular format; `updated` is its newest entry's.

    `links` are extra (rel, href) pairs such as RFC 5005's prev-archive;
    `archive` marks an archive document; `stylesheet` is the CSS that lets a
    browser show the feed as a page.
    """

    title: str
    description: str
    site_url: str
    self_url: str
    id: str
    """The Atom feed's own `<id>` (see `ids.feed_id`)."""
    author: Person
    language: str | None
    updated: datetime
    entries: tuple[Entry, ...]
    hub: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    archive: bool = False
    stylesheet: str | None = None


class PublishReport(NamedTuple):
    """The output files a run replaced and those it found already holding their bytes
    (left untouched, so feed readers' conditional requests still get 304)."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]


class BuildResult(NamedTuple):
    """What a run found and did. `report` is None when nothing was written; `out_dir` is
    the output folder, once site.yaml could be read to name it."""

    problems: tuple[Problem, ...]
    posts: int
    feeds: tuple[str, ...]
    report: PublishReport | None
    pages: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    pruned: bool = False
    ping_failures: Mapping[str, str] = MappingProxyType({})
    pinged: tuple[str, ...] = ()
    out_dir: Path | None = None

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)

    @property
    def published(self) -> bool:
        return self.report is not None
