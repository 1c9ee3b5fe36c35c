"""Reading every post of a listing: the cache's readings where files are unchanged,
the others read on every core, and the posts that clash refused.

`feeds.posts` turns one file into one post; this module is the process plumbing
around it (forked workers, the pipes they claim chunks and send readings through).
The split keeps `feeds.posts` free of it, so that module can be compiled (see
pyproject.toml) while this one stays plain Python that tests can patch.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import signal
import struct
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Protocol

from .config import SiteConfig
from .forks import reap, run_forked
from .listing import Listing, PostFile, Stamp, list_posts, stamp_of
from .posts import (
    Post,
    PostEntry,
    Reading,
    Repeats,
    new_post,
    read_post,
    reading_entry,
    reading_from_entry,
)
from .problems import Problem, display_path, problems_from_rows

_listed_stamp = attrgetter("stamp")


@dataclass(frozen=True)
class ReadResult:
    """Valid posts, and every problem found."""

    posts: tuple[Post, ...]
    problems: tuple[Problem, ...]
    listing: Listing
    """The listing read, each file with a stamp where it was listed without one: the
    stamp it was read with (see `list_posts`' `stamped`)."""

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)


class PostCache(Protocol):
    """What `read_posts` needs of a cache (see feeds.cache): reuse a reading, or keep one."""

    @property
    def found(self) -> bool:
        """Whether it holds an earlier run's readings, whose stamps a listing must match."""
        ...

    def reading(self, relative: str, stamp: Stamp) -> PostEntry | None:
        """The entry remembered for the file, if its stat proves it unchanged since."""
        ...

    def remember_readings(self, readings: Iterable[tuple[str, PostEntry]]) -> None:
        """Keep each entry under its file's relative path."""
        ...

    def forget_posts_except(self, relatives: AbstractSet[str]) -> None: ...


PARALLEL_MIN_FILES = 1500
"""Below this many files to read, a second process costs more than it saves."""


def read_posts(
    config: SiteConfig,
    cache: PostCache | None = None,
    listing: Listing | None = None,
    *,
    meanwhile: Callable[[], object] | None = None,
) -> ReadResult:
    """Read every post of `listing` (default: `list_posts(config)`, without a `stat` per
    file unless `cache` has readings to compare them with).

    With a cache, files whose stat shows them unchanged are not read again; the
    others are read on every core when there are many of them. `meanwhile` is work
    for this process to do once workers have started reading (a build imports its
    later stages): they read more in the meantime, so it costs about half.
    """
    if listing is None:  # listed here, the listing without stamps is gone once read
        listing = list_posts(config, stamped=cache is not None and cache.found)
    readings: dict[str, Reading] = {}
    misses: list[PostFile] = []
    for post_file in listing.files:
        hit = None
        if cache is not None and (stamp := post_file.stamp) is not None:
            entry = cache.reading(post_file.relative, stamp)
            hit = None if entry is None else reading_from_entry(entry, post_file.path, stamp)
        if hit is None:
            misses.append(post_file)
        else:
            readings[post_file.relative] = hit
    read = _read_all(misses, config, meanwhile)
    relatives = [post_file.relative for post_file in misses]
    entries = [entry for _, entry in read]
    readings.update(zip(relatives, [reading for reading, _ in read], strict=True))
    del read  # one pair a post: 6 MB at 100,000 posts, needed no further
    if cache is not None:
        cache.remember_readings(zip(relatives, entries, strict=True))
        cache.forget_posts_except(readings.keys())
    if None in map(_listed_stamp, misses):  # listed without: take the stamps read with
        read_with = zip(misses, entries, strict=True)
        listing = listing.with_stamps(entry[0] for f, entry in read_with if f.stamp is None)
    problems = list(listing.problems)
    posts: list[Post] = []
    for post_file in listing.files:
        post, found = readings[post_file.relative]
        problems.extend(found)
        if post is not None:
            posts.append(post)
    unique, clashes = _drop_clashes(posts, config)
    problems.extend(clashes)
    return ReadResult(tuple(unique), tuple(problems), listing)


def _read_all(
    files: list[PostFile], config: SiteConfig, meanwhile: Callable[[], object] | None = None
) -> list[tuple[Reading, PostEntry]]:
    """`read_post` for each file, in order, with the reading as the cache keeps it;
    forked workers share the work when it pays.

    The files are cut into chunks that this process and its workers claim one at a
    time, so that a core slowed by the rest of the machine ends up reading less: with
    fixed halves, the build waited up to a tenth of its time for the slower one.
    Workers send cache entries, which are plain values: that is the form the cache
    keeps anyway, and it pickles at C speed.

    Plain `fork` and pipes rather than a `multiprocessing` pool: a pool cost 10 to 40
    ms to start and stop, and its result thread competed with this process's own
    reading for the interpreter lock.
    """
    repeats = Repeats()  # each process fills its own copy
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if cores < 2 or len(files) < PARALLEL_MIN_FILES:
        return _read_chunk(files, config, repeats)
    size = max(-(-len(files) // _MAX_CHUNKS), _MIN_CHUNK_FILES)
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    claims = _claims(len(chunks))
    if claims is None:
        return _read_chunk(files, config, repeats)
    readings: list[list[tuple[Reading, PostEntry]] | None] = [None] * len(chunks)
    workers = [_Worker.forked(chunks, claims, config, repeats) for _ in range(cores - 1)]
    pending = [worker for worker in workers if worker is not None]
    try:
        if meanwhile is not None and pending:
            meanwhile()
        for index in _claimed(claims):  # this process reads too, taking over what has come
            readings[index] = _read_chunk(chunks[index], config, repeats)
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
    results: list[tuple[Reading, PostEntry]] = []
    for chunk, read_there in zip(chunks, readings, strict=True):
        # None: a failed worker had claimed the chunk, so it is read here
        results += _read_chunk(chunk, config, repeats) if read_there is None else read_there
    return results


_MAX_CHUNKS = 255
"""One byte names a chunk in the claims pipe."""
_MIN_CHUNK_FILES = 20
"""Fewer files to a chunk and claiming them costs more than uneven shares would."""


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


class _Worker:
    """A forked process claiming and reading chunks, and the pipe its readings come
    through: one frame a chunk (its number, its size, its pickled cache entries),
    written as soon as the chunk is read. The build takes frames over between chunks
    of its own, rather than all at the end while it waits (20 ms at 10,000 posts)."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe
        self.unread = bytearray()  # the start of a frame still coming
        self.ended = False  # its pipe closed, and the process reaped
        os.set_blocking(pipe, False)

    @classmethod
    def forked(
        cls, chunks: list[list[PostFile]], claims: int, config: SiteConfig, repeats: Repeats
    ) -> _Worker | None:
        """None if the system refuses another process."""
        try:
            reading, writing = os.pipe()
        except OSError:
            return None
        _widen(writing)

        def read_and_send() -> None:
            os.close(reading)
            os.set_blocking(writing, False)  # never wait for the build while chunks are left
            backlog = bytearray()
            for index in _claimed(claims):
                entries = pickle.dumps(_chunk_entries(chunks[index], config, repeats), _PROTOCOL)
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

    def received(
        self, chunks: list[list[PostFile]], *, wait: bool
    ) -> Iterator[tuple[int, list[tuple[Reading, PostEntry]]]]:
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

    def _frames(
        self, chunks: list[list[PostFile]]
    ) -> Iterator[tuple[int, list[tuple[Reading, PostEntry]]]]:
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


_PROTOCOL = pickle.HIGHEST_PROTOCOL
_FRAME = struct.Struct("<BI")
"""A chunk's number (one byte, as in the claims pipe) and its frame's size."""
_PIPE_BYTES = 1 << 20


def _widen(pipe: int) -> None:
    """Let the pipe hold a megabyte where Linux allows (64 KB by default): the build
    takes frames over between its own chunks, and imports its renderers first."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def _send_some(pipe: int, backlog: bytearray) -> None:
    """Write what the pipe takes of `backlog` now (all of it, if the pipe blocks)."""
    with contextlib.suppress(BlockingIOError):
        while backlog:
            del backlog[: os.write(pipe, backlog)]


def _taken_over(chunk: list[PostFile], entries: list[PostEntry]) -> list[tuple[Reading, PostEntry]]:
    readings: list[tuple[Reading, PostEntry]] = []
    for post_file, (stamp, record, rows) in zip(chunk, entries, strict=True):
        # The listing's stamp, unless the file changed before the worker read it:
        # one stamp shared by listing, post and cache (50,000 copies took 11 MB).
        if stamp == post_file.stamp:
            stamp = post_file.stamp
        # Made by `reading_entry` in this run's own code, so not checked as a cache
        # file's records are (that doubled the cost of taking a reading over).
        path = post_file.path
        post = None if record is None else new_post((path, stamp, *record))
        readings.append(((post, problems_from_rows(path, rows)), (stamp, record, rows)))
    return readings


def _read_chunk(
    files: list[PostFile], config: SiteConfig, repeats: Repeats
) -> list[tuple[Reading, PostEntry]]:
    results = []
    for post_file in files:
        post, problems = reading = read_post(post_file.path, config, post_file.stamp, repeats)
        # The stamp read with, else the one listed, else (if listed without) the file's now.
        stamp = post.stamp if post is not None else post_file.stamp or stamp_of(post_file.path)
        results.append((reading, reading_entry(stamp, post, problems)))
    return results


def _chunk_entries(files: list[PostFile], config: SiteConfig, repeats: Repeats) -> list[PostEntry]:
    return [entry for _, entry in _read_chunk(files, config, repeats)]


def _drop_clashes(posts: Iterable[Post], config: SiteConfig) -> tuple[list[Post], list[Problem]]:
    """Refuse posts that share a slug (a link, under a generator's conventions) or an
    id: readers would merge or lose them.

    Generators let dated posts share a name (`2015-08-31-confoo-cfp.md`, then
    `2016-08-26-confoo-cfp.md`) as long as their URLs differ, so there it is the
    link that must be unique. Every post involved is left out (not just the later
    one), since nothing says which of them the editor meant to keep.
    """
    posts = list(posts)
    problems: list[Problem] = []
    clashing: set[str] = set()
    unique_name = (
        ("link", "add {year} or {month} to 'permalink' in site.yaml, or set 'slug:'")
        if config.rules.generator
        else ("slug", "rename one file or set 'slug:'")
    )
    for attribute, advice in (
        unique_name,
        ("id", "remove 'id:' from the copy, or give each its own"),
    ):
        values = list(map(attrgetter(attribute), posts))
        if len(set(values)) == len(values):
            continue  # the usual case, found without grouping 100,000 posts
        groups: dict[str, list[Post]] = defaultdict(list)
        for post in posts:
            groups[getattr(post, attribute)].append(post)
        for value, group in groups.items():
            if len(group) < 2:
                continue
            for post in group:
                others = ", ".join(display_path(Path(p.source)) for p in group if p is not post)
                problems.append(
                    Problem(
                        Path(post.source),
                        1,
                        f"{attribute} {value!r} is also used by {others}; {advice}",
                    )
                )
                clashing.add(post.source)
    if not clashing:
        return posts, problems
    return [post for post in posts if post.source not in clashing], problems
