"""posts.sqlite as a file: opening it without ever making it anew, beginning a
transaction without waiting on another run, and replacing it under SQLite's lock (see
`database` for the rules these keep)."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from pathlib import Path

from .rows import SCHEMA
from .state import is_ours

WAIT_S = 2.0
"""How long a run waits for another to release the database (SQLite's busy timeout):
readers hold it a statement at a time; a run writing it holds it to its end, and is
not waited for longer."""
BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def opened(staged: str) -> sqlite3.Connection:
    """The new database at `staged`, with neither journal nor flush (see `database`); never
    made anew if a run at the same time removed it as a leftover."""
    uri = f"{Path(staged).absolute().as_uri()}?mode=rw"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=WAIT_S)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def reopened(staged: str) -> sqlite3.Connection | None:
    """The database a forked process wrote at `staged`, in a transaction; None if it
    cannot be opened."""
    try:
        connection = opened(staged)
    except sqlite3.Error:
        return None
    if not began(connection, "BEGIN"):
        connection.close()
        return None
    return connection


def connect(path: Path, mode: str) -> sqlite3.Connection | None:
    """The database at `path`, if there is a file there (`mode` "ro" or "rw": never
    created here)."""
    uri = f"{path.absolute().as_uri()}?mode={mode}"
    try:
        return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=WAIT_S)
    except sqlite3.Error:
        return None


def token_if_ours(connection: sqlite3.Connection, key: str) -> str | None:
    """The database's token, if it is of this format (its tables too) and for `key`."""
    tables = connection.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
    if sorted(sql for (sql,) in tables) != sorted(SCHEMA):
        return None
    meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
    token = meta.get("token")
    return token if is_ours(meta, key) and isinstance(token, str) and token else None


def began(connection: sqlite3.Connection, statement: str) -> bool:
    """Whether the transaction began; not if another run holds the lock it needs."""
    try:
        connection.execute(statement)
    except sqlite3.OperationalError as error:
        if error_code(error) in BUSY:
            return False
        raise
    return True


def replace(staged: str, path: Path) -> bool:
    """Rename the database staged at `staged` to `path`, under an exclusive lock on the
    one there, if it is a database: not while another run has a transaction on it, in
    which case False. SQLite stops a run that opened the old one from writing it once
    it is replaced (its journal would be named for the new one)."""
    held = connect(path, "rw")
    try:
        if held is not None:
            try:
                if not began(held, "BEGIN EXCLUSIVE"):
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


def error_code(error: sqlite3.Error) -> int:
    """SQLite's primary result code for the error."""
    return getattr(error, "sqlite_errorcode", sqlite3.SQLITE_ERROR) & 0xFF


def os_error(error: sqlite3.Error) -> OSError:
    if error_code(error) == sqlite3.SQLITE_FULL:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return OSError(errno.EIO, f"SQLite: {error}")
