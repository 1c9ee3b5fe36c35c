"""posts.sqlite: each post file's reading under its stat, one row a file (see `store`).

How the database is written, so that no run that ends early, however, leaves one
a later run trusts wrongly:
- a run that finds none to use (the first, or after a change of config or code)
  writes a new one under a temporary name (which `publish.remove_leftovers`
  removes if the run is killed), with neither journal nor flush, since nobody
  reads it until it is renamed into place when the cache is saved; when it reads
  few posts (`HELD_FILES`, `HELD_BYTES`), it holds their readings and has a forked
  process write them once the posts are read, on a core the rest of the build
  leaves idle, and renames the database only if that process wrote it whole;
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
import time
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Stamp
from ..publish import _TEMP_PREFIX
from .parallel import Child, run_in_child, stop, succeeded
from .pickles import load_entry
from .rows import (
    FORGET,
    LOOKUP,
    NAMES,
    POSTS_SHARDS,
    SAVED,
    SCHEMA,
    SHARD,
    WRITTEN,
    Row,
    checksum,
    decoded,
    insert,
    is_entry,
    row_values,
    text,
    unpacked_stamp,
    where,
)
from .sqlfile import (
    BUSY,
    DAMAGED,
    began,
    connect,
    error_code,
    opened,
    os_error,
    reopened,
    replace,
    token_if_ours,
)
from .state import CACHE_FORMAT

if TYPE_CHECKING:
    from .records import PostEntry

RACY_NS = 2_000_000_000
"""A file modified less than this before the run that read it began may have changed
again within its mtime's resolution: its reading proves nothing (see `reading`)."""

POSTS_FILE = "posts.sqlite"
HELD_FILES = 20_000
"""The most files whose readings a run writing a new database holds, for a forked process
to write once the posts are read (see above). A run reading more writes them as they
come, so that a large site's memory does not grow with its posts."""
HELD_BYTES = 32 << 20
"""The most bytes of pickled readings held so, however few the files (front matter with
long summaries, say): past it, the held readings are written, and the rest as they come."""


class PostsDatabase:
    """posts.sqlite as one run uses it: the database found,
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
        self.held: dict[str, tuple[Stamp, bytes]] = {}
        """Readings of a new database not written yet (see `hold`), with their stamps,
        by relative path; `held_bytes` their size, None while readings are written as
        they come."""
        self.held_bytes: int | None = None
        self.handed: dict[str, tuple[Stamp, bytes]] = {}
        """The held readings that the process `writing` writes to `staged`."""
        self.writing: Child | None = None
        self.started_ns = 0
        """When the run that took the held readings began (see `keep`)."""

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
        connection = connect(self.path, "ro" if self.read_only else "rw")
        if connection is None:
            return
        try:
            connection.execute("PRAGMA synchronous = OFF")  # see `checksum`
            # Locked first, so that no other run changes the rows after the token is read.
            self.writes = not self.read_only and began(connection, "BEGIN IMMEDIATE")
            token = token_if_ours(connection, self.key)
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
        if row is None or row[0] != stamp or stamp[1] >= row[1] - RACY_NS:
            return None
        return row[2]

    def entry(self, relative: str) -> PostEntry | None:
        """The reading of the file at `relative` whose row is whole, whatever its stamp."""
        row = self._row(relative)
        return None if row is None else row[2]

    def _row(self, relative: str) -> tuple[Stamp, int, PostEntry] | None:
        """The file's row, if it is whole: its stamp, when it was taken, its reading."""
        held = self.held.get(relative) or self.handed.get(relative)
        if held is not None:
            entry = load_entry(held[1])
            return (held[0], self.started_ns, entry) if is_entry(entry, held[0]) else None
        rows = self._query(LOOKUP, where(relative))
        if not rows:
            return None
        stored, written_ns, crc, data = rows[0]
        stamp = unpacked_stamp(stored)
        if stamp is None or not isinstance(written_ns, int) or not isinstance(data, bytes):
            return None
        if checksum(stored, written_ns, data) != crc:
            return None
        entry = load_entry(data)
        return (stamp, written_ns, entry) if is_entry(entry, stamp) else None

    def written(self, relative: str) -> int | None:
        """When the reading of the file at `relative` was taken, if there is one."""
        rows = self._query(WRITTEN, where(relative))
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
        for name, stored, written_ns, crc, data in self._query(SHARD, (number,)):
            relative, stamp = text(name), unpacked_stamp(stored)
            if relative is None or stamp is None or not isinstance(data, bytes):
                continue
            if not isinstance(written_ns, int) or checksum(stored, written_ns, data) != crc:
                continue
            yield relative, stamp, written_ns, data

    def names(self, number: int) -> list[bytes]:
        """The paths of the shard's readings, as stored."""
        return [name for (name,) in self._query(NAMES, (number,))]

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
        if error_code(error) in DAMAGED:
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
        staged = self._new_file()
        if staged is None:
            return None
        try:
            connection = self._created(staged)
        except sqlite3.Error as error:
            self._failed(error)
            return None
        self.connection, self.writes, self.token = connection, True, None
        return connection

    def _new_file(self) -> str | None:
        """An empty file for a new database, `staged` (None if there can be none)."""
        import tempfile  # only for a run that writes

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            descriptor, self.staged = tempfile.mkstemp(
                prefix=f"{_TEMP_PREFIX}{POSTS_FILE}.", suffix=".tmp", dir=self.folder
            )  # readable by its owner alone: it holds drafts' metadata
            os.close(descriptor)
        except OSError as error:
            self.error = error
            self._drop()
            return None
        return self.staged

    def _created(self, staged: str) -> sqlite3.Connection:
        """The new database at `staged`, its tables made and its meta written, in a
        transaction."""
        connection = opened(staged)
        try:
            for statement in SCHEMA:
                connection.execute(statement)
            meta = {"format": CACHE_FORMAT, "key": self.key, "written_ns": 0, "token": ""}
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            connection.execute("BEGIN")
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def write(self, rows: Iterable[Row]) -> None:
        connection = self.writer()
        if connection is None:
            return
        self.changed = True
        try:
            insert(connection, rows)
        except sqlite3.Error as error:
            self._failed(error)

    def keep(self, rows: Iterable[tuple[str, Stamp | None, bytes]], started_ns: int) -> set[int]:
        """Write each reading, as (relative path, stamp, entry pickled by
        `pickles.dump_entry`), taken by the run that began at `started_ns`, or hold it
        for `write_meanwhile`; the shards written to (all, while readings are held).
        One without a stamp (a file that could not be stat'ed) could never be proved
        current, so it is not kept."""
        if self.held_bytes is not None and self._writes_new():
            self.started_ns = started_ns
            for relative, stamp, data in rows:
                if stamp is not None:
                    self.held[relative] = stamp, data
                    self.held_bytes += len(data)
            if self.held_bytes <= HELD_BYTES:
                return set(range(POSTS_SHARDS))
            rows, self.held, self.held_bytes = self._taken_held(), {}, None
        shards: set[int] = set()
        self.write(row_values(rows, started_ns, shards))
        return shards

    def hold(self, files: int) -> None:
        """`files` are about to be read: hold their readings for `write_meanwhile` if
        they go to a new database and are few enough (see `HELD_FILES`)."""
        if files <= HELD_FILES and self._writes_new():
            self.held_bytes = 0

    def _writes_new(self) -> bool:
        """Whether this run's readings go to a new database it has not begun yet."""
        return not self.read_only and self.reader() is None and self.writing is None

    def _taken_held(self) -> list[tuple[str, Stamp | None, bytes]]:
        held, self.held = self.held, {}
        return [(relative, stamp, data) for relative, (stamp, data) in held.items()]

    def write_meanwhile(self) -> None:
        """Have a forked process write the held readings to a new database, while this
        one goes on; they are written at the save if there can be no such process."""
        if not self.held or self.writing is not None or self.connection is not None:
            return
        staged = self._new_file()
        if staged is None:
            return
        self.handed, self.held = self.held, {}
        rows = ((relative, stamp, data) for relative, (stamp, data) in self.handed.items())

        def write() -> None:
            connection = self._created(staged)
            insert(connection, row_values(rows, self.started_ns, set()))
            connection.execute("COMMIT")
            connection.close()

        self.writing = run_in_child(write)
        if self.writing is None:
            self.held, self.handed = self.handed, {}

    def _writer_done(self) -> None:
        """Wait for the process writing the handed readings, and go on with the
        database it wrote; or, if it failed, with none."""
        writing, self.writing, self.handed = self.writing, None, {}
        if writing is None or self.staged is None:
            return
        connection = reopened(self.staged) if succeeded(writing) else None
        if connection is None:
            if os.path.exists(self.staged):
                self.error = OSError(errno.EIO, "the process writing the post readings failed")
            else:  # removed as a leftover by a run at the same time, whose cache serves
                self.lost = True
            self._drop()
            return
        self.connection, self.writes, self.changed, self.opened = connection, True, True, True

    def forget_except(self, relatives: AbstractSet[str]) -> list[tuple[int, str | None]]:
        """Delete the rows of files not in `relatives`, a shard at a time, reading only
        their paths; the shard and path of each (None: a path that is not one)."""
        forgotten: list[tuple[int, str | None]] = []
        for number in range(POSTS_SHARDS):
            names = self.names(number)
            try:
                gone = [name for name in names if decoded(name) not in relatives]
            except (UnicodeDecodeError, AttributeError):  # a damaged row: decoded one by one
                gone = [name for name in names if text(name) not in relatives]
            if gone:
                self.forget(number, gone)
                forgotten += [(number, text(name)) for name in gone]
        return forgotten

    def forget(self, number: int, names: list[bytes]) -> None:
        """Delete the rows of shard `number` with these paths (as stored)."""
        connection = self.writer()
        if connection is None:
            return
        self.changed = True
        try:
            connection.executemany(FORGET, [(number, name) for name in names])
        except sqlite3.Error as error:
            self._failed(error)

    def _failed(self, error: sqlite3.Error) -> None:
        """A write failed: if because the database is damaged, this run's readings go
        to a new one (those written so far are lost, which only costs reading them
        again); else none of them is kept."""
        code = error_code(error)
        if code in DAMAGED and self.staged is None:
            self._drop()
        elif code in BUSY:
            self.lost = True
            self._drop()
        else:
            self.error = os_error(error)
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
        self._writer_done()
        if self.held:  # no process could be forked to write them, or taken since
            self.write(row_values(self._taken_held(), self.started_ns, set()))
        connection = self.connection
        if connection is None or not self.writes or not self.changed:
            self.close()
            return
        token = os.urandom(16).hex()
        try:
            connection.executemany(SAVED, [(token, "token"), (time.time_ns(), "written_ns")])
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            self._failed(error)
            return
        connection.close()
        self.connection, self.writes, self.changed = None, False, False
        staged, self.staged = self.staged, None
        if staged is not None:
            try:
                replaced = replace(staged, self.path)
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
        if self.writing is not None:
            stop(self.writing.pid)
            os.close(self.writing.done)
        self.writing, self.handed, self.held = None, {}, {}
        connection, self.connection = self.connection, None
        self.writes, self.changed, self.opened = False, False, False
        if connection is not None:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
        staged, self.staged = self.staged, None
        if staged is not None:
            with contextlib.suppress(OSError):
                os.unlink(staged)


def _remove_pickled_readings(folder: Path) -> None:
    """The files earlier versions of feeds kept the readings in, now replaced."""
    for number in range(POSTS_SHARDS):
        with contextlib.suppress(OSError):
            os.unlink(folder / f"posts-{number:02d}.pickle")
