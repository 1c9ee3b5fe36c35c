"""Reading every post of a listing, and refusing the posts that clash."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..model import Post, Problem, display_path
from .listing import Listing, PostFile, list_posts
from .media import find_media
from .post import Reading, read_post

if TYPE_CHECKING:
    from ..config import SiteConfig

FileReader = Callable[[Sequence[PostFile], "SiteConfig"], list[Reading]]
"""Reads files into readings, in order: `read_files`, or the incremental layer's
reader, which reuses unchanged files' readings and reads the rest on every core."""


class ReadResult(NamedTuple):
    """Valid posts, and every problem found."""

    posts: tuple[Post, ...]
    problems: tuple[Problem, ...]

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)


def read_files(files: Sequence[PostFile], config: SiteConfig) -> list[Reading]:
    """`read_post` for each file, in order; values checked once are remembered."""
    remembered: dict[tuple[str, Any], Any] = {}
    return [read_post(file.path, config, file.stamp, remembered) for file in files]


def read_posts(
    config: SiteConfig, listing: Listing | None = None, read: FileReader = read_files
) -> ReadResult:
    """Every post of `listing` (default: the config's posts folder, listed without a
    stat per file: reading a file takes its stat), read with `read`."""
    if listing is None:
        listing = list_posts(config, stamped=False)
    problems = list(listing.problems)
    posts: list[Post] = []
    for post, found in read(listing.files, config):
        problems += found
        if post is not None and post.media:
            post, found = find_media(post, config)  # on every run: the files may change
            problems += found
            post = None if any(problem.is_error for problem in found) else post
        if post is not None:
            posts.append(post)
    unique, clashes = _drop_clashes(posts, config)
    return ReadResult(tuple(unique), (*problems, *clashes))


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
            continue  # the usual case, found without grouping every post
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
