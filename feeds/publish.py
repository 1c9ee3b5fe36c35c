"""Writing feeds so that nobody ever reads half of one, and nothing is rewritten for nothing.

A file whose bytes are already right is left alone: its mtime stays, so web
servers keep answering readers' conditional requests with 304. A file that
changes is written to a temporary file in the same folder, flushed to disk and
renamed over the old one, which POSIX makes atomic for readers.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FILE_MODE = 0o644
"""Feeds are public: readable by the web server, whatever mkstemp's private default."""


@dataclass(frozen=True)
class PublishReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]


class PublishError(Exception):
    """The output folder could not be written; the message names the file and the cause."""


def publish(out_dir: Path, files: Mapping[str, bytes]) -> PublishReport:
    """Bring each `relative path -> bytes` in `files` up to date below `out_dir`.

    Touches nothing else in the folder.
    """
    written: list[str] = []
    unchanged: list[str] = []
    for relative in sorted(files):
        target = out_dir / _safe_relative(relative)
        data = files[relative]
        if _has_bytes(target, data):
            unchanged.append(relative)
            continue
        try:
            _write_atomically(target, data)
        except OSError as error:
            raise PublishError(f"{target}: cannot write ({error.strerror or error})") from error
        written.append(relative)
    return PublishReport(tuple(written), tuple(unchanged))


def _safe_relative(relative: str) -> PurePosixPath:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"output path {relative!r} would leave the output folder")
    return path


def _has_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except OSError:
        return False


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable, so a power cut cannot bring the old feed back."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
