"""The build cache's pickles: its plan file, written whole with its SHA-256 in front,
and each post's reading in the posts database (see `store`, which checks each row's
checksum), read back by an unpickler that makes plain values only (text, numbers,
bytes, tuples, lists, dicts: `records` keeps posts so), so a planted file or row can at
worst be wrong (which its key and each record's check catch), never run code. A run
that finds nothing changed reads only state.json and never imports this module."""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..publish import write_atomically

_CHECKSUM_BYTES = 32  # the SHA-256 of the pickle, in front of it

_UNREADABLE: tuple[type[Exception], ...] = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    ValueError,
    TypeError,
    LookupError,
    AttributeError,
    ImportError,
    MemoryError,
    RecursionError,
)
"""How reading a file that is not one of our pickles can fail: each damage its own way."""


def load_pickle(path: Path) -> object | None:
    """What the file holds, if it is whole; None if it is missing or damaged."""
    try:
        stored = path.read_bytes()
        checksum, encoded = stored[:_CHECKSUM_BYTES], memoryview(stored)[_CHECKSUM_BYTES:]
        if hashlib.sha256(encoded).digest() != checksum:
            return None  # damaged on disk, or changed by hand
        return _PostsUnpickler(io.BytesIO(encoded)).load()
    except _UNREADABLE:
        return None


def load_entry(data: bytes) -> object | None:
    """A post's reading as `dump_entry` pickled it; None if the bytes are not one of ours."""
    try:
        return _PostsUnpickler(io.BytesIO(data)).load()
    except _UNREADABLE:
        return None


def dump_entry(entry: object) -> bytes:
    """A post's reading (`records.PostEntry`) as the posts database keeps it; the
    reading workers pickle theirs the same way."""
    return pickle.dumps(entry, pickle.HIGHEST_PROTOCOL)


def save_pickle(path: Path, data: dict[str, Any]) -> None:
    encoded = pickle.dumps(data, protocol=5)
    write_cache_file(path, hashlib.sha256(encoded).digest() + encoded)


def write_cache_file(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Private to the user who runs feeds (it holds drafts' metadata), and not flushed
    to disk: a cache lost in a power cut is only rebuilt."""
    write_atomically(path, data, mode=0o600, durable=False)


class _PostsUnpickler(pickle.Unpickler):
    """Makes no object of any class: the cache holds plain values only."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
