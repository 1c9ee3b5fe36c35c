"""The pipeline in one place: config -> posts -> streams -> entries -> bytes -> files.

`plan_feeds` and `render_feed` are the pure middle (same posts, config and time
give the same bytes); `build` adds the edges that touch the world: reading
site.yaml and posts, reading the clock once, the cache, and publishing.

A no-change cron run reads the cache, stats the posts, plans the streams and
finds every feed's fingerprint already on disk: it renders nothing, reads no
post body, and does not even import the Markdown, HTML and XML libraries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import LastRun, load_cache, next_due_ns, save_cache, tree_digest
from .config import SiteConfig, load_config
from .fields import Person
from .posts import list_posts, read_body, read_posts
from .problems import Problem, Severity
from .publish import (
    PublishReport,
    find_stale,
    output_lock,
    prune,
    publish,
    remove_all_leftovers,
)
from .render import FORMATS
from .streams import SECTIONS, Stream, plan_streams

if TYPE_CHECKING:
    from .content import Entry


@dataclass(frozen=True)
class FeedJob:
    """One feed file to produce: a stream in one format, and what its bytes depend on."""

    path: str
    stream: Stream
    filename: str
    fingerprint: str


@dataclass(frozen=True)
class BuildResult:
    """What a run found and did. `report` is None when nothing was written."""

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
    use_cache: bool = True,
) -> BuildResult:
    """Read the site, render every feed and (unless `write` is False) publish them.

    With errors in the input nothing is written, unless `skip_invalid`, which
    publishes the valid posts and still reports the rest. `now` decides which
    scheduled posts are due; it defaults to the current time, read once.

    Feeds this run no longer produces are reported in `stale` and removed only
    with `prune_stale`. `use_cache=False` ignores and rewrites nothing of the
    build cache (a cold build). Raises `ConfigNotFoundError` when there is no
    config file, `BusyError` when another run holds the output folder for longer
    than `wait` seconds, and `PublishError` when the output cannot be written.
    """
    now = now if now is not None else datetime.now(UTC)
    config, problems = load_config(Path(config_path))
    if config is None:
        return BuildResult(tuple(problems), 0, (), None)
    out_dir = (Path(output_dir) if output_dir else config.output_dir).absolute()
    cache = load_cache(config) if use_cache else None
    listing = list_posts(config)
    tree = tree_digest(listing) if cache is not None else ""
    if cache is not None and write:
        last = cache.replay(tree, now, out_dir)
        if last is not None:
            return _replay(last, out_dir, wait=wait, prune_stale=prune_stale)
    read = read_posts(config, cache, listing)
    jobs = plan_feeds(plan_streams(read.posts, config, now), config)
    feeds = tuple(sorted(job.path for job in jobs))
    summary = BuildResult(read.problems, len(read.posts), feeds, None)
    if not write or (read.has_errors and not skip_invalid):
        if cache is not None:
            cache.remember_run(None)
            save_cache(cache)
        return summary
    with output_lock(out_dir, wait):
        remove_all_leftovers(out_dir, (job.path for job in jobs))
        current = {
            job.path
            for job in jobs
            if cache is not None and cache.feed_is_current(out_dir / job.path, job.fingerprint)
        }
        todo = [job for job in jobs if job.path not in current]
        bodies = {post.id: read_body(post, config) for job in todo for post in job.stream.posts}
        written = publish(out_dir, render_jobs(todo, config, bodies))
        report = PublishReport(written.written, tuple(sorted((*written.unchanged, *current))))
        stale = find_stale(out_dir, {job.path for job in jobs}, SECTIONS, FORMATS)
        if prune_stale:
            prune(out_dir, stale)
        if cache is not None:
            for job in todo:
                cache.remember_feed(out_dir / job.path, job.fingerprint)
            clean = not read.has_errors
            cache.remember_run(
                LastRun(
                    tree=tree,
                    next_due_ns=next_due_ns(read.posts, now),
                    out_dir=str(out_dir),
                    posts=len(read.posts),
                    feeds={job.path: job.fingerprint for job in jobs},
                    warnings=[
                        [str(p.path), p.line, p.message, p.severity.value] for p in read.problems
                    ],
                )
                if clean
                else None
            )
            save_cache(cache)
    return replace(summary, report=report, stale=stale, pruned=prune_stale)


def _replay(
    last: LastRun,
    out_dir: Path,
    *,
    wait: float,
    prune_stale: bool,
) -> BuildResult:
    """Nothing changed since the last run: report what it reported, touch no feed."""
    warnings = tuple(
        Problem(Path(path), line, message, Severity(severity))
        for path, line, message, severity in last.warnings
    )
    feeds = tuple(sorted(last.feeds))
    with output_lock(out_dir, wait):
        remove_all_leftovers(out_dir, feeds)
        stale = find_stale(out_dir, set(feeds), SECTIONS, FORMATS)
        if prune_stale:
            prune(out_dir, stale)
    report = PublishReport((), feeds)
    return BuildResult(warnings, last.posts, feeds, report, stale, prune_stale)


def plan_feeds(streams: Iterable[Stream], config: SiteConfig) -> list[FeedJob]:
    """Every feed file of the site, with the fingerprint of what its bytes depend on."""
    jobs = []
    for stream in streams:
        for filename in FORMATS:
            material = repr(
                (
                    filename,
                    stream.key,
                    stream.title,
                    stream.description,
                    stream.directory,
                    [(post.source.as_posix(), post.stamp, post.id) for post in stream.posts],
                )
            )
            fingerprint = hashlib.sha256(material.encode()).hexdigest()
            jobs.append(FeedJob(stream.directory + filename, stream, filename, fingerprint))
    return jobs


def render_site(
    streams: Iterable[Stream], config: SiteConfig, bodies: Mapping[str, str]
) -> dict[str, bytes]:
    """Every feed of `streams` as `relative path -> bytes`; `bodies` by post id. Pure."""
    return render_jobs(plan_feeds(streams, config), config, bodies)


def render_jobs(
    jobs: Iterable[FeedJob], config: SiteConfig, bodies: Mapping[str, str]
) -> dict[str, bytes]:
    """The bytes of each job's feed file. Pure.

    Imports the Markdown, HTML and XML libraries only here: a run with nothing
    to render never pays for loading them.
    """
    from .content import make_entry
    from .render import Feed

    files: dict[str, bytes] = {}
    entries: dict[str, Entry] = {}
    for job in jobs:
        for post in job.stream.posts:
            if post.id not in entries:
                entries[post.id] = make_entry(post, bodies.get(post.id, ""), config)
        stream_entries = tuple(entries[post.id] for post in job.stream.posts)
        feed = Feed(
            title=job.stream.title,
            description=job.stream.description,
            site_url=config.url,
            self_url=config.url + job.path,
            author=config.author or Person(config.title),
            language=config.language,
            updated=max(entry.updated for entry in stream_entries),
            entries=stream_entries,
        )
        files[job.path] = FORMATS[job.filename](feed)
    return files
