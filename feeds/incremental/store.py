"""The build cache: what earlier runs learned, reused only when provably still true.

A cron run every few minutes over a site that never stops growing must not
parse ten thousand posts to learn that nothing changed. Three files, beside
site.yaml in `.feeds-cache/`:

- `state.json` (small): what the last run saw and wrote (see `state`). A
  run that finds it all still true has nothing to do (see `replay`).
- `posts.sqlite`: per post file, its checked front matter (or its problems)
  under its stat, one row a file in an SQLite database (`database`). A run
  looks up each file it needs and writes each reading as it comes, so that no
  process holds the readings of the whole site (a million posts' are gigabytes),
  and an edit rewrites one row; only a first run of a small site holds its
  readings, for a forked process to write while it renders. The rows are grouped
  by a hash of the path into 32 shards (`shard_of`), which `replan` compares with
  the last run's. Each reading is pickled as plain values (see `records` and
  `pickles`), which loads back into posts far quicker than JSON.
- `plan.pickle`: the last run's plan, for an edit to be planned without the rest
  of the site (see `replan`).

It is never trusted blindly:
- it lives beside site.yaml, never in the output folder, where the web server
  would publish drafts' and scheduled posts' metadata;
- a file that is corrupt, truncated, of another format, or written for another
  config, posts folder, or version of feeds' code or renderers is ignored, and so
  is a row whose reading does not match its checksum or its stamp: SQLite checks
  the structure of its pages, not what they hold, and the cache is never flushed
  to disk (one lost in a power cut is only rebuilt);
- a post modified within two seconds of the run that read it began is read again,
  since its mtime cannot prove it did not change again ("racy" timestamps);
- the plan is used only with the readings it was made with: each run that changes
  the readings saves them under a new token, which the plan saved after them
  keeps, so a run that ended between the two leaves a plan no run uses.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from ..model import Stamp
from ..publish import remove_leftovers
from ..source.listing import Listing
from .database import RACY_NS, PostsDatabase
from .pickles import dump_entry, load_pickle, save_pickle, write_cache_file
from .rows import POSTS_SHARDS, shard_of
from .state import (
    CACHE_FORMAT,
    STATE_FILE,
    LastRun,
    RunState,
    files_digest,
    is_ours,
    problems_digest,
    tree_digest,
)

if TYPE_CHECKING:
    from .records import PostEntry, PostRecord

PLAN_FILE = "plan.pickle"


class SavedPlan(NamedTuple):
    """What `feeds.incremental` needs to redo the last run's plan without its posts."""

    tree: str
    """The `tree_digest` of the run that made it."""
    shard_trees: list[str]
    """`PostsTree.shard_digests` of that run: which files of readings an edit touched."""
    streams: list[tuple[Any, ...]]
    """The subscription streams: their fields, with a tuple of post sources as `posts`."""
    archived: bytes
    """Every post on an archive page, as the CRC-32 of its source (4 bytes each, in
    native order, sorted; see `replan.is_archived`): a fixed few bytes a post where its
    path takes tens, and a post taken for archived by a matching CRC costs a full run,
    not a wrong one."""
    records: dict[str, PostRecord]
    """The readings of every post of `streams`, by source."""
    problems: list[tuple[str, int | None, str, str]]
    """The warnings and notes of reading the posts: (path, line, message, severity)."""


def _is_plan(stored: object) -> TypeGuard[tuple[Any, ...]]:
    """The shape of a `SavedPlan` as pickled; the records are checked as they are used."""
    types = (str, list, list, bytes, dict, list)
    return (
        isinstance(stored, tuple)
        and len(stored) == len(types)
        and all(map(isinstance, stored, types))
        and len(stored[1]) == POSTS_SHARDS + 1
        and len(stored[3]) % 4 == 0  # CRC-32s
    )


@dataclass
class BuildCache:
    """Loaded (or empty) cache: the state, then per-post readings and the plan, each
    loaded on first use.

    Without a `state` found (see feeds.state), no file's stat has anything to be
    compared with, so a build lists the posts without one."""

    state: RunState
    read_only: bool = False
    """Used but never written: `feeds check` writes nothing."""
    plan_changed: bool = False
    _posts: PostsDatabase = field(init=False)
    _started_ns: int = field(init=False)
    """When the run began, before it read any post: the time its readings are kept under."""
    _written: list[dict[str, int] | None] = field(init=False)
    """For each shard whose stamps were asked for (see `shard_stamps`), when each of its
    readings was taken (see `_started_ns`), until a reading of theirs is written."""
    _plan: SavedPlan | None = field(init=False)
    _plan_loaded: bool = field(init=False)

    def __post_init__(self) -> None:
        # Set here, not as the fields' defaults, which a compiled dataclass (mypyc) skips.
        self._posts = PostsDatabase(self.folder, self.key, read_only=self.read_only)
        self._started_ns = time.time_ns()
        self._written = [None] * POSTS_SHARDS
        self._plan, self._plan_loaded = None, False

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
        """The last run's plan (see feeds.incremental), loaded on first use: only if it
        was saved with the readings the database holds (see the module's docstring)."""
        if not self._plan_loaded:
            data = _load_pickle(self.folder / PLAN_FILE, self.key)
            stored = data.get("plan") if data is not None else None
            readings = data.get("readings") if data is not None else None
            token = self._posts.found_token()
            ours = readings is not None and readings == token
            self._plan = SavedPlan(*stored) if ours and _is_plan(stored) else None
            self._plan_loaded = True
        return self._plan

    def remember_plan(self, plan: SavedPlan | None) -> None:
        self._plan, self._plan_loaded, self.plan_changed = plan, True, True

    def close(self) -> None:
        """Leave the posts database as this run last saved it (or found it)."""
        self._posts.close()

    # --- posts -------------------------------------------------------------------------

    def entry(self, relative: str) -> PostEntry | None:
        """The remembered reading of a post file, whatever its stamp: what the file held
        when it was last read."""
        return self._posts.entry(relative)

    def shard_stamps(self, number: int) -> dict[str, Stamp]:
        """One shard's stamps by relative path: what tells which of its files changed,
        without unpickling every reading (`shard`)."""
        stamps, self._written[number] = self._posts.stamps(number)
        return stamps

    def is_racy(self, relative: str, stamp: Stamp) -> bool:
        """Modified so soon before the run that read it began that its mtime cannot
        prove it unchanged since; so is a file with no reading."""
        written = self._written[shard_of(relative)]
        written_ns = written.get(relative) if written is not None else self._posts.written(relative)
        return written_ns is None or stamp[1] >= written_ns - RACY_NS

    @property
    def has_readings(self) -> bool:
        """Whether there are readings to look up: none on a first run, which reads
        every post."""
        return self._posts.reader() is not None

    def reading(self, relative: str, stamp: Stamp) -> PostEntry | None:
        """The remembered reading of a post file (see `records.reading_entry`), if its
        stat proves it unchanged: one indexed query, whatever was asked before."""
        return self._posts.reading(relative, stamp)

    def remember_readings(self, readings: Iterable[tuple[str, PostEntry]]) -> None:
        """Keep each entry under its file's relative path (see `remember_pickled`)."""
        self.remember_pickled(
            (relative, entry[0], dump_entry(entry)) for relative, entry in readings
        )

    def remember_pickled(self, rows: Iterable[tuple[str, Stamp | None, bytes]]) -> None:
        """Keep each reading, as (relative path, stamp, entry pickled by
        `pickles.dump_entry`): written to the database at once, or held (see
        `hold_readings`); they are kept when the cache is saved (see
        `database.PostsDatabase.keep`)."""
        for number in self._posts.keep(rows, self._started_ns):
            self._written[number] = None  # asked again if needed

    def hold_readings(self, files: int) -> None:
        """`files` are about to be read: a new database holds their readings, if they are
        few enough, for `write_held_readings` (see `database.HELD_FILES`)."""
        self._posts.hold(files)

    def write_held_readings(self) -> None:
        """The posts are read: the held readings are written from a forked process
        while this one goes on."""
        self._posts.write_meanwhile()

    def forget_posts_except(self, relatives: AbstractSet[str]) -> None:
        """Delete the readings of files not in `relatives`."""
        for number, relative in self._posts.forget_except(relatives):
            written = self._written[number]
            if written is not None and relative is not None:
                written.pop(relative, None)


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


@contextlib.contextmanager
def cache_closed(cache: BuildCache | None) -> Iterator[None]:
    """Close the posts database at the end, however the body ends: a run that did not
    save its readings leaves the database as it found it, and no staged file behind."""
    try:
        yield
    finally:
        if cache is not None:
            cache.close()


def _header(cache: BuildCache) -> dict[str, Any]:
    return {"format": CACHE_FORMAT, "key": cache.key, "written_ns": time.time_ns()}


def save_cache(cache: BuildCache) -> OSError | None:
    """Write the cache atomically, the readings first (see the module's docstring); or
    why it cannot be, in which case it is not kept and the next run reads every post
    again. When another run holds the readings, nothing else is written either."""
    if cache.read_only:
        return None
    posts = cache._posts
    posts.save()
    if posts.error is not None or posts.lost:
        return posts.error
    header = _header(cache)
    try:
        cache.folder.mkdir(parents=True, exist_ok=True)
        remove_leftovers(cache.folder)
        if cache.plan_changed:
            plan = None if cache.plan is None else tuple(cache.plan)
            save_pickle(cache.folder / PLAN_FILE, {**header, "plan": plan, "readings": posts.token})
        write_cache_file(cache.folder / STATE_FILE, cache.state.encoded(header))
    except FileNotFoundError:  # a run at the same time removed a staged file as a leftover:
        return None  # not a lasting problem, and that run's cache serves as well
    except OSError as error:
        return error
    return None


def _load_pickle(path: Path, key: str) -> dict[str, Any] | None:
    """One of our pickle files, if it is whole and written for this key."""
    data = load_pickle(path)
    return data if is_ours(data, key) else None
