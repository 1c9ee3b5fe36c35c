"""The build cache: what earlier runs learned, reused only when provably still true.

A cron run every few minutes over a site that never stops growing must not
parse ten thousand posts to learn that nothing changed. Three files, beside
site.yaml in `.feeds-cache/`:

- `state.json` (small): what the last run saw and wrote (see `state`). A
  run that finds it all still true has nothing to do (see `replay`).
- `posts.sqlite`: per post file, its checked front matter (or its problems)
  under its stat, one row a file in an SQLite database (`_Database`). A run
  looks up each file it needs and writes each reading as it comes, so that no
  process holds the readings of the whole site (a million posts' are gigabytes),
  and an edit rewrites one row. The rows are grouped by a hash of the path into
  32 shards (`shard_of`), which `replan` compares with the last run's.
  Each reading is pickled (see `pickles`), which loads back into posts far
  quicker than JSON.
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

How the database is written, so that no run that ends early, however, leaves one
a later run trusts wrongly:
- a run that finds none to use (the first, or after a change of config or code)
  writes a new one under a temporary name (which `publish.remove_leftovers`
  removes if the run is killed), with neither journal nor flush, since nobody
  reads it until it is renamed into place when the cache is saved;
- a later run changes the one it found in place, in one transaction held from the
  moment it opens the database to the save, with SQLite's rollback journal: a run
  that ends any other way leaves it as it was (a killed run's journal is rolled
  back by the next run to open it);
- the rename replaces a database only under SQLite's exclusive lock, which it does
  not wait for while another run has a transaction on it (that run keeps its
  readings, and this run's are dropped), and a journal left beside the database
  replaced, which would belong to none, is removed first;
- one run at a time writes: a run that finds another writing (a build into another
  folder, say) keeps none of its readings, nor its plan or state, which would not
  go with the readings kept;
- `feeds check` opens the database read-only and never writes it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import struct
import time
import zlib
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from operator import methodcaller
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from ..model import Stamp
from ..publish import _TEMP_PREFIX, remove_leftovers
from ..source.listing import Listing
from .pickles import dump_entry, load_entry, load_pickle, save_pickle, write_cache_file
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
POSTS_FILE = "posts.sqlite"
POSTS_SHARDS = 32
"""The per-post readings are grouped into this many shards by a hash of the post's
path: `replan` reads the stamps of only the shards whose files changed."""

_SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value)",
    "CREATE TABLE readings (relative BLOB NOT NULL, shard INTEGER NOT NULL,"
    " stamp BLOB NOT NULL, written_ns INTEGER NOT NULL, checksum INTEGER NOT NULL,"
    " entry BLOB NOT NULL)",
    "CREATE UNIQUE INDEX readings_by_shard ON readings (shard, relative)",
)
"""`meta` holds the cache's format, key and token and when the rows were last saved
(`is_ours`). A row of `readings` is a post file's: its path from the posts folder (as
`utf8` encodes it, since a file's name need not be UTF-8), its shard (`shard_of`), its
stamp packed (`_STAMP`), when the run that read it began (for racy mtimes), the CRC-32
of its stamp, time and entry (`_checksum`), and its entry (a `records.PostEntry` as
`pickles.dump_entry` pickles it). One index, by shard and path, finds a file's row and a
shard's rows alike: every index is written with every row."""
_STAMP = struct.Struct("<qqQq")
"""A stamp as the database keeps it: size, mtime, inode (unsigned 64-bit) and ctime."""
_NS = struct.Struct("<q")
_LOOKUP = "SELECT stamp, written_ns, checksum, entry FROM readings WHERE shard = ? AND relative = ?"
_WRITTEN = "SELECT written_ns FROM readings WHERE shard = ? AND relative = ?"
_SHARD = "SELECT relative, stamp, written_ns, checksum, entry FROM readings WHERE shard = ?"
_NAMES = "SELECT relative FROM readings WHERE shard = ?"
_WRITE = "INSERT OR REPLACE INTO readings VALUES (?, ?, ?, ?, ?, ?)"
_BATCH = 32
_WRITE_BATCH = "INSERT OR REPLACE INTO readings VALUES " + ", ".join(
    ["(?, ?, ?, ?, ?, ?)"] * _BATCH
)
"""Rows are written `_BATCH` to a statement: SQLite runs one statement's program for all."""
_FORGET = "DELETE FROM readings WHERE shard = ? AND relative = ?"
_SAVED = "UPDATE meta SET value = ? WHERE name = ?"
_WAIT_S = 2.0
"""How long a run waits for another to release the database (SQLite's busy timeout):
readers hold it a statement at a time; a run writing it holds it to its end, and is
not waited for longer."""
_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

_Row = tuple[bytes, int, bytes, int, int, bytes]
"""A row of `readings` as written."""


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
    _posts: _Database = field(init=False)
    _started_ns: int = field(init=False)
    """When the run began, before it read any post: the time its readings are kept under."""
    _written: list[dict[str, int] | None] = field(init=False)
    """For each shard whose stamps were asked for (see `shard_stamps`), when each of its
    readings was taken (see `_started_ns`), until a reading of theirs is written."""
    _plan: SavedPlan | None = field(init=False)
    _plan_loaded: bool = field(init=False)

    def __post_init__(self) -> None:
        # Set here, not as the fields' defaults, which a compiled dataclass (mypyc) skips.
        self._posts = _Database(self.folder, self.key, read_only=self.read_only)
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
        return written_ns is None or stamp[1] >= written_ns - _RACY_NS

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
        `pickles.dump_entry`), written to the database at once, not held: they are kept
        when the cache is saved. One without a stamp (a file that could not be
        stat'ed) could never be proved current, so it is not kept."""
        written, started = self._written, self._started_ns
        seed = zlib.crc32(_NS.pack(started))
        pack, crc32 = _STAMP.pack, zlib.crc32

        def values() -> Iterator[_Row]:
            for relative, stamp, data in rows:
                if stamp is None:
                    continue
                try:
                    packed = pack(*stamp)
                except struct.error:  # not a stamp `file_stamp` makes
                    continue
                name = utf8(relative)
                number = crc32(name) % POSTS_SHARDS
                written[number] = None  # asked again if needed
                yield name, number, packed, started, crc32(data, crc32(packed, seed)), data

        self._posts.write(values())

    def forget_posts_except(self, relatives: AbstractSet[str]) -> None:
        """Delete the readings of files not in `relatives`, a shard at a time, reading
        only their paths."""
        for number in range(POSTS_SHARDS):
            names = self._posts.names(number)
            try:
                gone = [name for name in names if _decoded(name) not in relatives]
            except (UnicodeDecodeError, AttributeError):  # a damaged row: decoded one by one
                gone = [name for name in names if _text(name) not in relatives]
            if not gone:
                continue
            self._posts.forget(number, gone)
            written = self._written[number]
            for name in gone:
                relative = _text(name)
                if written is not None and relative is not None:
                    written.pop(relative, None)


class _Database:
    """posts.sqlite as one run uses it (see the module's docstring): the database found,
    opened on first use and, unless the run is read-only, with its write transaction
    taken at once (every query of the run is then made under the lock SQLite would
    otherwise take and release for each); or, when there is none to use, a new one
    staged on the first write. Any SQLite error is a reading not found or a reading not
    kept, never the run's failure."""

    def __init__(self, folder: Path, key: str, *, read_only: bool) -> None:
        self.folder = folder
        self.key = key
        self.read_only = read_only
        self.path = folder / POSTS_FILE
        self.connection: sqlite3.Connection | None = None
        self.opened = False
        self.writes = False
        """`connection` holds this run's write transaction, on the database found or
        on one staged."""
        self.staged: str | None = None
        """The new database's temporary name, until it is renamed into place."""
        self.token: str | None = None
        """The token of the database found, or saved by this run."""
        self.changed = False
        """Rows written or deleted since the transaction began."""
        self.lost = False
        """Readings of this run not kept, because another run writes the database
        (or held it while this one saved): nothing else of the run is saved either."""
        self.error: OSError | None = None
        """Why the readings could not be kept (the disk is full, say)."""

    # --- reading -------------------------------------------------------------------------

    def reader(self) -> sqlite3.Connection | None:
        """The database to read, if there is one to trust."""
        if not self.opened:
            self.opened = True
            self._open()
        return self.connection

    def found_token(self) -> str | None:
        self.reader()
        return self.token

    def _open(self) -> None:
        connection = _connect(self.path, "ro" if self.read_only else "rw")
        if connection is None:
            return
        try:
            connection.execute("PRAGMA synchronous = OFF")  # see `_checksum`
            # Locked first, so that no other run changes the rows after the token is read.
            self.writes = not self.read_only and _began(connection, "BEGIN IMMEDIATE")
            token = _token_if_ours(connection, self.key)
        except sqlite3.Error:
            token = None
        if token is None:
            connection.close()
            self.writes = False
            return
        self.connection = connection
        # Without the lock, another run may change the rows at any time: each is still
        # proved by its own stamp, but no plan can be trusted to go with them.
        self.token = token if self.writes else None

    def reading(self, relative: str, stamp: Stamp) -> PostEntry | None:
        row = self._row(relative)
        if row is None or row[0] != stamp or stamp[1] >= row[1] - _RACY_NS:
            return None
        return row[2]

    def entry(self, relative: str) -> PostEntry | None:
        """The reading of the file at `relative` whose row is whole, whatever its stamp."""
        row = self._row(relative)
        return None if row is None else row[2]

    def _row(self, relative: str) -> tuple[Stamp, int, PostEntry] | None:
        """The file's row, if it is whole: its stamp, when it was taken, its reading."""
        rows = self._query(_LOOKUP, _where(relative))
        if not rows:
            return None
        stored, written_ns, checksum, data = rows[0]
        stamp = _stamp(stored)
        if stamp is None or not isinstance(written_ns, int) or not isinstance(data, bytes):
            return None
        if _checksum(stored, written_ns, data) != checksum:
            return None
        entry = load_entry(data)
        return (stamp, written_ns, entry) if _is_entry(entry, stamp) else None

    def written(self, relative: str) -> int | None:
        """When the reading of the file at `relative` was taken, if there is one."""
        rows = self._query(_WRITTEN, _where(relative))
        return rows[0][0] if rows and isinstance(rows[0][0], int) else None

    def stamps(self, number: int) -> tuple[dict[str, Stamp], dict[str, int]]:
        """The stamps of the shard's readings whose row is whole, and when each was
        taken: without unpickling them."""
        stamps: dict[str, Stamp] = {}
        written: dict[str, int] = {}
        for relative, stamp, written_ns, _ in self._rows(number):
            stamps[relative], written[relative] = stamp, written_ns
        return stamps, written

    def _rows(self, number: int) -> Iterator[tuple[str, Stamp, int, bytes]]:
        """The shard's rows that are whole: path, stamp, when taken, pickled reading."""
        for name, stored, written_ns, checksum, data in self._query(_SHARD, (number,)):
            relative, stamp = _text(name), _stamp(stored)
            if relative is None or stamp is None or not isinstance(data, bytes):
                continue
            if not isinstance(written_ns, int) or _checksum(stored, written_ns, data) != checksum:
                continue
            yield relative, stamp, written_ns, data

    def names(self, number: int) -> list[bytes]:
        """The paths of the shard's readings, as stored."""
        return [name for (name,) in self._query(_NAMES, (number,))]

    def _query(self, query: str, parameters: tuple[Any, ...]) -> list[Any]:
        """The rows `query` gives; none when there is no database to read, or it cannot
        be read (see `_unreadable`)."""
        connection = self.reader()
        if connection is None:
            return []
        try:
            return connection.execute(query, parameters).fetchall()
        except sqlite3.Error as error:
            self._unreadable(error)
            return []

    def _unreadable(self, error: sqlite3.Error) -> None:
        """A query failed: if because the database is damaged, this run's readings go to
        a new one, which replaces it."""
        if _code(error) in _DAMAGED:
            self._drop()

    # --- writing -------------------------------------------------------------------------

    def writer(self) -> sqlite3.Connection | None:
        """The database to write this run's readings to; None when they cannot be kept
        (`lost` and `error` say why, unless the run is read-only)."""
        connection = self.reader()
        if self.read_only or self.writes:
            return connection if self.writes else None
        if self.lost or self.error is not None:
            return None
        if connection is not None:  # found, but another run writes it
            self.lost = True
            return None
        return self._stage()

    def _stage(self) -> sqlite3.Connection | None:
        import tempfile  # only for a run that writes

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            descriptor, self.staged = tempfile.mkstemp(
                prefix=f"{_TEMP_PREFIX}{POSTS_FILE}.", suffix=".tmp", dir=self.folder
            )  # readable by its owner alone: it holds drafts' metadata
            os.close(descriptor)
            connection = sqlite3.connect(self.staged, isolation_level=None, timeout=_WAIT_S)
        except OSError as error:
            self.error = error
            self._drop()
            return None
        except sqlite3.Error as error:
            self._failed(error)
            return None
        try:
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            for statement in _SCHEMA:
                connection.execute(statement)
            meta = {"format": CACHE_FORMAT, "key": self.key, "written_ns": 0, "token": ""}
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            connection.execute("BEGIN")
        except sqlite3.Error as error:
            connection.close()
            self._failed(error)
            return None
        self.connection, self.writes, self.token = connection, True, None
        return connection

    def write(self, rows: Iterable[_Row]) -> None:
        connection = self.writer()
        if connection is None:
            return
        self.changed = True
        batch: list[_Row] = []
        try:
            for row in rows:
                batch.append(row)
                if len(batch) == _BATCH:
                    connection.execute(_WRITE_BATCH, [value for each in batch for value in each])
                    batch.clear()
            connection.executemany(_WRITE, batch)
        except sqlite3.Error as error:
            self._failed(error)

    def forget(self, number: int, names: list[bytes]) -> None:
        """Delete the rows of shard `number` with these paths (as stored)."""
        connection = self.writer()
        if connection is None:
            return
        self.changed = True
        try:
            connection.executemany(_FORGET, [(number, name) for name in names])
        except sqlite3.Error as error:
            self._failed(error)

    def _failed(self, error: sqlite3.Error) -> None:
        """A write failed: if because the database is damaged, this run's readings go
        to a new one (those written so far are lost, which only costs reading them
        again); else none of them is kept."""
        code = _code(error)
        if code in _DAMAGED and self.staged is None:
            self._drop()
        elif code in _BUSY:
            self.lost = True
            self._drop()
        else:
            self.error = _os_error(error)
            self._drop()

    def _drop(self) -> None:
        """No longer use the database this run opened or staged (this run's changes to
        it lost), nor trust the one found."""
        self.close()
        self.opened, self.token = True, None

    # --- the end -------------------------------------------------------------------------

    def save(self) -> None:
        """Make this run's readings the database's, in one commit, and close it; `lost`
        and `error` say if they could not be."""
        connection = self.connection
        if connection is None or not self.writes or not self.changed:
            self.close()
            return
        token = os.urandom(16).hex()
        try:
            connection.executemany(_SAVED, [(token, "token"), (time.time_ns(), "written_ns")])
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            self._failed(error)
            return
        connection.close()
        self.connection, self.writes, self.changed = None, False, False
        staged, self.staged = self.staged, None
        if staged is not None:
            try:
                replaced = _replace(staged, self.path)
            except OSError as error:
                replaced = False
                if not isinstance(error, FileNotFoundError):  # else removed by another run
                    self.error = error
            if not replaced:
                with contextlib.suppress(OSError):
                    os.unlink(staged)
                self.lost = self.error is None
                self.token = None
                self.opened = True
                return
            _remove_pickled_readings(self.folder)
        self.token = token
        self.opened = False  # opened again if the run goes on using it

    def close(self) -> None:
        """Close the database, rolling back what this run did not save, and remove the
        one staged."""
        connection, self.connection = self.connection, None
        self.writes, self.changed, self.opened = False, False, False
        if connection is not None:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
        staged, self.staged = self.staged, None
        if staged is not None:
            with contextlib.suppress(OSError):
                os.unlink(staged)


def _connect(path: Path, mode: str) -> sqlite3.Connection | None:
    """The database at `path`, if there is a file there (`mode` "ro" or "rw": never
    created here)."""
    uri = f"{path.absolute().as_uri()}?mode={mode}"
    try:
        return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=_WAIT_S)
    except sqlite3.Error:
        return None


def _token_if_ours(connection: sqlite3.Connection, key: str) -> str | None:
    """The database's token, if it is of this format (its tables too) and for `key`."""
    tables = connection.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
    if sorted(sql for (sql,) in tables) != sorted(_SCHEMA):
        return None
    meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
    token = meta.get("token")
    return token if is_ours(meta, key) and isinstance(token, str) and token else None


def _began(connection: sqlite3.Connection, statement: str) -> bool:
    """Whether the transaction began; not if another run holds the lock it needs."""
    try:
        connection.execute(statement)
    except sqlite3.OperationalError as error:
        if _code(error) in _BUSY:
            return False
        raise
    return True


def _replace(staged: str, path: Path) -> bool:
    """Rename the database staged at `staged` to `path`, under an exclusive lock on the
    one there, if it is a database: not while another run has a transaction on it, in
    which case False. SQLite stops a run that opened the old one from writing it once
    it is replaced (its journal would be named for the new one)."""
    held = _connect(path, "rw")
    try:
        if held is not None:
            try:
                if not _began(held, "BEGIN EXCLUSIVE"):
                    return False
            except sqlite3.Error:  # not a database: no run can be using it as one
                pass
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}-journal")  # SQLite rolls a hot one back as it locks
        os.replace(staged, path)
        return True
    finally:
        if held is not None:
            held.close()


def _remove_pickled_readings(folder: Path) -> None:
    """The files earlier versions of feeds kept the readings in, now replaced."""
    for number in range(POSTS_SHARDS):
        with contextlib.suppress(OSError):
            os.unlink(folder / f"posts-{number:02d}.pickle")


def _where(relative: str) -> tuple[int, bytes]:
    """The shard and stored path of the file at `relative`, which find its row."""
    name = utf8(relative)
    return zlib.crc32(name) % POSTS_SHARDS, name


def _code(error: sqlite3.Error) -> int:
    """SQLite's primary result code for the error."""
    return getattr(error, "sqlite_errorcode", sqlite3.SQLITE_ERROR) & 0xFF


def _os_error(error: sqlite3.Error) -> OSError:
    if _code(error) == sqlite3.SQLITE_FULL:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return OSError(errno.EIO, f"SQLite: {error}")


_decoded = methodcaller("decode", "utf-8", "surrogatepass")
"""A path as `utf8` stored it (see `_text`)."""


def _text(name: object) -> str | None:
    """A path as `utf8` stored it; None if it is not one."""
    try:
        return name.decode("utf-8", "surrogatepass") if isinstance(name, bytes) else None
    except UnicodeDecodeError:
        return None


def _checksum(stamp: bytes, written_ns: int, entry: bytes) -> int:
    """The CRC-32 of a row's packed stamp, time and entry, which SQLite does not check:
    the cache is not flushed to disk, and a power cut may leave a page part old and
    part new. -1, which no CRC is, for a time out of range."""
    try:
        return zlib.crc32(entry, zlib.crc32(stamp, zlib.crc32(_NS.pack(written_ns))))
    except struct.error:
        return -1


def _stamp(stored: object) -> Stamp | None:
    try:
        return _STAMP.unpack(stored) if isinstance(stored, bytes) else None
    except struct.error:
        return None


def _is_entry(entry: object, stamp: Stamp | None) -> TypeGuard[PostEntry]:
    """A reading of the shape `records.reading_entry` makes, taken with `stamp`; its
    record is checked as it is used."""
    return stamp is not None and isinstance(entry, tuple) and len(entry) == 3 and entry[0] == stamp


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


def shard_of(relative: str) -> int:
    return zlib.crc32(utf8(relative)) % POSTS_SHARDS


def _load_pickle(path: Path, key: str) -> dict[str, Any] | None:
    """One of our pickle files, if it is whole and written for this key."""
    data = load_pickle(path)
    return data if is_ours(data, key) else None
