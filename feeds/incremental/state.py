"""state.json: what the last complete run saw and wrote, and the key it is valid under.

Every run reads this first, and a cron run that finds nothing changed reads nothing
else (see `replay`): so this module knows the key, the last run and the posts
tree's digest without the config parser, the post reader or the rest of the cache
(the readings and the plan, `store`), and imports nothing heavier than hashlib.

What it holds: a digest of the posts tree (every file's name, size, mtime, inode
and ctime), the stat of every media file the posts' front matter led that run to
look at, when the next scheduled post falls due, and the last run's feeds with each
file's fingerprint, size and mtime. A run whose tree digest matches, with every
media file as it was, before the next post falls due, with every feed file as it
was written, has nothing to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from ..model import Severity
from ..precompress import ENCODINGS
from ..source.listing import file_stamp

if TYPE_CHECKING:
    from ..source.listing import Listing

CACHE_FORMAT = 14
CACHE_DIR = ".feeds-cache"
STATE_FILE = "state.json"
_LIBRARIES = ("feedgen", "cmarkgfm", "nh3", "lxml", "yaml", "dateutil", "brotli")
CODE_FOLDER = Path(__file__).parents[1]
"""feeds' own package, whose modules' stat is part of the cache key."""
_CODE_SUFFIXES = (".py", *EXTENSION_SUFFIXES)


class LastRun(NamedTuple):
    """What the last complete, error-free run saw and wrote, and what a run needs to see
    the same again without reading site.yaml: where the posts are and which files are
    posts, and whether an index page is the site's own."""

    tree: str
    next_change: int | None
    """When the passing of time next changes a feed (see `plan.streams.next_change`)."""
    out_dir: str
    posts: int
    feeds: dict[str, str]  # relative path -> fingerprint
    warnings: Sequence[Sequence[Any]]  # `located_rows` of the warnings and notes
    default_out_dir: str
    """The config's output folder, which a run without `--out` writes."""
    posts_dir: str
    posts_glob: list[str] | None
    index_page: str | None
    feed_globs: list[str]
    """Where site.yaml's `feed_paths` put feeds, for finding stale ones (see
    `publish.stale_outputs`)."""
    media: dict[str, list[int] | None]
    """The site files `source.media.find_media` looked at for the posts, by their path
    from site.yaml's folder: the stamp of each it read, None for each it found missing
    (see `replan.media_seen`). Its results depend on them, and no post's stat
    changes with them."""
    precompress: list[str]
    """site.yaml's `precompress`: the companions each feed has (see `precompress`)."""

    def falls_due(self, now: int) -> bool:
        """Whether a scheduled post has fallen due or a post expired by `now` (as
        `dates.instant` counts)."""
        return self.next_change is not None and now >= self.next_change

    def media_unchanged(self, folder: Path) -> bool:
        """Whether every media file is as the last run found it, `folder` being site.yaml's:
        the same stamp, or still no regular file (all `find_media` reads). One `stat`
        each: a run that finds nothing changed makes it."""
        root = str(folder)
        for relative, stamp in self.media.items():
            try:
                status = os.stat(os.path.join(root, relative))
            except OSError:
                found = None
            else:
                found = list(file_stamp(status)) if stat.S_ISREG(status.st_mode) else None
            if found != stamp:
                return False
        return True


class RunState:
    """state.json as loaded (or empty): `found` when it was written under this key.

    A plain class, and the records named tuples, not dataclasses: a run that finds
    nothing changed imports this module and need not load `dataclasses` for it."""

    def __init__(
        self,
        folder: Path,
        key: str,
        last_run: LastRun | None = None,
        feeds: dict[str, list[Any]] | None = None,
        pending_pings: list[str] | None = None,
        *,
        found: bool = False,
    ) -> None:
        self.folder = folder
        self.key = key
        self.last_run = last_run
        self.feeds = feeds if feeds is not None else {}
        """By absolute path, each output file as written: [fingerprint, size, mtime,
        the warnings rendering it gave (`located_rows`)], companions with none."""
        self.pending_pings = pending_pings or []  # feed URLs the hub has not heard of
        self.found = found

    def feed_is_current(
        self, target: Path, fingerprint: str, companions: Sequence[str] = ()
    ) -> bool:
        """True when `target` holds exactly what this fingerprint would render, and so
        does its companion with each suffix in `companions` (see `precompress`): a
        companion missing or touched, and the file is written again."""
        for path in (str(target), *(str(target) + suffix for suffix in companions)):
            record = self.feeds.get(path)
            if record is None or record[0] != fingerprint:
                return False
            try:
                status = os.stat(path)
            except OSError:
                return False
            if [status.st_size, status.st_mtime_ns] != record[1:3]:
                return False
        return True

    def feed_warnings(self, target: Path) -> Sequence[Sequence[Any]]:
        """The warnings rendering `target` gave when it was written (see `remember_feed`)."""
        record = self.feeds.get(str(target))
        return record[3] if record is not None else []

    def remember_feed(
        self,
        target: Path,
        fingerprint: str,
        companions: Sequence[str] = (),
        warnings: Sequence[Sequence[Any]] = (),
    ) -> None:
        """Keep the stat of `target` and of its companions, as written for `fingerprint`,
        and the `warnings` rendering it gave, which a run that finds it current gives
        again, as rendering it anew would."""
        for path in (str(target), *(str(target) + suffix for suffix in companions)):
            try:
                status = os.stat(path)
            except OSError:
                self.feeds.pop(path, None)
            else:
                rows = [list(row) for row in warnings] if path == str(target) else []
                self.feeds[path] = [fingerprint, status.st_size, status.st_mtime_ns, rows]

    def encoded(self, header: dict[str, Any]) -> Iterator[bytes]:
        """state.json's bytes, in pieces (see `json_pieces`)."""
        last = self.last_run
        state = {
            **header,
            "last_run": None if last is None else last._asdict(),
            "feeds": self.feeds,
            "pending_pings": self.pending_pings,
        }
        return json_pieces(state)


_PIECE = 4096
"""The most entries of a dict encoded as one piece (see `json_pieces`)."""


def json_pieces(value: object) -> Iterator[bytes]:
    """`value` as compact JSON in UTF-8, in pieces of at most `_PIECE` entries of a dict:
    with archive pages a run records hundreds of thousands of files, whose state as one
    text (and then its bytes) would be the largest thing the run ever holds."""
    if not (isinstance(value, dict) and _holds_many(value)):
        yield _json(value)
        return
    pending: dict[str, Any] = {}
    separator = b"{"
    for key, item in value.items():
        if isinstance(item, dict) and _holds_many(item):
            if pending:
                yield separator + _json(pending)[1:-1]
                separator, pending = b",", {}
            yield separator + _json(key) + b":"
            yield from json_pieces(item)
            separator = b","
            continue
        pending[key] = item
        if len(pending) == _PIECE:
            yield separator + _json(pending)[1:-1]
            separator, pending = b",", {}
    if pending:
        yield separator + _json(pending)[1:-1]
    yield b"}"


def _holds_many(value: dict[str, Any]) -> bool:
    return len(value) > _PIECE or any(
        isinstance(item, dict) and _holds_many(item) for item in value.values()
    )


def _json(value: object) -> bytes:
    """One C-encoded string: `json.dump` would stream tiny chunks through Python."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: a path that is not UTF-8 (see `utf8`)
        # as JSON's `\udce9` escapes, which `json.loads` reads back as the same text
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def load_state(config_path: Path) -> RunState:
    """The state for the config at this absolute path, or an empty one when there is
    none worth trusting."""
    folder = config_path.parent / CACHE_DIR
    try:
        key = cache_key(config_path)
    except OSError:
        return RunState(folder, "")
    empty = RunState(folder, key)
    try:
        data = json.loads((folder / STATE_FILE).read_bytes())
    except (OSError, ValueError):
        return empty
    if not is_ours(data, key):
        return empty
    try:
        feeds = data["feeds"]
        if not all(isinstance(v, list) and len(v) == 4 and _are_rows(v[3]) for v in feeds.values()):
            return empty
        last = data["last_run"]
        if last is not None and not _is_last_run(last):
            return empty
        last_run = None if last is None else LastRun(**last)
    except (KeyError, TypeError, AttributeError):
        return empty
    pending = data.get("pending_pings", [])
    if not (isinstance(pending, list) and all(isinstance(url, str) for url in pending)):
        pending = []
    return RunState(folder, key, last_run, feeds, pending, found=True)


_LAST_RUN_TYPES: dict[str, type | tuple[type, ...]] = {
    "tree": str,
    "next_change": (int, type(None)),
    "out_dir": str,
    "posts": int,
    "feeds": dict,
    "warnings": list,
    "default_out_dir": str,
    "posts_dir": str,
    "posts_glob": (list, type(None)),
    "index_page": (str, type(None)),
    "feed_globs": list,
    "media": dict,
    "precompress": list,
}
_SEVERITIES = frozenset(severity.value for severity in Severity)


def _is_last_run(stored: object) -> bool:
    """A `LastRun` as saved, down to its warnings' rows: a run that finds nothing
    changed uses every part of it without another check. The media's stamps need none:
    `LastRun.media_unchanged` holds only when each is a file's own, or None."""
    if not isinstance(stored, dict) or stored.keys() != _LAST_RUN_TYPES.keys():
        return False
    if not all(isinstance(stored[name], kind) for name, kind in _LAST_RUN_TYPES.items()):
        return False
    rows_ok = _are_rows(stored["warnings"])
    globs_ok = stored["posts_glob"] is None or all(isinstance(g, str) for g in stored["posts_glob"])
    globs_ok = globs_ok and all(isinstance(g, str) for g in stored["feed_globs"])
    encodings_ok = all(isinstance(e, str) and e in ENCODINGS for e in stored["precompress"])
    feeds_ok = all(isinstance(v, str) for v in stored["feeds"].values())
    return rows_ok and globs_ok and encodings_ok and feeds_ok


def _are_rows(rows: object) -> bool:
    """Warnings as `located_rows` makes them, read back from JSON."""
    return isinstance(rows, list) and all(
        isinstance(row, list)
        and len(row) == 4
        and isinstance(row[0], str)
        and isinstance(row[1], int | None)
        and isinstance(row[2], str)
        and row[3] in _SEVERITIES
        for row in rows
    )


def cache_key(config_path: Path) -> str:
    """Everything a cached reading or rendering depends on besides the posts themselves:
    the config's bytes and where it is (which together fix where the posts are), and
    the code of feeds and of the libraries that render (by their files' stat, not by
    importing them to ask their version, which a run that finds nothing changed
    must not have to do)."""
    material = [f"format={CACHE_FORMAT}", f"config={config_path}"]
    material += [f"{path.relative_to(CODE_FOLDER)}={_file_stamp(path)}" for path in _code_files()]
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        material.append(f"{name}={origin}={_file_stamp(Path(origin)) if origin else None}")
    digest = hashlib.sha256(utf8("\n".join(material)))
    digest.update(config_path.read_bytes())
    return digest.hexdigest()


def _code_files() -> list[Path]:
    """feeds' modules as they run: sources, and compiled modules, which can change
    without their sources."""
    return sorted(path for path in CODE_FOLDER.rglob("*") if path.name.endswith(_CODE_SUFFIXES))


def _file_stamp(path: Path) -> str:
    status = path.stat()
    return f"{status.st_size}:{status.st_mtime_ns}"


def is_ours(data: object, key: str) -> TypeGuard[dict[str, Any]]:
    """Written by this version of feeds for this config (see `cache_key`)."""
    return (
        isinstance(data, dict)
        and data.get("format") == CACHE_FORMAT
        and data.get("key") == key
        and isinstance(data.get("written_ns"), int)
    )


def tree_digest(listing: Listing) -> str:
    """Changes whenever a post file is added, removed, renamed or touched."""
    digest = files_digest(listing.names, listing.stamps)
    digest.update(problems_digest(listing).digest())
    return digest.hexdigest()


def files_digest(names: Iterable[str], stamps: bytes) -> Any:
    """The digest of post files: their relative paths, in order, and their stamps as
    `Listing.stamps` packs them (every cron run digests the whole tree: the integers as
    they are held, not formatted as text)."""
    digest = hashlib.sha256(utf8("\0".join(names)))
    digest.update(stamps)
    return digest


def problems_digest(listing: Listing) -> Any:
    digest = hashlib.sha256()
    for problem in listing.problems:
        digest.update(utf8(f"{problem.path}\0{problem.message}\n"))
    return digest


def utf8(text: str) -> bytes:
    """`text` as UTF-8 for a digest or a hash, lone surrogates too: Python holds the bytes
    of a file name that are not UTF-8 as such (`os.fsdecode`: `caf\\xe9.md` is
    'caf\\udce9.md'), which `str.encode` refuses. Distinct texts give distinct bytes."""
    return text.encode("utf-8", "surrogatepass")
