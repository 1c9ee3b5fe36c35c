"""A row of posts.sqlite's `readings`: the table, how a reading becomes a row, and
how a row read back is checked (see `database` for how the database is used)."""

from __future__ import annotations

import sqlite3
import struct
import zlib
from collections.abc import Iterable, Iterator
from operator import methodcaller
from typing import TYPE_CHECKING, TypeGuard

from ..model import Stamp
from .state import utf8

if TYPE_CHECKING:
    from .records import PostEntry

POSTS_SHARDS = 32
"""The per-post readings are grouped into this many shards by a hash of the post's
path: `replan` reads the stamps of only the shards whose files changed."""

SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value)",
    "CREATE TABLE readings (relative BLOB NOT NULL, shard INTEGER NOT NULL,"
    " stamp BLOB NOT NULL, written_ns INTEGER NOT NULL, checksum INTEGER NOT NULL,"
    " entry BLOB NOT NULL)",
    "CREATE UNIQUE INDEX readings_by_shard ON readings (shard, relative)",
)
"""`meta` holds the cache's format, key and token and when the rows were last saved
(`state.is_ours`). A row of `readings` is a post file's: its path from the posts folder (as
`utf8` encodes it, since a file's name need not be UTF-8), its shard (`shard_of`), its
stamp packed (`_STAMP`), when the run that read it began (for racy mtimes), the CRC-32
of its stamp, time and entry (`checksum`), and its entry (a `records.PostEntry` as
`pickles.dump_entry` pickles it). One index, by shard and path, finds a file's row and a
shard's rows alike: every index is written with every row."""
_STAMP = struct.Struct("<qqQq")
"""A stamp as the database keeps it: size, mtime, inode (unsigned 64-bit) and ctime."""
_NS = struct.Struct("<q")
LOOKUP = "SELECT stamp, written_ns, checksum, entry FROM readings WHERE shard = ? AND relative = ?"
WRITTEN = "SELECT written_ns FROM readings WHERE shard = ? AND relative = ?"
SHARD = "SELECT relative, stamp, written_ns, checksum, entry FROM readings WHERE shard = ?"
NAMES = "SELECT relative FROM readings WHERE shard = ?"
WRITE = "INSERT OR REPLACE INTO readings VALUES (?, ?, ?, ?, ?, ?)"
BATCH = 32
WRITE_BATCH = "INSERT OR REPLACE INTO readings VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?)"] * BATCH)
"""Rows are written `BATCH` to a statement: SQLite runs one statement's program for all."""
FORGET = "DELETE FROM readings WHERE shard = ? AND relative = ?"
SAVED = "UPDATE meta SET value = ? WHERE name = ?"
Row = tuple[bytes, int, bytes, int, int, bytes]
"""A row of `readings` as written."""


def row_values(
    rows: Iterable[tuple[str, Stamp | None, bytes]], started_ns: int, shards: set[int]
) -> Iterator[Row]:
    """The rows of `keep`'s readings, as written; `shards` gets their shards."""
    seed = zlib.crc32(_NS.pack(started_ns))
    pack, crc32 = _STAMP.pack, zlib.crc32
    for relative, stamp, data in rows:
        if stamp is None:
            continue
        try:
            packed = pack(*stamp)
        except struct.error:  # not a stamp `file_stamp` makes
            continue
        name = utf8(relative)
        number = crc32(name) % POSTS_SHARDS
        shards.add(number)
        yield name, number, packed, started_ns, crc32(data, crc32(packed, seed)), data


def insert(connection: sqlite3.Connection, rows: Iterable[Row]) -> None:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            connection.execute(WRITE_BATCH, [value for each in batch for value in each])
            batch.clear()
    connection.executemany(WRITE, batch)


def where(relative: str) -> tuple[int, bytes]:
    """The shard and stored path of the file at `relative`, which find its row."""
    name = utf8(relative)
    return zlib.crc32(name) % POSTS_SHARDS, name


decoded = methodcaller("decode", "utf-8", "surrogatepass")
"""A path as `utf8` stored it (see `text`)."""


def text(name: object) -> str | None:
    """A path as `utf8` stored it; None if it is not one."""
    try:
        return name.decode("utf-8", "surrogatepass") if isinstance(name, bytes) else None
    except UnicodeDecodeError:
        return None


def checksum(stamp: bytes, written_ns: int, entry: bytes) -> int:
    """The CRC-32 of a row's packed stamp, time and entry, which SQLite does not check:
    the cache is not flushed to disk, and a power cut may leave a page part old and
    part new. -1, which no CRC is, for a time out of range."""
    try:
        return zlib.crc32(entry, zlib.crc32(stamp, zlib.crc32(_NS.pack(written_ns))))
    except struct.error:
        return -1


def unpacked_stamp(stored: object) -> Stamp | None:
    try:
        return _STAMP.unpack(stored) if isinstance(stored, bytes) else None
    except struct.error:
        return None


def is_entry(entry: object, stamp: Stamp | None) -> TypeGuard[PostEntry]:
    """A reading of the shape `records.reading_entry` makes, taken with `stamp`; its
    record is checked as it is used."""
    return stamp is not None and isinstance(entry, tuple) and len(entry) == 3 and entry[0] == stamp


def shard_of(relative: str) -> int:
    return zlib.crc32(utf8(relative)) % POSTS_SHARDS
