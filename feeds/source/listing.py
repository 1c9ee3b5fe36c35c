"""Finding post files: the one walk of the posts folder, with each file's stat.

Every run starts here, even one that then finds nothing changed; so this module
holds only the walk, and reading a post is `source.post`'s business.
"""

from __future__ import annotations

import os
import re
import struct
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from operator import methodcaller
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, overload

from ..model import Problem, Severity, Stamp

if TYPE_CHECKING:
    from ..config import SiteConfig

_POST_SUFFIXES = (".md", ".markdown", ".html")


STAT_WHILE_READING_MAX = 30_000
"""Beyond this many files, a listing asked for without stamps is stat'ed all the same:
stamps made while reading would lie scattered among the reading's short-lived
objects, and a large site's peak memory grows with the fragments."""

_STAMP = struct.Struct("4q")
"""A stamp (see `file_stamp`) packed, as `Listing.stamps` holds it: 32 bytes."""
NO_STAMP = _STAMP.pack(-1, -1, -1, -1)
"""A file not stat'ed, packed: no file has a negative size."""
_ROWS = struct.Struct(f"{_STAMP.size}s")
"""A packed stamp as one bytes object."""
_INODES = 2**64
"""Inode numbers are unsigned 64-bit: those from 2**63 on, as some network file systems
give, are packed as their negative counterparts (`_packed`)."""


def file_stamp(status: os.stat_result) -> Stamp:
    """Size, mtime, inode and ctime: together they change whenever the file's bytes do
    (ctime even when an edit restores the old mtime)."""
    return (status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns)


class PostFile(NamedTuple):
    """A post file found below the posts folder; `stamp` is None if it was not (or could
    not be) stat'ed."""

    relative: str
    path: str
    stamp: Stamp | None


_post_file = partial(tuple.__new__, PostFile)
"""`PostFile(...)` from a tuple of its fields, without the named tuple's Python-level
__new__: a run that reads every post makes one per post."""


class Listing:
    """The post files of a site, in an order that does not depend on the file system.

    Every run, even one that finds nothing changed, holds one per post, so they are
    kept packed: `names`, each file's path relative to `folder`, sorted; `stamps`,
    their stamps in the same order, each packed in 32 bytes of one bytes object,
    not a tuple of boxed integers per file. `PostFile`s are made only for the files a
    run reads or compares with the cache (`post_file`, `files`)."""

    def __init__(
        self, folder: str, names: list[str], stamps: bytes, problems: tuple[Problem, ...]
    ) -> None:
        self.folder = folder
        self.names = names
        self.stamps = stamps
        self.problems = problems

    def __len__(self) -> int:
        return len(self.names)

    def stamp(self, index: int) -> Stamp | None:
        """The stamp of the file at `index`, None if it was not stat'ed."""
        size, mtime, inode, ctime = _STAMP.unpack_from(self.stamps, index * _STAMP.size)
        return None if size < 0 else (size, mtime, inode % _INODES, ctime)

    def path(self, index: int) -> str:
        """The path of the file at `index`, as the walk found it."""
        return os.path.join(self.folder, self.names[index])

    def post_file(self, index: int) -> PostFile:
        return _post_file((self.names[index], self.path(index), self.stamp(index)))

    @property
    def files(self) -> Sequence[PostFile]:
        """Every file, each made as it is asked for: a run keeps of a post its key alone,
        so a file's path and stamp need not outlive its reading."""
        return _Files(self, range(len(self.names)))

    def files_at(self, indices: Sequence[int]) -> Sequence[PostFile]:
        """The files at `indices`, in that order, each made as it is asked for."""
        return _Files(self, indices)

    def index(self, path: str) -> int:
        """Where the file at `path` (as `path` gives it) is listed; ValueError if it is
        not."""
        prefix = os.path.join(self.folder, "")
        relative = path[len(prefix) :]
        at = bisect_left(self.names, relative)
        if not path.startswith(prefix) or at == len(self.names) or self.names[at] != relative:
            raise ValueError(f"{path} is not listed")
        return at

    def stamps_of(self, indices: Iterable[int]) -> bytes:
        """The packed stamps of the files at `indices`, in that order."""
        size, stamps = _STAMP.size, self.stamps
        return b"".join([stamps[index * size : (index + 1) * size] for index in indices])

    def with_stamps(self, stamps: Iterable[Stamp | None]) -> Listing:
        """This listing with `stamps`, in order, for the files it has none for."""
        given = iter(stamps)
        rows = _ROWS.iter_unpack(self.stamps)
        found = [_packed(next(given)) if row == NO_STAMP else row for (row,) in rows]
        return Listing(self.folder, self.names, b"".join(found), self.problems)


class _Files(Sequence[PostFile]):
    """A listing's files at `indices`, made as they are asked for (see `Listing.files`)."""

    def __init__(self, listing: Listing, indices: Sequence[int]) -> None:
        self.listing, self.indices = listing, indices

    def __len__(self) -> int:
        return len(self.indices)

    @overload
    def __getitem__(self, index: int) -> PostFile: ...

    @overload
    def __getitem__(self, index: slice) -> list[PostFile]: ...

    def __getitem__(self, index: int | slice) -> PostFile | list[PostFile]:
        if isinstance(index, slice):
            return list(map(self.listing.post_file, self.indices[index]))
        return self.listing.post_file(self.indices[index])


def _packed(stamp: Stamp | None) -> bytes:
    """A file's stamp as `Listing.stamps` holds it."""
    if stamp is None:
        return NO_STAMP
    size, mtime, inode, ctime = stamp
    return _STAMP.pack(size, mtime, inode - _INODES if inode >= _INODES // 2 else inode, ctime)


def list_posts(config: SiteConfig, *, stamped: bool = True) -> Listing:
    """The config's post files (see `list_post_files`)."""
    return list_post_files(
        config.posts_dir, config.posts_glob, config_name=config.path.name, stamped=stamped
    )


def list_post_files(
    folder: Path,
    posts_glob: Sequence[str] | None,
    *,
    config_name: str,
    stamped: bool = True,
) -> Listing:
    """Every post file below the posts `folder` (`.md`, `.markdown`, `.html`, or what
    `posts_glob` matches), with its stat unless not `stamped` and there are at most
    STAT_WHILE_READING_MAX files.

    Given the config's settings rather than the config, because a no-change run lists
    the posts as the last run's state recorded them, without reading site.yaml.

    A run with no cache to compare against reads every file anyway, and takes each
    file's stat as it reads it rather than once more here.

    Names starting with `_` are skipped with a note: generators keep drafts
    (`_drafts/`), section pages (`_index.md`) and their own files there.
    Symbolic links that lead out of the folder are refused: a post must not be
    able to publish, say, a file from the server's home folder. Links inside it
    are read (files) or skipped (folders: their files are read where they are).
    """
    if not folder.is_dir():
        problem = Problem(
            folder,
            None,
            "the posts folder does not exist; create it or set 'posts:' in "
            f"{config_name} to the folder that holds your posts",
        )
        return Listing(str(folder), [], b"", (problem,))
    walk = _Walk(os.path.realpath(folder) + os.sep, _post_matcher(posts_glob), stamped)
    walk.folder(str(folder), "")
    walk.problems.sort(key=lambda problem: str(problem.path))
    listing = walk.listing(str(folder))
    if not stamped and len(listing) > STAT_WHILE_READING_MAX:
        listing = listing.with_stamps(
            stamp_of(path) for path in map(listing.path, range(len(listing)))
        )
    return listing


def _post_matcher(posts_glob: Sequence[str] | None) -> Callable[[str], object]:
    """Whether a path relative to the posts folder names a post file (truthy if so).
    Called for every file of every run, so a C-level callable: no Python frame each."""
    if posts_glob is None:
        return methodcaller("endswith", _POST_SUFFIXES)
    from wcmatch import glob  # only for a site that sets posts_glob

    # `*` and `?` stay within a folder, `**` spans folders, names starting with a dot
    # are files like any other: a shell's globstar and dotglob.
    included, _ = glob.translate(list(posts_glob), flags=glob.GLOBSTAR | glob.DOTGLOB)
    pattern = re.compile("|".join(included))
    return pattern.fullmatch


class _Walk:
    """One listing of the posts folder: what it found, in the order found, with each
    file's stamp packed, and its problems."""

    def __init__(self, root: str, is_post: Callable[[str], object], stamped: bool) -> None:
        self.root = root
        self.is_post = is_post
        self.stamped = stamped
        self.stamp = stamp_of if stamped else _no_stamp
        self.names: list[str] = []
        self.stamps: list[bytes] = []
        self.problems: list[Problem] = []

    def folder(self, folder: str, prefix: str) -> None:
        # Entry by entry, not as a list: a large folder's entries held at once leave
        # fragmented memory behind them. The common case, a post file, is handled in
        # the loop, without a call of its own: every cron run lists every post. Its
        # stat is the entry's (for a regular file, the one `lstat` that `stat` would
        # make), packed at once.
        is_post, stamped, pack = self.is_post, self.stamped, _STAMP.pack
        names, stamps = self.names.append, self.stamps.append
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name[0] != "_" and entry.is_file(follow_symlinks=False):
                        if not is_post(relative := prefix + entry.name):
                            continue
                        if not stamped:
                            self.file(relative, entry.path)
                            continue
                        try:
                            status = entry.stat()
                            stamp = pack(
                                status.st_size,
                                status.st_mtime_ns,
                                status.st_ino,
                                status.st_ctime_ns,
                            )
                        except (OSError, struct.error):  # gone, or an inode from 2**63 on
                            self.file(relative, entry.path)
                        else:
                            names(relative)
                            stamps(stamp)
                    else:
                        self.entry(entry, prefix)
        except OSError as error:
            self.problems.append(Problem(Path(folder), None, f"cannot list ({error.strerror})"))

    def entry(self, entry: os.DirEntry[str], prefix: str) -> None:
        name = entry.name
        if name.startswith("_"):
            self.problems.append(
                Problem(
                    Path(entry.path),
                    None,
                    "skipped: a name starting with '_' marks drafts, section pages and a "
                    "generator's own files; rename it to publish it",
                    Severity.NOTE,
                )
            )
        elif entry.is_symlink():
            target = os.path.realpath(entry.path)
            if not (target + os.sep).startswith(self.root):
                self.problems.append(
                    Problem(
                        Path(entry.path),
                        None,
                        f"symbolic link to {target}, outside the posts folder; "
                        "copy the post in instead",
                    )
                )
            elif not entry.is_dir() and self.is_post(relative := prefix + name):
                self.file(relative, entry.path)
        elif entry.is_dir(follow_symlinks=False):
            self.folder(entry.path, f"{prefix}{name}/")

    def file(self, relative: str, path: str) -> None:
        self.names.append(relative)
        self.stamps.append(_packed(self.stamp(path)))

    def listing(self, folder: str) -> Listing:
        """What it found, sorted by name."""
        names, stamps = self.names, self.stamps
        order = sorted(range(len(names)), key=names.__getitem__)
        return Listing(
            folder,
            list(map(names.__getitem__, order)),
            b"".join(map(stamps.__getitem__, order)),
            tuple(self.problems),
        )


def stamp_of(path: str) -> Stamp | None:
    """The file's stamp now; None if it cannot be stat'ed."""
    try:
        return file_stamp(os.stat(path))
    except OSError:
        return None


def _no_stamp(path: str) -> None:
    return None
