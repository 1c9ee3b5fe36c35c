"""The build cache's files on disk: pickles written whole with their SHA-256 in front
and read back by an unpickler that can make only posts' parts, dates and plain values;
and the atomic write every cache file goes through, `state.json` included.

Apart from `feeds.cache` because a no-change run reads only `state.json`: it
never imports pickle (2 ms).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import Any

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


def save_pickle(path: Path, data: dict[str, Any]) -> None:
    encoded = pickle.dumps(data, protocol=5)
    write_atomically(path, hashlib.sha256(encoded).digest() + encoded)


class _PostsUnpickler(pickle.Unpickler):
    """Makes nothing but what `post_record` holds: a cache file written by anyone
    else can at worst be wrong, which its key and each record's check then catch."""

    ALLOWED = frozenset(
        {
            ("datetime", "datetime"),
            ("datetime", "timezone"),
            ("datetime", "timedelta"),
            ("zoneinfo", "ZoneInfo"),
            ("feeds.posts", "Category"),
            ("feeds.fields", "Person"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "getattr"):
            return _zone_loader  # how a ZoneInfo pickles: getattr(ZoneInfo, "_unpickle")
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def _zone_loader(owner: object, name: str) -> Any:
    """The one `getattr` a cache file may ask for: any other could reach any object."""
    from zoneinfo import ZoneInfo

    if owner is not ZoneInfo or name != "_unpickle":
        raise pickle.UnpicklingError(f"getattr({owner!r}, {name!r}) is not allowed in the cache")
    return ZoneInfo._unpickle  # type: ignore[attr-defined]  # what pickle stores a zone by


def write_atomically(path: Path, encoded: bytes) -> None:
    """Replace the file whole: a reader sees the old bytes or the new, never a part."""
    for leftover in path.parent.glob(f"{path.name}.*.tmp"):
        leftover.unlink()  # from a killed run
    import tempfile  # with shutil, bz2 and lzma: 4 ms a no-change run does not need

    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(encoded)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
