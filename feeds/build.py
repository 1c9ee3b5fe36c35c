"""The pipeline in one place: config -> posts -> streams -> entries -> bytes -> files.

`render_site` is the pure middle (same posts, config and time give the same
bytes); `build` adds the edges that touch the world: reading site.yaml and
posts, reading the clock once, and publishing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from .config import SiteConfig, load_config
from .content import Entry, make_entry
from .fields import Person
from .posts import Post, read_posts
from .problems import Problem
from .publish import PublishReport, find_stale, output_lock, prune, publish
from .render import FORMATS, Feed
from .streams import SECTIONS, Stream, plan_streams


@dataclass(frozen=True)
class BuildResult:
    """What a run found and did. `published` is False when nothing was written."""

    problems: tuple[Problem, ...]
    posts: int
    feeds: tuple[str, ...]
    report: PublishReport | None
    stale: tuple[str, ...] = ()
    pruned: bool = False

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)

    @property
    def published(self) -> bool:
        return self.report is not None


def build(
    config_path: Path | str = "site.yaml",
    *,
    output_dir: Path | str | None = None,
    now: datetime | None = None,
    skip_invalid: bool = False,
    write: bool = True,
    wait: float = 0.0,
    prune_stale: bool = False,
) -> BuildResult:
    """Read the site, render every feed and (unless `write` is False) publish them.

    With errors in the input nothing is written, unless `skip_invalid`, which
    publishes the valid posts and still reports the rest. `now` decides which
    scheduled posts are due; it defaults to the current time, read once.

    Feeds this run no longer produces are reported in `stale` and removed only
    with `prune_stale`. Raises `ConfigNotFoundError` when there is no config
    file, `BusyError` when another run holds the output folder for longer than
    `wait` seconds, and `PublishError` when the output cannot be written.
    """
    now = now if now is not None else datetime.now(UTC)
    config, problems = load_config(Path(config_path))
    if config is None:
        return BuildResult(tuple(problems), 0, (), None)
    read = read_posts(config)
    files = render_site(read.posts, config, now)
    summary = BuildResult(read.problems, len(read.posts), tuple(sorted(files)), None)
    if not write or (read.has_errors and not skip_invalid):
        return summary
    out_dir = Path(output_dir) if output_dir else config.output_dir
    with output_lock(out_dir, wait):
        report = publish(out_dir, files)
        stale = find_stale(out_dir, files, SECTIONS, (f.filename for f in FORMATS))
        if prune_stale:
            prune(out_dir, stale)
    return replace(summary, report=report, stale=stale, pruned=prune_stale)


def render_site(posts: Iterable[Post], config: SiteConfig, now: datetime) -> dict[str, bytes]:
    """Every feed file of the site, as `relative path -> bytes`."""
    streams = plan_streams(posts, config, now)
    entries: dict[str, Entry] = {}
    for stream in streams:
        for post in stream.posts:
            if post.id not in entries:
                entries[post.id] = make_entry(post, config)
    files: dict[str, bytes] = {}
    for stream in streams:
        for feed_format in FORMATS:
            path = stream.directory + feed_format.filename
            feed = _feed(stream, config, path, entries)
            files[path] = feed_format.render(feed)
    return files


def _feed(stream: Stream, config: SiteConfig, path: str, entries: Mapping[str, Entry]) -> Feed:
    stream_entries = tuple(entries[post.id] for post in stream.posts)
    return Feed(
        title=stream.title,
        description=stream.description,
        site_url=config.url,
        self_url=config.url + path,
        author=config.author or Person(config.title),
        language=config.language,
        updated=max(entry.updated for entry in stream_entries),
        entries=stream_entries,
    )
