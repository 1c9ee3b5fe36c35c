"""The build cache: what earlier runs learned, reused only when provably still true.

A cron run every few minutes over a site that never stops growing must not
parse ten thousand posts to learn that nothing changed. Two files, beside
site.yaml in `.feeds-cache/`:

- `state.json` (small): a digest of the posts tree (every file's name, size,
  mtime, inode and ctime), when the next scheduled post falls due, and the last
  run's feeds with each file's fingerprint, size and mtime. A run whose tree
  digest matches, before the next post falls due, with every feed file as it
  was written, has nothing to do: it replays the last run's warnings and counts.
- `posts-NN.pickle`: per post file, its checked front matter (or its problems)
  under its stat, in 32 files by a hash of the path (an edit rewrites one).
  Loaded only when something changed, so only changed posts are read.
  A pickle, because 10,000 posts load from it in a fraction of the time JSON
  takes to be turned back into posts. Its SHA-256 comes first, so damage is
  noticed; it is read by an unpickler that can make only posts' parts, dates and
  plain values, so a planted file cannot run code.

It is never trusted blindly:
- it lives beside site.yaml, never in the output folder, where the web server
  would publish drafts' and scheduled posts' metadata;
- a file that is corrupt, truncated, of another format, or written for another
  config, posts folder, or version of feeds' code or renderers is ignored;
- a post modified within two seconds of the cache being written is re-read,
  since its mtime cannot prove it did not change again ("racy" timestamps).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import find_spec
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from .config import SiteConfig
from .dates import instant
from .forks import reap, run_forked
from .listing import Listing, PostFile, Stamp

if TYPE_CHECKING:
    from .posts import Post, PostEntry, PostRecord

CACHE_FORMAT = 6
CACHE_DIR = ".feeds-cache"
_RACY_NS = 2_000_000_000
PLAN_FILE = "plan.pickle"
POSTS_SHARDS = 32
"""The per-post readings are split over this many files by a hash of the post's
path, so an edit rewrites one small file, not the readings of the whole site."""
_LIBRARIES = ("feedgen", "cmarkgfm", "nh3", "lxml", "yaml", "dateutil")
CODE_FOLDER = Path(__file__).parent
"""feeds' own modules, whose files' stat is part of the cache key."""
_CODE_SUFFIXES = (".py", *EXTENSION_SUFFIXES)


class SavedPlan(NamedTuple):
    """What `feeds.incremental` needs to redo the last run's plan without its posts."""

    tree: str
    """The `tree_digest` of the run that made it."""
    shard_trees: list[str]
    """`PostsTree.shard_digests` of that run: which files of readings an edit touched."""
    streams: list[tuple[Any, ...]]
    """The subscription streams: their fields, with a tuple of post sources as `posts`."""
    archived: frozenset[str]
    """The sources of every post on an archive page."""
    records: dict[str, PostRecord]
    """The readings of every post of `streams`, by source."""
    problems: list[tuple[str, int | None, str, str]]
    """The warnings and notes of reading the posts: (path, line, message, severity)."""


def _is_plan(stored: object) -> TypeGuard[tuple[Any, ...]]:
    """The shape of a `SavedPlan` as pickled; the records are checked as they are used."""
    types = (str, list, list, frozenset, dict, list)
    return (
        isinstance(stored, tuple)
        and len(stored) == len(types)
        and all(map(isinstance, stored, types))
        and len(stored[1]) == POSTS_SHARDS + 1
    )


@dataclass
class LastRun:
    """What the last complete, error-free run saw and wrote."""

    tree: str
    next_due_ns: int | None
    out_dir: str
    posts: int
    feeds: dict[str, str]  # relative path -> fingerprint
    warnings: list[list[Any]]  # [path, line, message, severity]: warnings and notes

    def falls_due(self, now: datetime) -> bool:
        """Whether a scheduled post has fallen due or a post expired since."""
        return self.next_due_ns is not None and _ns(now) >= self.next_due_ns


@dataclass
class BuildCache:
    """Loaded (or empty) cache. Per-post readings are loaded on first use."""

    folder: Path
    key: str
    last_run: LastRun | None = None
    feeds: dict[str, list[Any]] = field(default_factory=dict)  # abs path -> [fp, size, mtime]
    pending_pings: list[str] = field(default_factory=list)  # feed URLs the hub has not heard of
    found: bool = False
    """Whether an earlier run's state was found (see `load_cache`). Without it no file's
    stat has anything to be compared with, so a build lists the posts without one."""
    _shards: list[dict[str, PostEntry] | None] = field(
        default_factory=lambda: [None] * POSTS_SHARDS
    )
    _shards_written_ns: list[int] = field(default_factory=lambda: [0] * POSTS_SHARDS)
    _changed_shards: set[int] = field(default_factory=set)
    _saver: tuple[int, list[int]] | None = None
    """The process writing files of readings meanwhile, and their numbers."""
    _plan: SavedPlan | None = None
    _plan_loaded: bool = False
    plan_changed: bool = False

    # --- the whole run -------------------------------------------------------------------

    def replay(self, tree: str, now: datetime, out_dir: Path) -> LastRun | None:
        """The last run, if this one would do exactly the same and find every feed in place."""
        last = self.last_run
        if last is None or last.tree != tree or last.out_dir != str(out_dir):
            return None
        if last.falls_due(now):
            return None
        for relative, fingerprint in last.feeds.items():
            if not self.feed_is_current(out_dir / relative, fingerprint):
                return None
        return last

    def remember_run(self, last_run: LastRun | None) -> None:
        self.last_run = last_run

    @property
    def plan(self) -> SavedPlan | None:
        """The last run's plan (see feeds.incremental), loaded on first use."""
        if not self._plan_loaded:
            data = _load_pickle(self.folder / PLAN_FILE, self.key)
            stored = data.get("plan") if data is not None else None
            self._plan = SavedPlan(*stored) if _is_plan(stored) else None
            self._plan_loaded = True
        return self._plan

    def remember_plan(self, plan: SavedPlan | None) -> None:
        self._plan, self._plan_loaded, self.plan_changed = plan, True, True

    # --- posts -------------------------------------------------------------------------

    def shard(self, number: int) -> dict[str, PostEntry]:
        """One file of post readings, loaded on first use: an edit needs only its own."""
        shard = self._shards[number]
        if shard is None:
            shard, self._shards_written_ns[number] = _load_posts(self.folder, number, self.key)
            self._shards[number] = shard
        return shard

    def is_racy(self, relative: str, stamp: Stamp) -> bool:
        """Modified so soon before its reading was saved that its mtime cannot prove it
        unchanged since."""
        number = shard_of(relative)
        self.shard(number)
        return stamp[1] >= self._shards_written_ns[number] - _RACY_NS

    def reading(self, relative: str, stamp: Stamp) -> PostEntry | None:
        """The remembered reading of a post file (see `posts.reading_entry`), if its
        stat proves it unchanged."""
        entry = self.shard(shard_of(relative)).get(relative)
        if entry is None or entry[0] != stamp or self.is_racy(relative, stamp):
            return None
        return entry

    def remember_readings(self, readings: Iterable[tuple[str, PostEntry]]) -> None:
        """Keep each entry under its file's relative path; one without a stamp (a file
        that could not be stat'ed) could never be proved current, so it is not kept."""
        shards, changed = self._shards, self._changed_shards
        for relative, entry in readings:
            if entry[0] is None:
                continue
            number = shard_of(relative)
            shard = shards[number]
            (shard if shard is not None else self.shard(number))[relative] = entry
            changed.add(number)

    def forget_posts_except(self, relatives: AbstractSet[str]) -> None:
        for number in range(POSTS_SHARDS):
            shard = self.shard(number)
            # Not `shard.keys() - relatives`: that walks all of `relatives` for every
            # file of readings (6 ms of a 10,000-post build).
            gone = [relative for relative in shard if relative not in relatives]
            for relative in gone:
                del shard[relative]
            if gone:
                self._changed_shards.add(number)

    # --- feeds -------------------------------------------------------------------------

    def feed_is_current(self, target: Path, fingerprint: str) -> bool:
        """True when `target` holds exactly what this fingerprint would render."""
        record = self.feeds.get(str(target))
        if record is None or record[0] != fingerprint:
            return False
        try:
            status = target.stat()
        except OSError:
            return False
        return [status.st_size, status.st_mtime_ns] == record[1:]

    def remember_feed(self, target: Path, fingerprint: str) -> None:
        try:
            status = target.stat()
        except OSError:
            self.feeds.pop(str(target), None)
            return
        self.feeds[str(target)] = [fingerprint, status.st_size, status.st_mtime_ns]


def tree_digest(listing: Listing) -> str:
    """Changes whenever a post file is added, removed, renamed or touched."""
    digest = _files_digest(listing.files)
    digest.update(_problems_digest(listing).digest())
    return digest.hexdigest()


class PostsTree:
    """The post files as the cache sees them: one digest for the no-change check and,
    computed once and only when something changed, the files split as the files of
    readings split them, with a digest each (see feeds.incremental)."""

    def __init__(self, listing: Listing) -> None:
        self.listing = listing
        self.digest = tree_digest(listing)

    @cached_property
    def shards(self) -> list[list[PostFile]]:
        """The post files whose readings each file of readings holds."""
        shards: list[list[PostFile]] = [[] for _ in range(POSTS_SHARDS)]
        for post_file in self.listing.files:
            shards[shard_of(post_file.relative)].append(post_file)
        return shards

    @cached_property
    def shard_digests(self) -> list[str]:
        """`tree_digest` per file of readings, then one of the listing's problems: those
        that differ from the last run's tell where the changes are."""
        digests = [_files_digest(files).hexdigest() for files in self.shards]
        return [*digests, _problems_digest(self.listing).hexdigest()]


def _files_digest(files: Sequence[PostFile]) -> Any:
    digest = hashlib.sha256("\0".join([post_file.relative for post_file in files]).encode())
    # The stamps as one array of integers: formatting 10,000 tuples took 20 ms. Filled
    # from a list: `array("q", iterator)` stores item by item (5.7 ms at 10,000 files,
    # against 2.6 ms for the same bytes), and every cron run digests the tree.
    unstated = (-1, -1, -1, -1)  # no file has a negative size
    stamps = list(chain.from_iterable([post_file.stamp or unstated for post_file in files]))
    packed = array("q")
    try:
        packed.fromlist(stamps)
    except OverflowError:  # an inode number from 2**63 on, as some network file systems give
        digest.update(repr([post_file.stamp for post_file in files]).encode())
    else:
        digest.update(packed)
    return digest


def _problems_digest(listing: Listing) -> Any:
    digest = hashlib.sha256()
    for problem in listing.problems:
        digest.update(f"{problem.path}\0{problem.message}\n".encode())
    return digest


def cache_key(config: SiteConfig) -> str:
    """Everything a cached reading or rendering depends on besides the posts themselves:
    the config's bytes and where it is, and the code of feeds and of the libraries
    that render (by their files' stat: importing them to ask their version would
    cost more than a no-change run may take)."""
    material = [f"format={CACHE_FORMAT}", f"config={config.path}", f"posts={config.posts_dir}"]
    material += [f"{path.name}={_file_stamp(path)}" for path in _code_files()]
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        material.append(f"{name}={origin}={_file_stamp(Path(origin)) if origin else None}")
    digest = hashlib.sha256("\n".join(material).encode())
    digest.update(config.path.read_bytes())
    return digest.hexdigest()


def _code_files() -> list[Path]:
    """feeds' modules as they run: sources, and the compiled modules of a compiled
    install (README, "Compiled install"), which can change without their sources."""
    return sorted(path for path in CODE_FOLDER.iterdir() if path.name.endswith(_CODE_SUFFIXES))


def load_cache(config: SiteConfig) -> BuildCache:
    """The cache for this config, or an empty one when there is none worth trusting."""
    folder = config.path.parent / CACHE_DIR
    try:
        key = cache_key(config)
    except OSError:
        return BuildCache(folder, "")
    empty = BuildCache(folder, key)
    data = _load_json(folder / "state.json", key)
    if data is None:
        return empty
    try:
        feeds = data["feeds"]
        if not all(isinstance(v, list) and len(v) == 3 for v in feeds.values()):
            return empty
        last = data["last_run"]
        last_run = None if last is None else LastRun(**last)
        if last_run is not None and not (
            isinstance(last_run.feeds, dict) and isinstance(last_run.warnings, list)
        ):
            return empty
    except (KeyError, TypeError, AttributeError):
        return empty
    pending = data.get("pending_pings", [])
    if not (isinstance(pending, list) and all(isinstance(url, str) for url in pending)):
        pending = []
    return BuildCache(folder, key, last_run, feeds, pending, found=True)


def save_readings_meanwhile(cache: BuildCache) -> None:
    """Write the changed files of readings from a forked process, while this one plans,
    renders and publishes; `saver_awaited` waits for it.

    Called as soon as reading is done: after a full read the readings are most of the
    cache (0.07 s at 10,000 posts, 0.7 s at 100,000), and nothing later changes them.
    Below a quarter of the files (an edit, a few new posts) a process costs more than it
    saves, and `save_cache` writes them itself, as it does those of a writer that failed.
    """
    numbers = sorted(cache._changed_shards)
    if cache._saver is not None or len(numbers) < POSTS_SHARDS // 4:
        return
    header = _header(cache)
    with contextlib.suppress(OSError):  # save_cache will not manage either
        cache.folder.mkdir(parents=True, exist_ok=True)
        pid = run_forked(lambda: _save_readings(cache, numbers, header))
        if pid is not None:  # else save_cache writes them
            cache._saver = pid, numbers
            cache._changed_shards.clear()


@contextlib.contextmanager
def saver_awaited(cache: BuildCache | None) -> Iterator[None]:
    """Wait at the end for the writer `save_readings_meanwhile` may start, however the
    body ends: no run leaves a child behind."""
    try:
        yield
    finally:
        if cache is not None:
            _wait_for_saver(cache)


def _wait_for_saver(cache: BuildCache) -> None:
    if cache._saver is None:
        return
    pid, numbers = cache._saver
    cache._saver = None
    if reap(pid) != 0:  # failed, or how it ended is unknown
        cache._changed_shards.update(numbers)


def _header(cache: BuildCache) -> dict[str, Any]:
    return {"format": CACHE_FORMAT, "key": cache.key, "written_ns": time.time_ns()}


def _save_readings(cache: BuildCache, numbers: Iterable[int], header: dict[str, Any]) -> None:
    from .cachefiles import save_pickle

    for number in numbers:
        save_pickle(posts_file(cache.folder, number), {**header, "posts": cache.shard(number)})


def save_cache(cache: BuildCache) -> None:
    """Write the cache atomically; a cache that cannot be written is simply not kept."""
    from .cachefiles import save_pickle, write_atomically

    _wait_for_saver(cache)
    header = _header(cache)
    last = cache.last_run
    state = {
        **header,
        "last_run": None if last is None else last.__dict__,
        "feeds": cache.feeds,
        "pending_pings": cache.pending_pings,
    }
    with contextlib.suppress(OSError):
        cache.folder.mkdir(parents=True, exist_ok=True)
        _save_readings(cache, sorted(cache._changed_shards), header)
        cache._changed_shards.clear()
        if cache.plan_changed:
            plan = None if cache.plan is None else tuple(cache.plan)
            save_pickle(cache.folder / PLAN_FILE, {**header, "plan": plan})
        # One C-encoded string and one write: json.dump streams small chunks through Python.
        encoded = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        write_atomically(cache.folder / "state.json", encoded)


def posts_file(folder: Path, number: int) -> Path:
    return folder / f"posts-{number:02d}.pickle"


def shard_of(relative: str) -> int:
    return zlib.crc32(relative.encode()) % POSTS_SHARDS


def _load_posts(folder: Path, number: int, key: str) -> tuple[dict[str, PostEntry], int]:
    """The readings and when they were written (racy mtimes are judged against that)."""
    data = _load_pickle(posts_file(folder, number), key)
    if data is None or not isinstance(posts := data.get("posts"), dict):
        return {}, 0
    return posts, data["written_ns"]


def _load_pickle(path: Path, key: str) -> dict[str, Any] | None:
    """One of our pickle files, if it is whole and written for this key."""
    from .cachefiles import load_pickle

    data = load_pickle(path)
    return data if _is_ours(data, key) else None


def _load_json(path: Path, key: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if _is_ours(data, key) else None


def _is_ours(data: object, key: str) -> TypeGuard[dict[str, Any]]:
    """Written by this version of feeds for this config (see `cache_key`)."""
    return (
        isinstance(data, dict)
        and data.get("format") == CACHE_FORMAT
        and data.get("key") == key
        and isinstance(data.get("written_ns"), int)
    )


def _file_stamp(path: Path) -> str:
    status = path.stat()
    return f"{status.st_size}:{status.st_mtime_ns}"


def _ns(moment: datetime) -> int:
    return instant(moment) * 1000


def next_due_ns(posts: Iterable[Post], now: datetime) -> int | None:
    """When the earliest scheduled post falls due or a post expires: until then, time
    changes no feed."""
    now_us = instant(now)
    due = [
        moment
        for post in posts
        if not post.draft
        for moment in (post.instant, None if post.expires is None else instant(post.expires))
        if moment is not None and moment > now_us
    ]
    return min(due) * 1000 if due else None  # microseconds to nanoseconds, as `_ns`
