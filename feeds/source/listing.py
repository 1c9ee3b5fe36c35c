"""Finding post files: the one walk of the posts folder, with each file's stat.

Every run starts here, even one that then finds nothing changed; so this module
holds only the walk, and reading a post is `source.post`'s business.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..model import Problem, Severity, Stamp

if TYPE_CHECKING:
    from ..config import SiteConfig

_POST_SUFFIXES = (".md", ".markdown", ".html")


STAT_WHILE_READING_MAX = 30_000
"""Beyond this many files, a listing asked for without stamps is stat'ed all the same:
stamps made while reading would lie scattered among the reading's short-lived
objects, and a large site's peak memory grows with the fragments."""


def file_stamp(status: os.stat_result) -> Stamp:
    """Size, mtime, inode and ctime: together they change whenever the file's bytes do
    (ctime even when an edit restores the old mtime)."""
    return (status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns)


class PostFile(NamedTuple):
    """A post file found below the posts folder; `stamp` is None if it was not (or could
    not be) stat'ed. The stamp rather than the whole stat result: every run, even one
    that finds nothing changed, keeps one per post."""

    relative: str
    path: str
    stamp: Stamp | None


_post_file = partial(tuple.__new__, PostFile)
"""`PostFile(...)` from a tuple of its fields, without the named tuple's Python-level
__new__: every run makes one per post."""


class Listing(NamedTuple):
    """The post files of a site, in an order that does not depend on the file system."""

    files: tuple[PostFile, ...]
    problems: tuple[Problem, ...]

    def with_stamps(self, stamps: Iterable[Stamp | None]) -> Listing:
        """This listing with `stamps`, in order, for the files it has none for."""
        given = iter(stamps)
        files = [
            f if f.stamp is not None else _post_file((f.relative, f.path, next(given)))
            for f in self.files
        ]
        return Listing(tuple(files), self.problems)


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
        return Listing((), (problem,))
    walk = _Walk(os.path.realpath(folder) + os.sep, _post_matcher(posts_glob), stamped)
    walk.folder(str(folder), "")
    walk.found.sort(key=itemgetter(0))  # by `relative`
    walk.problems.sort(key=lambda problem: str(problem.path))
    listing = Listing(tuple(walk.found), tuple(walk.problems))
    if not stamped and len(listing.files) > STAT_WHILE_READING_MAX:
        listing = listing.with_stamps(stamp_of(post_file.path) for post_file in listing.files)
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
    """One listing of the posts folder: what it found, and its problems."""

    def __init__(self, root: str, is_post: Callable[[str], object], stamped: bool) -> None:
        self.root = root
        self.is_post = is_post
        self.stamp = stamp_of if stamped else _no_stamp
        self.found: list[PostFile] = []
        self.problems: list[Problem] = []

    def folder(self, folder: str, prefix: str) -> None:
        # Entry by entry, not as a list: a large folder's entries held at once leave
        # fragmented memory behind them. The common case, a post file, is handled in
        # the loop, without a call of its own: every cron run lists every post.
        is_post, stamp, found = self.is_post, self.stamp, self.found
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name[0] != "_" and entry.is_file(follow_symlinks=False):
                        if is_post(relative := prefix + entry.name):
                            path = entry.path
                            found.append(_post_file((relative, path, stamp(path))))
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
        self.found.append(_post_file((relative, path, self.stamp(path))))


def stamp_of(path: str) -> Stamp | None:
    """The file's stamp now; None if it cannot be stat'ed."""
    try:
        return file_stamp(os.stat(path))
    except OSError:
        return None


def _no_stamp(path: str) -> None:
    return None
