"""Work on more than one core: reading posts in forked worker processes, and the forked
child that writes the cache while the build goes on.

The files are cut into chunks that this process and its workers claim one at a time
from a pipe, so that a core slowed by the rest of the machine ends up reading less.
Workers send each chunk's readings back through a pipe of their own as cache entries,
plain values that pickle at C speed, and this process takes them over between chunks
of its own. Plain `fork` and pipes rather than the standard library's process pool:
its result thread competes with this process's own reading for the interpreter lock,
and with this process not reading, a cold build was slower by more than a tenth
(docs/performance.md).

A child forked here never returns into the caller's code and never runs the parent's
exit handlers or flushes its buffered output: it runs its work and ends. Nothing is
forked from a process that runs other threads: a lock another thread held at that
moment (an embedding program's logging, say) would stay held in the child for ever.
Such a program has the work done in its own process, as on a single core.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import signal
import struct
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..config import SiteConfig
from ..model import Post
from ..source.listing import PostFile, stamp_of
from ..source.post import Reading, read_post
from .records import PostEntry, problems_from_rows, reading_entry

PARALLEL_MIN_FILES = 1500
"""Below this many files to read, a second process costs more than it saves."""
MAX_CHUNKS = 255
"""One byte names a chunk in the claims pipe."""
MIN_CHUNK_FILES = 20
"""Fewer files to a chunk and claiming them costs more than uneven shares would."""

ReadEntry = tuple[Reading, PostEntry]
"""A file's reading, and the entry the cache keeps of it."""
Chunks = list[Sequence[PostFile]]


def read_entries(
    files: Sequence[PostFile], config: SiteConfig, meanwhile: Callable[[], object]
) -> list[ReadEntry]:
    """`read_post` for each file, in order, with the entry the cache keeps; on every
    core when there are enough files. `meanwhile` is work for this process to do once
    the workers have started (they read more in the meantime)."""
    reader = _Reader(config)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if cores < 2 or len(files) < PARALLEL_MIN_FILES:
        return reader.chunk(files)
    size = max(-(-len(files) // MAX_CHUNKS), MIN_CHUNK_FILES)
    chunks: Chunks = [files[start : start + size] for start in range(0, len(files), size)]
    claims = _claims(len(chunks))
    if claims is None:
        return reader.chunk(files)
    readings: list[list[ReadEntry] | None] = [None] * len(chunks)
    workers = [_Worker.forked(chunks, claims, reader) for _ in range(cores - 1)]
    pending = [worker for worker in workers if worker is not None]
    try:
        if pending:
            meanwhile()
        for index in _claimed(claims):  # this process reads too, taking over what has come
            readings[index] = reader.chunk(chunks[index])
            for worker in pending:
                for done, chunk_readings in worker.received(chunks, wait=False):
                    readings[done] = chunk_readings
            pending = [worker for worker in pending if not worker.ended]
        while pending:
            for done, chunk_readings in pending[0].received(chunks, wait=True):
                readings[done] = chunk_readings
            del pending[0]
    finally:
        os.close(claims)
        for worker in pending:  # only when interrupted (SIGTERM, Ctrl-C): none outlives the run
            worker.stop()
    results: list[ReadEntry] = []
    for chunk, read_there in zip(chunks, readings, strict=True):
        # None: a worker that failed had claimed the chunk, so it is read here
        results += reader.chunk(chunk) if read_there is None else read_there
    return results


class _Reader:
    """Reads files with one config, remembering the values it checked (see
    `source.keys.Key`) from one chunk to the next; each process has its own."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.remembered: dict[tuple[str, Any], Any] = {}

    def chunk(self, files: Sequence[PostFile]) -> list[ReadEntry]:
        results = []
        for post_file in files:
            reading = read_post(post_file.path, self.config, post_file.stamp, self.remembered)
            # The stamp read with, else the one listed, else (if listed without) the file's now.
            post = reading[0]
            stamp = post.stamp if post is not None else post_file.stamp or stamp_of(post_file.path)
            results.append((reading, reading_entry(stamp, reading)))
        return results

    def entries(self, files: Sequence[PostFile]) -> list[PostEntry]:
        return [entry for _, entry in self.chunk(files)]


def _claims(count: int) -> int | None:
    """A pipe holding the numbers of `count` chunks, a byte each: a process claims the
    next chunk by reading a byte, which no other process can then read. None if the
    system has no pipe to give."""
    try:
        reading, writing = os.pipe()
    except OSError:
        return None
    try:
        os.write(writing, bytes(range(count)))  # fewer than PIPE_BUF bytes: written whole
    finally:
        os.close(writing)
    return reading


def _claimed(claims: int) -> Iterator[int]:
    """The chunks this process claims, until none is left."""
    while claim := os.read(claims, 1):
        yield claim[0]


_FRAME = struct.Struct("<BI")
"""A chunk's number (one byte, as in the claims pipe) and its frame's size."""
_PIPE_BYTES = 1 << 20


class _Worker:
    """A forked process claiming and reading chunks, and the pipe its readings come
    through: one frame a chunk (its number, its size, its pickled cache entries),
    written as soon as the chunk is read."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe
        self.unread = bytearray()  # the start of a frame still coming
        self.ended = False  # its pipe closed, and the process reaped
        os.set_blocking(pipe, False)

    @classmethod
    def forked(cls, chunks: Chunks, claims: int, reader: _Reader) -> _Worker | None:
        """None if the system refuses another process or a pipe."""
        try:
            reading, writing = os.pipe()
        except OSError:
            return None
        with contextlib.suppress(AttributeError, OSError):  # hold a megabyte where Linux can
            fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)

        def read_and_send() -> None:
            os.close(reading)
            os.set_blocking(writing, False)  # never wait for the build while chunks are left
            backlog = bytearray()
            for index in _claimed(claims):
                entries = pickle.dumps(reader.entries(chunks[index]), pickle.HIGHEST_PROTOCOL)
                backlog += _FRAME.pack(index, len(entries)) + entries
                _send_some(writing, backlog)
            os.set_blocking(writing, True)
            _send_some(writing, backlog)

        pid = run_forked(read_and_send)
        os.close(writing)
        if pid is None:
            os.close(reading)
            return None
        return cls(pid, reading)

    def received(self, chunks: Chunks, *, wait: bool) -> Iterator[tuple[int, list[ReadEntry]]]:
        """The chunks whose frames have come whole, with their readings; with `wait`,
        every one still to come, until the worker ends (its pipe closes). Chunks of a
        worker that failed in any way never come, and are read again by the build."""
        if wait:
            os.set_blocking(self.pipe, True)
        while data := self._read():
            self.unread += data
            yield from self._frames(chunks)
        if data is not None:  # the end: what is left of a frame is from a failed worker
            os.close(self.pipe)
            reap(self.pid)
            self.ended = True

    def _read(self) -> bytes | None:
        """What has come (b"" at the end); None if nothing yet."""
        try:
            return os.read(self.pipe, _PIPE_BYTES)
        except BlockingIOError:
            return None

    def _frames(self, chunks: Chunks) -> Iterator[tuple[int, list[ReadEntry]]]:
        unread = self.unread
        while len(unread) >= _FRAME.size:
            index, size = _FRAME.unpack_from(unread)
            end = _FRAME.size + size
            if len(unread) < end:
                return
            entries = pickle.loads(unread[_FRAME.size : end])
            del unread[:end]
            if len(entries) == len(chunks[index]):  # always, from `forked`; else read again
                yield index, _taken_over(chunks[index], entries)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        reap(self.pid)
        os.close(self.pipe)


def _send_some(pipe: int, backlog: bytearray) -> None:
    """Write what the pipe takes of `backlog` now (all of it, if the pipe blocks)."""
    with contextlib.suppress(BlockingIOError):
        while backlog:
            del backlog[: os.write(pipe, backlog)]


def _taken_over(chunk: Sequence[PostFile], entries: list[PostEntry]) -> list[ReadEntry]:
    """A worker's entries as readings, sharing the listing's stamp where the file was
    unchanged (one stamp for listing, post and cache). Made by `reading_entry` in this
    run's own code, so not checked as a cache file's records are."""
    readings: list[ReadEntry] = []
    for post_file, (stamp, record, rows) in zip(chunk, entries, strict=True):
        if stamp == post_file.stamp:
            stamp = post_file.stamp
        path = post_file.path
        post = None if record is None or stamp is None else Post(path, stamp, *record)
        readings.append(((post, problems_from_rows(path, rows)), (stamp, record, rows)))
    return readings


def run_forked(work: Callable[[], None]) -> int | None:
    """The pid of a child running `work`, which ends with status 0 if `work` returned
    and 1 if it raised; None if this process may not fork (see above) or the system
    refuses another process."""
    if not hasattr(os, "fork") or _runs_other_threads():
        return None
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        status = 1
        try:
            work()
            status = 0
        finally:
            os._exit(status)
    return pid


def _runs_other_threads() -> bool:
    """Counted by the system where it can tell: threads started outside the threading
    module (by a C library, say) count too."""
    try:
        return len(os.listdir("/proc/self/task")) > 1
    except OSError:
        import threading

        return threading.active_count() > 1


def reap(pid: int) -> int | None:
    """Wait for the child to end: its wait status, or None if that cannot be known (an
    embedding program that ignores SIGCHLD has the system reap its children)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None
