"""Work on more than one core: reading posts in forked worker processes.

The files are cut into chunks that this process and its workers claim one at a time
from a pipe, so that a core slowed by the rest of the machine ends up reading less.
Workers send each chunk back through a pipe of their own: what the build keeps of
each file (its post's key and its problems, plain values that pickle at C speed) and
its reading pickled for the build cache, which this process hands on as it comes
(between chunks of its own), so that no process holds the readings of the whole site.
Plain `fork` and pipes rather than the standard library's process pool:
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
from functools import partial
from typing import Any, NamedTuple, overload

from ..config import SiteConfig
from ..model import PostKey, Stamp
from ..source.listing import PostFile, stamp_of
from ..source.media import MediaSeen
from ..source.post import read_post
from ..source.reading import Scanned, scanned
from .pickles import dump_entry
from .records import ProblemRows, problem_rows, problems_from_rows, reading_entry

PARALLEL_MIN_FILES = 1500
"""Below this many files to read, a second process costs more than it saves."""
MAX_CHUNKS = 255
"""One byte names a chunk in the claims pipe."""
MIN_CHUNK_FILES = 20
"""Fewer files to a chunk and claiming them costs more than uneven shares would."""


class Chunks(Sequence[Sequence[PostFile]]):
    """`files` cut into chunks of `size`, each made as it is read: the files of a
    million-post site as objects would take more memory than the rest of the build."""

    def __init__(self, files: Sequence[PostFile], size: int) -> None:
        self.files, self.size = files, size

    def __len__(self) -> int:
        return -(-len(self.files) // self.size)

    @overload
    def __getitem__(self, index: int) -> Sequence[PostFile]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Sequence[PostFile]]: ...

    def __getitem__(self, index: int | slice) -> Sequence[PostFile] | Sequence[Sequence[PostFile]]:
        if isinstance(index, slice):
            return [self[number] for number in range(len(self))[index]]
        start = range(0, len(self.files), self.size)[index]
        return self.files[start : start + self.size]


CacheRow = tuple[str, Stamp, bytes]
"""A file's reading as the build cache keeps it: its relative path, its stamp, and its
`records.PostEntry` pickled."""
Keep = Callable[[list[CacheRow]], None]
"""Takes each chunk's rows for the cache as soon as the chunk is read, so that no
process holds the readings of the whole site."""

Found = Callable[[int, Scanned], None]
"""Takes each file's scan, with the file's place among the files read."""

_Sent = tuple[tuple[Any, ...] | None, ProblemRows, MediaSeen | None, Stamp | None, bytes]
"""A file as a worker sends it: its `Scanned` (the key as a plain tuple, the problems as
rows), its stamp and its pickled cache entry."""


def read_entries(
    files: Sequence[PostFile],
    config: SiteConfig,
    meanwhile: Callable[[], object],
    keep: Keep,
    found: Found,
) -> None:
    """Each file read and scanned (see `source.reading.scanned`), on every core when
    there are enough files: `found` is given each file's place in `files` and its
    scan, and `keep` its cache row, as its chunk is read. `meanwhile` is work for this
    process to do once the workers have started (they read more in the meantime)."""
    reader = _Reader(config)
    size = max(-(-len(files) // MAX_CHUNKS), MIN_CHUNK_FILES)
    chunks = Chunks(files, size)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    claims = _claims(len(chunks)) if cores > 1 and len(files) >= PARALLEL_MIN_FILES else None
    if claims is None:  # one core, or too few files to share
        for index in range(len(chunks)):
            reader.chunk(chunks, index, keep, found)
        return
    done = [False] * len(chunks)
    workers = [_Worker.forked(chunks, claims, reader) for _ in range(cores - 1)]
    pending = [worker for worker in workers if worker is not None]
    try:
        if pending:
            meanwhile()

        def pull() -> None:
            for worker in pending:
                worker.pull()

        for index in _claimed(claims):  # this process reads too, taking over what has come
            reader.chunk(chunks, index, keep, found, pull)
            done[index] = True
            for worker in pending:
                for taken in worker.received(chunks, keep, found, wait=False):
                    done[taken] = True
            pending = [worker for worker in pending if not worker.ended]
        while pending:
            for taken in pending[0].received(chunks, keep, found, wait=True):
                done[taken] = True
            del pending[0]
    finally:
        os.close(claims)
        for worker in pending:  # only when interrupted (SIGTERM, Ctrl-C): none outlives the run
            worker.stop()
    for index in range(len(chunks)):
        if not done[index]:  # a worker that failed had claimed the chunk: read here
            reader.chunk(chunks, index, keep, found)


TICK_FILES = 200
"""How often (in files read) a process moves what its pipes hold: a worker sends a chunk
only as the pipe takes it, and the build takes it over only between its own chunks, so
a pipe left full between them would leave a worker holding every chunk it reads."""


def _idle() -> None:
    """Nothing to do between files."""


class _Reader:
    """Reads files with one config, remembering the values it checked (see
    `source.keys.Key`) from one chunk to the next; each process has its own."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.remembered: dict[tuple[str, Any], Any] = {}

    def sent(self, files: Sequence[PostFile], tick: Callable[[], None] = _idle) -> list[_Sent]:
        """Each file read: what a worker sends of it (see `_Sent`); `tick` is called
        every TICK_FILES files, to keep the pipes flowing."""
        results: list[_Sent] = []
        for number, post_file in enumerate(files, 1):
            reading = read_post(post_file.path, self.config, post_file.stamp, self.remembered)
            # The stamp read with, else the one listed, else (if listed without) the file's now.
            post = reading[0]
            stamp = post.stamp if post is not None else post_file.stamp or stamp_of(post_file.path)
            entry = dump_entry(reading_entry(stamp, reading))
            key, problems, media = scanned(reading, self.config)
            plain = None if key is None else tuple(key)
            results.append((plain, problem_rows(problems), media, stamp, entry))
            if number % TICK_FILES == 0:
                tick()
        return results

    def chunk(
        self,
        chunks: Chunks,
        index: int,
        keep: Keep,
        found: Found,
        tick: Callable[[], None] = _idle,
    ) -> None:
        """The chunk at `index` read, and taken over here."""
        chunk = chunks[index]
        _taken_over(chunk, index * chunks.size, self.sent(chunk, tick), keep, found)


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
        self.unread = bytearray()  # what has come and is not taken over yet
        self.at_end = False  # its pipe has nothing more to give
        self.ended = False  # its pipe closed, and the process reaped
        os.set_blocking(pipe, False)

    @classmethod
    def forked(cls, chunks: Chunks, claims: int, reader: _Reader) -> _Worker | None:
        """None if the system refuses another process or a pipe."""

        def read_and_send(writing: int) -> None:
            with contextlib.suppress(AttributeError, OSError):  # hold a megabyte where it can
                fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
            os.set_blocking(writing, False)  # never wait for the build while chunks are left
            backlog = bytearray()

            def send() -> None:
                _send_some(writing, backlog)

            for index in _claimed(claims):
                entries = pickle.dumps(reader.sent(chunks[index], send), pickle.HIGHEST_PROTOCOL)
                backlog += _FRAME.pack(index, len(entries)) + entries
                _send_some(writing, backlog)
            os.set_blocking(writing, True)
            _send_some(writing, backlog)

        child = _forked_with_pipe(read_and_send)
        return None if child is None else cls(*child)

    def pull(self) -> None:
        """Take what the pipe holds now, to be taken over later (see TICK_FILES)."""
        while not self.at_end and (data := self._read()) is not None:
            self.at_end = not data
            self.unread += data

    def received(self, chunks: Chunks, keep: Keep, found: Found, *, wait: bool) -> Iterator[int]:
        """The chunks whose frames have come whole, taken over (see `_taken_over`); with
        `wait`, every one still to come, until the worker ends (its pipe closes). Chunks
        of a worker that failed in any way never come, and are read again by the build."""
        if wait:
            os.set_blocking(self.pipe, True)
        yield from self._frames(chunks, keep, found)
        while not self.at_end:
            data = self._read()
            if data is None:
                return
            self.at_end = not data
            self.unread += data
            yield from self._frames(chunks, keep, found)
        # the end: what is left of a frame is from a failed worker
        os.close(self.pipe)
        reap(self.pid)
        self.ended = True

    def _read(self) -> bytes | None:
        """What has come (b"" at the end); None if nothing yet."""
        try:
            return os.read(self.pipe, _PIPE_BYTES)
        except BlockingIOError:
            return None

    def _frames(self, chunks: Chunks, keep: Keep, found: Found) -> Iterator[int]:
        unread = self.unread
        while len(unread) >= _FRAME.size:
            index, size = _FRAME.unpack_from(unread)
            end = _FRAME.size + size
            if len(unread) < end:
                return
            sent = pickle.loads(unread[_FRAME.size : end])
            del unread[:end]
            chunk = chunks[index]
            if len(sent) == len(chunk):  # always, from `forked`; else read again
                _taken_over(chunk, index * chunks.size, sent, keep, found)
                yield index

    def stop(self) -> None:
        stop(self.pid)
        os.close(self.pipe)


def _send_some(pipe: int, backlog: bytearray) -> None:
    """Write what the pipe takes of `backlog` now (all of it, if the pipe blocks)."""
    with contextlib.suppress(BlockingIOError):
        while backlog:
            del backlog[: os.write(pipe, backlog)]


def _taken_over(
    chunk: Sequence[PostFile], start: int, sent: list[_Sent], keep: Keep, found: Found
) -> None:
    """What was read of a chunk's files, the first `start` files along: their scans go
    to `found`, their cache rows to `keep`. Made by `_Reader.sent` in this run's own
    code, so not checked as a cache file's records are."""
    rows: list[CacheRow] = []
    for at, (post_file, (key, problems, media, stamp, entry)) in enumerate(
        zip(chunk, sent, strict=True), start
    ):
        listed = tuple(problems_from_rows(post_file.path, problems)) if problems else ()
        found(at, (None if key is None else _post_key(key), listed, media))
        if stamp is not None:
            rows.append((post_file.relative, stamp, entry))
    keep(rows)


_post_key = partial(tuple.__new__, PostKey)
"""`PostKey(*fields)` from a tuple of its fields, without the named tuple's Python-level
__new__: a build makes one per post."""


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


class Child(NamedTuple):
    """A child forked by `run_in_child`."""

    pid: int
    done: int
    """A pipe the child writes a byte to once its work has returned: known even where
    its wait status is not (see `reap`)."""


def run_in_child(work: Callable[[], None]) -> Child | None:
    """A child running `work` (see `run_forked`); None if there can be none."""

    def work_then_say(done: int) -> None:
        work()
        os.write(done, b"\0")

    child = _forked_with_pipe(work_then_say)
    return None if child is None else Child(*child)


def _forked_with_pipe(work: Callable[[int], None]) -> tuple[int, int] | None:
    """The pid of a child running `work` with the writing end of a new pipe, and the
    pipe's reading end; None if the system gives no pipe or no process."""
    try:
        reading, writing = os.pipe()
    except OSError:
        return None

    def run() -> None:
        os.close(reading)
        work(writing)

    pid = run_forked(run)
    os.close(writing)
    if pid is None:
        os.close(reading)
        return None
    return pid, reading


def succeeded(child: Child) -> bool:
    """Wait for the child to end: whether its work returned."""
    try:
        said = os.read(child.done, 1)  # nothing, once it has ended without a word
    finally:
        os.close(child.done)
        reap(child.pid)
    return said == b"\0"


def _runs_other_threads() -> bool:
    """Counted by the system where it can tell: threads started outside the threading
    module (by a C library, say) count too."""
    try:
        return len(os.listdir("/proc/self/task")) > 1
    except OSError:
        import threading

        return threading.active_count() > 1


def stop(pid: int) -> None:
    """End the child at once, and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    reap(pid)


def reap(pid: int) -> int | None:
    """Wait for the child to end: its wait status, or None if that cannot be known (an
    embedding program that ignores SIGCHLD has the system reap its children)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None
