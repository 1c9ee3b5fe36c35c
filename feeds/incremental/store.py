"""The build cache: what earlier runs learned, reused only when provably still true.

A cron run every few minutes over a site that never stops growing must not
parse ten thousand posts to learn that nothing changed. Two files, beside
site.yaml in `.feeds-cache/`:

- `state.json` (small): what the last run saw and wrote (see `state`). A
  run that finds it all still true has nothing to do (see `replay`).
- `posts-NN.pickle`: per post file, its checked front matter (or its problems)
  under its stat, in 32 files by a hash of the path (an edit rewrites one).
  Loaded only when something changed, so only changed posts are read.
  Pickles (see `pickles`), which load back into posts far quicker than JSON.
- `plan.pickle`: the last run's plan, for an edit to be planned without the rest
  of the site (see `replan`).

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
import time
import zlib
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from ..model import Stamp
from ..publish import remove_leftovers
from ..source.listing import Listing
from .parallel import reap, run_forked
from .pickles import load_pickle, save_pickle, write_cache_file
from .state import (
    CACHE_FORMAT,
    STATE_FILE,
    LastRun,
    RunState,
    files_digest,
    is_ours,
    problems_digest,
    tree_digest,
    utf8,
)

if TYPE_CHECKING:
    from .records import PostEntry, PostRecord

_RACY_NS = 2_000_000_000
PLAN_FILE = "plan.pickle"
POSTS_SHARDS = 32
"""The per-post readings are split over this many files by a hash of the post's
path, so an edit rewrites one small file, not the readings of the whole site."""


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
class BuildCache:
    """Loaded (or empty) cache: the state, then per-post readings and the plan, each
    loaded on first use.

    Without a `state` found (see feeds.state), no file's stat has anything to be
    compared with, so a build lists the posts without one."""

    state: RunState
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
    read_only: bool = False
    """Used but never written: `feeds check` writes nothing."""

    @property
    def folder(self) -> Path:
        return self.state.folder

    @property
    def key(self) -> str:
        return self.state.key

    @property
    def found(self) -> bool:
        return self.state.found

    # --- the whole run -------------------------------------------------------------------

    def remember_run(self, last_run: LastRun | None) -> None:
        self.state.last_run = last_run

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
            # Not `shard.keys() - relatives`, which would walk all of `relatives` for
            # every file of readings.
            gone = [relative for relative in shard if relative not in relatives]
            for relative in gone:
                del shard[relative]
            if gone:
                self._changed_shards.add(number)


class PostsTree:
    """The post files as the cache sees them: one digest for the no-change check and,
    computed once and only when something changed, the files split as the files of
    readings split them, with a digest each (see feeds.incremental)."""

    def __init__(self, listing: Listing, digest: str | None = None) -> None:
        """`digest`, if given, is the listing's `tree_digest`, already computed."""
        self.listing = listing
        self.digest = digest if digest is not None else tree_digest(listing)

    @cached_property
    def shards(self) -> list[list[int]]:
        """Where in the listing the post files are whose readings each file of readings
        holds, in the listing's order."""
        shards: list[list[int]] = [[] for _ in range(POSTS_SHARDS)]
        for index, name in enumerate(self.listing.names):
            shards[shard_of(name)].append(index)
        return shards

    @cached_property
    def shard_digests(self) -> list[str]:
        """`files_digest` per file of readings, then one of the listing's problems: those
        that differ from the last run's tell where the changes are."""
        listing = self.listing
        name = listing.names.__getitem__
        digests = [
            files_digest(map(name, members), listing.stamps_of(members)).hexdigest()
            for members in self.shards
        ]
        return [*digests, problems_digest(listing).hexdigest()]


def save_readings_meanwhile(cache: BuildCache) -> None:
    """Write the changed files of readings from a forked process, while this one plans,
    renders and publishes; `saver_awaited` waits for it.

    Called as soon as reading is done: after a full read the readings are most of the
    cache, and nothing later changes them. Below a quarter of the files (an edit, a few
    new posts) a process costs more than it saves, and `save_cache` writes them itself,
    as it does those of a writer that failed.
    """
    numbers = sorted(cache._changed_shards)
    if cache.read_only or cache._saver is not None or len(numbers) < POSTS_SHARDS // 4:
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
    for number in numbers:
        save_pickle(posts_file(cache.folder, number), {**header, "posts": cache.shard(number)})


def save_cache(cache: BuildCache) -> OSError | None:
    """Write the cache atomically; or why it cannot be, in which case it is not kept
    and the next run reads every post again."""
    _wait_for_saver(cache)
    if cache.read_only:
        return None
    header = _header(cache)
    try:
        cache.folder.mkdir(parents=True, exist_ok=True)
        remove_leftovers(cache.folder)
        _save_readings(cache, sorted(cache._changed_shards), header)
        cache._changed_shards.clear()
        if cache.plan_changed:
            plan = None if cache.plan is None else tuple(cache.plan)
            save_pickle(cache.folder / PLAN_FILE, {**header, "plan": plan})
        write_cache_file(cache.folder / STATE_FILE, cache.state.encoded(header))
    except FileNotFoundError:  # a run at the same time removed a staged file as a leftover:
        return None  # not a lasting problem, and that run's cache serves as well
    except OSError as error:
        return error
    return None


def posts_file(folder: Path, number: int) -> Path:
    return folder / f"posts-{number:02d}.pickle"


def shard_of(relative: str) -> int:
    return zlib.crc32(utf8(relative)) % POSTS_SHARDS


def _load_posts(folder: Path, number: int, key: str) -> tuple[dict[str, PostEntry], int]:
    """The readings and when they were written (racy mtimes are judged against that)."""
    data = _load_pickle(posts_file(folder, number), key)
    if data is None or not isinstance(posts := data.get("posts"), dict):
        return {}, 0
    return posts, data["written_ns"]


def _load_pickle(path: Path, key: str) -> dict[str, Any] | None:
    """One of our pickle files, if it is whole and written for this key."""
    data = load_pickle(path)
    return data if is_ours(data, key) else None
