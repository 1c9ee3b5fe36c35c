"""What a build writes and under which names: one record per feed format, and the
output folder's layout (term and archive folders, the pages beside the feeds).

Every fact about a format lives in its record here; the planner, the renderers, the
pages and the check for stale files all ask it. Light on purpose: a run that finds
nothing changed needs the names to spot stale files, not the serializers, which a
record imports only when asked to render.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
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


def parse_formats(key: str, value: object) -> tuple[str, ...]:
    """`formats:` as site.yaml writes it: some of `BY_NAME`, in their own order."""
    from .text.fields import FieldError, text_list

    chosen = text_list(key, value)
    unknown = [name for name in chosen if name not in BY_NAME]
    if unknown or not chosen:
        raise FieldError(
            f"'{key}' must list some of {', '.join(BY_NAME)}, e.g. formats: [atom, rss]"
            + (f"; {unknown[0]!r} is not one of them" if unknown else "")
        )
    return tuple(name for name in BY_NAME if name in chosen)


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
    """Feed files, and the pages written beside them: the stylesheet, the OPML and the
    index page (an .html file in the output folder itself; no feed path ends so, see
    `feed_path_problem`), whatever `feed_paths` names the feeds."""
    ordered = sorted(paths)
    pages = tuple(path for path in ordered if _is_page(path))
    return tuple(path for path in ordered if path not in pages), pages


def _is_page(path: str) -> bool:
    return path in (STYLESHEET, OPML) or (
        "/" not in path and path.lower().endswith((".html", ".htm"))
    )


# --- feed_paths: the site's own addresses for its feeds (site.yaml) -------------------
#
# A site moving to feeds from another generator keeps its subscribers only if its feeds
# stay where readers poll them (jekyll-feed's feed.xml, Hugo's index.xml). `feed_paths`
# maps a feed (`atom`, `category_rss`, ...) to a path below the output folder; a feed it
# does not name stays where feeds puts it by default. Streams keep their folders as
# names (see `model.Stream.directory`); `feed_file` turns one into the file of a format.

SLUG_TOKEN = "{slug}"
SCOPES = {"": "", "category_": "categories", "tag_": "tags", "author_": "authors"}
"""The prefix of a feed_paths key, and the section whose feeds it names ("": the site's)."""
_SCOPE_OF = {section: prefix for prefix, section in SCOPES.items()}
FEED_PATH_KEYS = tuple(prefix + format.name for prefix in SCOPES for format in FORMATS)

_ARCHIVE_PAGE = re.compile(rf"^((?:[^/]+/[^/]+/)?){ARCHIVE_FOLDER}/(\d+)/$")
_PATH_CHARACTERS = re.compile(r"[A-Za-z0-9._/-]*")
_SLUG_CHARACTERS = re.compile(r"[a-z0-9-]*")
"""What a slug of a category, tag or author can be made of (see `text.slugify`)."""
_FEED_MARK = b"<generator>feeds</generator>"
_JSON_START = b'{\n  "version": "https://jsonfeed.org/version/1.1",\n'
FEED_HEAD = 65536
"""Bytes of a file read to tell whether feeds wrote it: its header, before any entry."""


def feed_file(directory: str, feed_format: Format, paths: Mapping[str, str]) -> str:
    """The file of the stream at `directory` in `feed_format`: `feed_paths`' pattern for it
    with the stream's slug, or `directory` + the format's file by default.

    An archive page goes into `archive/<n>/` in the folder of its subscription feed's
    file, under that file's name (`feed/news.xml` -> `feed/archive/3/news.xml`): so each
    feed's pages stay beside it, and those of two feeds differ as their files do."""
    if not paths:
        return directory + feed_format.file  # the default layout, as ever
    page = _ARCHIVE_PAGE.match(directory)
    base = page[1] if page else directory
    section, _, slug = base.rstrip("/").partition("/")
    pattern = paths.get(_SCOPE_OF.get(section, "?") + feed_format.name)
    if pattern is None:
        return directory + feed_format.file
    path = pattern.replace(SLUG_TOKEN, slug)
    if page is None:
        return path
    folder, _, name = path.rpartition("/")
    return f"{folder}/" * bool(folder) + f"{ARCHIVE_FOLDER}/{page[2]}/{name}"


def feed_globs(paths: Mapping[str, str], folders: Iterable[str] = ()) -> list[str]:
    """Glob patterns of the files `feed_paths` can name, and of the feeds in `folders`
    (those site.yaml declares under `feeds:`), archive pages included."""
    globs = []
    for pattern in paths.values():
        path = pattern.replace(SLUG_TOKEN, "*")
        folder, _, name = path.rpartition("/")
        globs += [path, f"{folder}/" * bool(folder) + f"{ARCHIVE_FOLDER}/*/{name}"]
    for folder in folders:
        globs += [folder + name for name in FEED_FILES]
        globs += [f"{folder}{ARCHIVE_FOLDER}/*/{name}" for name in FEED_FILES]
    return list(dict.fromkeys(globs))


def is_our_feed(head: bytes, relative: str) -> bool:
    """Whether a file at a `feed_paths` address is a feed feeds wrote (from its first
    `FEED_HEAD` bytes): its XML names feeds as its generator; a JSON Feed is laid out as
    feeds writes it and names this very file as its address. A configured path may be
    an address the site's old generator, or the site itself, still writes to: feeds
    neither calls such a file stale nor removes it."""
    if head.startswith(_JSON_START):
        address = rb'\n  "feed_url": "[^"\n]*/' + re.escape(relative.encode()) + rb'",\n'
        return re.search(address, head) is not None
    return head.lstrip().startswith(b"<?xml") and _FEED_MARK in head


def feed_path_problem(key: str, path: str) -> str | None:
    """What is wrong with `path` as `feed_paths`' value for `key`, or None.

    Paths are URLs as well as files, so they are kept to what means the same in both:
    relative below the output folder; letters, digits, '.', '_', '-' and '/'; no hidden
    or parent folders; folders without dots and a file name with one (an extension,
    which web servers choose the feed's type by), so no file can be another path's
    folder; no folder `archive`, where archive pages go; not a page (.html)."""
    example = "feed/{slug}.xml" if key.startswith(tuple(p for p in SCOPES if p)) else "feed.xml"
    advice = f"write a path below the output folder, like feed_paths: {{{key}: {example}}}"
    bare = path.replace(SLUG_TOKEN, "x")
    if path.startswith("/"):
        return f"'{key}' is {path!r}, which starts with '/'; {advice}"
    if not _PATH_CHARACTERS.fullmatch(bare):
        odd = next(c for c in bare if not _PATH_CHARACTERS.fullmatch(c))
        token = " (the one token is {slug})" if odd in "{}" else ""
        return (
            f"'{key}' has {odd!r} in {path!r}{token}; use letters, digits, '.', '_', '-' "
            f"and '/' only: {advice}"
        )
    *folders, name = path.split("/")
    if any(part in ("", ".", "..") for part in (*folders, name)):
        return f"'{key}' is {path!r}, which has an empty, '.' or '..' part; {advice}"
    if any(part.startswith(".") for part in (*folders, name)):
        return f"'{key}' is {path!r}, which web servers hide (a name starting with '.'); {advice}"
    if any("." in folder for folder in folders) or ARCHIVE_FOLDER in folders:
        return (
            f"'{key}' is {path!r}; folder names take no '.' and '{ARCHIVE_FOLDER}' is kept "
            f"for archive pages; {advice}"
        )
    if "." not in name.replace(SLUG_TOKEN, "x").strip("."):
        return f"'{key}' is {path!r}, which does not end in a file name like feed.xml; {advice}"
    if name.lower().endswith((".html", ".htm")):
        return f"'{key}' is {path!r}, the name of a page, not a feed; {advice}"
    slugs = path.count(SLUG_TOKEN)
    if key in BY_NAME and slugs:
        return (
            f"'{key}' is the site's one feed, with no slug ({{slug}} is for category_, tag_ "
            f"and author_ feeds); {advice}"
        )
    if key not in BY_NAME and slugs != 1:
        return f"'{key}' must contain {{slug}} once, where each feed's slug goes; {advice}"
    return None


def default_feed_path(key: str) -> str:
    """Where feeds puts the feed `key` names when feed_paths does not (`{slug}` for its
    slug)."""
    prefix, _, name = key.rpartition("_")
    section = SCOPES[prefix + "_" if prefix else ""]
    return (f"{section}/{SLUG_TOKEN}/" if section else "") + BY_NAME[name].file


def common_path(first: str, second: str) -> str | None:
    """A path both patterns can give (each with at most one `{slug}`), or None.

    For `A1{slug}B1` and `A2{slug}B2` with |A1| <= |A2|, the prefixes must agree
    (A2 = A1 X) and the suffixes (B1 = Y B2, or B2 = Y B1), leaving s1 Y = X s2 or
    s1 = X s2 Y to solve in slugs: one such string is returned, as the example an
    error shows."""
    if SLUG_TOKEN not in first and SLUG_TOKEN not in second:
        return first if first == second else None
    if SLUG_TOKEN not in first or SLUG_TOKEN not in second:
        fixed, pattern = (first, second) if SLUG_TOKEN in second else (second, first)
        before, _, after = pattern.partition(SLUG_TOKEN)
        slug = fixed[len(before) : len(fixed) - len(after)]
        fits = fixed.startswith(before) and fixed.endswith(after)
        return fixed if fits and len(fixed) > len(before) + len(after) and _slug(slug) else None
    (a1, b1), (a2, b2) = sorted(
        (tuple(p.split(SLUG_TOKEN)) for p in (first, second)), key=lambda ab: len(ab[0])
    )
    if not a2.startswith(a1):
        return None
    x = a2[len(a1) :]
    if len(b1) < len(b2):  # s1 = X s2 Y
        y = b2[: len(b2) - len(b1)]
        return a1 + x + _EXAMPLE + y + b1 if b2.endswith(b1) and _chars(x + y) else None
    if not b1.endswith(b2):
        return None
    y = b1[: len(b1) - len(b2)]  # s1 Y = X s2
    if _chars(x + y):
        return a1 + x + _EXAMPLE + y + b2
    for k in range(1, len(x)):  # s1 shorter than X: s1 = X[:k], Y = X[k:] s2
        s2 = y[len(x) - k :]
        if _slug(x[:k]) and y.startswith(x[k:]) and _slug(s2):
            return a1 + x[:k] + y + b2
    return None


_EXAMPLE = "news"
"""The slug the example path of a clash is given, where any slug would do."""


def _chars(text: str) -> bool:
    return bool(_SLUG_CHARACTERS.fullmatch(text))


def _slug(text: str) -> bool:
    return bool(text) and _chars(text)


def feed_path_clashes(
    paths: Mapping[str, str],
    formats: Iterable[str],
    sections: Iterable[str],
    index_page: str | None,
) -> list[str]:
    """What is wrong with `feed_paths` given the rest of site.yaml: feeds it names that
    are not written, and any two outputs that could ever get one path (a feed and a
    page, two feeds, even only for some slug: found now, not on the day such a
    category appears)."""
    formats, sections = list(formats), ["", *sections]
    problems = []
    for key in paths:
        prefix, name = key[: -len(key.rpartition("_")[2])], key.rpartition("_")[2]
        if name not in formats:
            problems.append(
                f"feed_paths names {key}, but 'formats' leaves {name} out; add {name} to "
                "formats or remove the line"
            )
        elif SCOPES[prefix] not in sections:
            problems.append(
                f"feed_paths names {key}, but {prefix.rstrip('_')} feeds are off; set "
                f"{prefix.rstrip('_')}_feeds: true or remove the line"
            )
    outputs = [
        (f"the OPML list {OPML}", OPML, False),
        (f"the stylesheet {STYLESHEET}", STYLESHEET, False),
    ]
    if index_page:
        outputs.insert(0, (f"index_page {index_page}", index_page, False))
    for prefix, section in SCOPES.items():
        for name in formats if section in sections else ():
            key = prefix + name
            if key in paths:
                outputs.append((f"{key}: {paths[key]}", paths[key], True))
            else:
                default = default_feed_path(key)
                outputs.append((f"{key} ({default}, by default)", default, False))
    for number, (label, pattern, configured) in enumerate(outputs):
        for other_label, other, other_configured in outputs[number + 1 :]:
            common = common_path(pattern, other) if configured or other_configured else None
            if common is not None:
                problems.append(
                    f"{label} and {other_label} could both write {common}; give each a path "
                    "of its own, in another folder or under another name"
                )
    return problems
