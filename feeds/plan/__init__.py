"""Planning, pure: which posts go into which stream (`streams`), and every file a build
writes with a fingerprint of what its bytes depend on (`outputs`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from ..model import Problem, Stream
from .outputs import Output, plan_outputs
from .refs import resolve_refs
from .streams import next_change, plan_streams

if TYPE_CHECKING:
    from ..config import SiteConfig
    from ..source.reading import ReadResult


class SitePlan(NamedTuple):
    """Every output of a site, from its posts as read at one moment."""

    streams: list[Stream]
    outputs: list[Output]
    problems: tuple[Problem, ...]
    posts: int
    """How many valid posts were read."""
    next_change: int | None
    """When the passing of time next changes a feed (see `streams.next_change`)."""
    kept: Mapping[str, str] = MappingProxyType({})
    """Outputs this plan leaves as the last run wrote them, by path, with their
    fingerprints: archive pages an edit did not reach (see `incremental.replan`)."""

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)


def plan_site(read: ReadResult, config: SiteConfig, now: datetime) -> SitePlan:
    posts, unknown = resolve_refs(read.posts, config)  # links between posts
    streams = plan_streams(posts, config, now)
    outputs = plan_outputs(streams, config)
    problems = (*read.problems, *unknown)
    return SitePlan(streams, outputs, problems, len(posts), next_change(posts, now))
