"""Planning, pure: which posts go into which stream (`streams`), and every file a build
writes with a fingerprint of what its bytes depend on (`outputs`).

Streams are planned from the posts' keys; the posts they show are then asked of a
`Loader` whole, so a plan holds the few posts its feeds show, not the site."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from ..model import Post, PostKey, Problem, Stream
from .outputs import Output, feed_paths, plan_outputs
from .refs import resolve_refs
from .streams import Archive, next_change, plan_streams

if TYPE_CHECKING:
    from ..config import SiteConfig
    from ..source.reading import Scan

Loader = Callable[[Iterable[PostKey]], tuple[dict[str, Post], list[Problem]]]
"""The posts of keys, whole, by source, with the links of their refs as the keys have
them, and an error for each whose file no longer gives its key (see
`source.reading.load_posts`)."""


class SitePlan(NamedTuple):
    """Every output of a site, from its posts as read at one moment."""

    streams: list[Stream]
    """The subscription feeds' streams."""
    outputs: list[Output]
    """Their files, and the index pages; those of the archive pages are made as they are
    published (see `archive_outputs`), a few pages' posts at a time."""
    problems: tuple[Problem, ...]
    posts: int
    """How many valid posts were read."""
    next_change: int | None
    """When the passing of time next changes a feed (see `streams.next_change`)."""
    kept: Mapping[str, str] = MappingProxyType({})
    """Outputs this plan leaves as the last run wrote them, by path, with their
    fingerprints: archive pages an edit did not reach (see `incremental.replan`)."""
    archives: Sequence[Archive] = ()
    """The archive pages of `streams`, made as they are asked for."""

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)


def plan_site(scan: Scan, config: SiteConfig, now: datetime, load: Loader) -> SitePlan:
    keys, unknown = resolve_refs(scan.keys, config, load)  # links between posts
    streams, archives = plan_streams(keys, config, now)
    outputs, changed = _outputs(streams, config, load)
    problems = (*scan.problems, *unknown, *changed)
    return SitePlan(
        streams, outputs, problems, len(keys), next_change(keys, now), archives=archives
    )


ARCHIVE_BATCH_POSTS = 1000
"""About how many posts the archive pages made at a time show (see `archive_outputs`)."""


def archive_paths(archives: Iterable[Archive], config: SiteConfig) -> list[str]:
    """The files of the archive pages."""
    return [
        path
        for archive in archives
        for page in archive.pages()
        for path in feed_paths(page, config)
    ]


def archive_outputs(
    archives: Iterable[Archive], config: SiteConfig, load: Loader
) -> Iterator[tuple[list[Output], list[Problem]]]:
    """The outputs of the archive pages, a batch of pages at a time, with their posts
    read (`load`) for that batch alone: a site's archive pages show every post it has,
    more than a build should hold at once. With each batch, the errors of posts
    whose files changed since they were scanned (then the batch has no outputs)."""
    batch: list[Stream] = []
    size = 0
    for page in itertools.chain.from_iterable(archive.pages() for archive in archives):
        batch.append(page)
        size += len(page.posts)
        if size >= ARCHIVE_BATCH_POSTS:
            yield _outputs(batch, config, load)
            batch, size = [], 0
    if batch:
        yield _outputs(batch, config, load)


def _outputs(
    streams: list[Stream], config: SiteConfig, load: Loader
) -> tuple[list[Output], list[Problem]]:
    """The outputs of `streams`, their posts read whole (`load`), each post once; none
    if a post's file changed since it was scanned, with the errors saying so."""
    posts, changed = load(dict.fromkeys(key for stream in streams for key in stream.posts))
    return ([] if changed else plan_outputs(streams, config, posts)), changed
