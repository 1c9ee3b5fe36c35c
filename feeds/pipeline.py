"""The pipeline in one place: config -> posts -> streams -> entries -> bytes -> files.

`streams.plan_streams`, `jobs.plan_jobs` and `jobs.render_jobs` are the pure
middle (same posts, config and time give the same bytes); `build` adds the edges
that touch the world: reading site.yaml and posts, reading the clock once, the
cache, publishing and pinging.

Every output file is a job with a fingerprint of everything its bytes depend
on. A run renders only the jobs whose file is not already exactly that; a
no-change cron run finds nothing to do without reading site.yaml or a single post
(see feeds.replay). Stages past the listing are imported where they are first
used, so such a run never loads the config parser, the planner, the serializers or
the Markdown, HTML and XML libraries.
"""

from __future__ import annotations

import functools
import gc
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from .cache import (
    BuildCache,
    PostsTree,
    SavedPlan,
    next_due_ns,
    save_cache,
    save_readings_meanwhile,
    saver_awaited,
)
from .config import SiteConfig, load_config
from .dates import instant_ns
from .layout import output_patterns, split_outputs
from .listing import Listing, list_posts
from .problems import Problem, Severity, located_rows
from .publish import (
    PublishReport,
    find_stale,
    is_foreign_page,
    output_lock,
    own_index_page,
    prune,
    publish,
    remove_all_leftovers,
)
from .replay import Probe, probe, replay
from .result import BuildResult
from .state import LastRun

if TYPE_CHECKING:
    from .jobs import Job

P = ParamSpec("P")
R = TypeVar("R")


def _cycle_collector_paused(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` with CPython's cycle collector paused, then restore its state.

    A build creates hundreds of thousands of objects (posts, cache records) and no
    reference cycles; the collector rescanning them all, again and again as they
    accumulate, took a quarter of a 100,000-post build. Reference counting still
    frees everything.
    """

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        collecting = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return paused


@_cycle_collector_paused
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
    ping: bool = False,
    probed: Probe | None = None,
) -> BuildResult:
    """Read the site, render every feed and (unless `write` is False) publish them.

    With errors in the input nothing is written, unless `skip_invalid`, which
    publishes the valid posts and still reports the rest. `now` decides which
    scheduled posts are due; it defaults to the current time, read once.

    Feeds this run no longer produces are reported in `stale` and removed only
    with `prune_stale`. `use_cache=False` ignores and writes no build cache (a
    cold build). With `ping`, the WebSub hub hears of every feed whose bytes
    changed, and of those whose notification failed last time. Raises
    `ConfigNotFoundError` when there is no config file, `BusyError` when another
    run holds the output folder for longer than `wait` seconds, and
    `PublishError` when the output cannot be written.

    `probed` is what `feeds.replay.probe` found for this config a moment ago, if
    anything: the `feeds` command's no-change check hands it on when something did
    change, so that the posts are not listed twice.
    """
    now = now if now is not None else datetime.now(UTC)
    config_file = Path(config_path).absolute()
    if not use_cache:
        probed = None
    elif probed is None or probed.config_path != config_file:
        probed = probe(config_file)
    if probed is not None and write:
        replayed = replay(
            probed,
            Path(output_dir) if output_dir else None,
            instant_ns(now),
            wait=wait,
            prune_stale=prune_stale,
            ping=ping,
        )
        if replayed is not None:
            return replayed
    config, problems = load_config(config_file)
    if config is None:
        return BuildResult(tuple(problems), 0, (), None)
    out_dir = (Path(output_dir) if output_dir else config.output_dir).absolute()
    cache = BuildCache(probed.state) if probed is not None else None
    listing = _listing(probed, config)
    # Else made after reading.
    tree = PostsTree(listing, probed.digest if probed else None) if listing is not None else None
    with saver_awaited(cache):
        planned = _replanned(cache, tree, config, now, out_dir) if write else None
        if planned is None:
            planned = _planned(cache, listing, tree, config, now, will_render=write)
        jobs, kept = planned.jobs, planned.kept
        produced = [*(job.path for job in jobs), *kept]
        has_errors = any(problem.is_error for problem in planned.problems)
        feeds, site_pages = split_outputs(produced)
        summary = BuildResult(planned.problems, planned.posts, feeds, None, site_pages)
        if not write or (has_errors and not skip_invalid):
            if cache is not None:
                cache.remember_run(None)
                save_cache(cache)
            return summary
        with output_lock(out_dir, wait):
            remove_all_leftovers(out_dir, produced)
            foreign = [
                job for job in jobs if job.kind == "index" and is_foreign_page(out_dir / job.path)
            ]
            jobs = [job for job in jobs if job not in foreign]
            current = {
                job.path
                for job in jobs
                if cache is not None
                and cache.state.feed_is_current(out_dir / job.path, job.fingerprint)
            }
            todo = [job for job in jobs if job.path not in current]
            from .jobs import render_jobs
            from .posts import read_body

            # A post is in several jobs (each format of each stream it is in): read it once.
            posts = {post.id: post for job in todo for post in job.posts}
            bodies = {post_id: read_body(post, config) for post_id, post in posts.items()}
            written = publish(out_dir, render_jobs(todo, config, bodies))
            report = PublishReport(
                written.written, tuple(sorted((*written.unchanged, *current, *kept)))
            )
            stale = find_stale(
                out_dir,
                {*produced} - {job.path for job in foreign},
                output_patterns(own_index_page(out_dir, config.index_page)),
            )
            if prune_stale:
                prune(out_dir, stale)
            warnings = planned.problems + tuple(
                _foreign_page(out_dir / job.path) for job in foreign
            )
            if cache is not None:
                for job in todo:
                    cache.state.remember_feed(out_dir / job.path, job.fingerprint)
                posts_dir, posts_glob = _posts_listed(config)
                cache.remember_run(
                    LastRun(
                        tree=planned.tree.digest if planned.tree is not None else "",
                        next_due_ns=planned.next_due_ns,
                        out_dir=str(out_dir),
                        posts=planned.posts,
                        feeds={**{job.path: job.fingerprint for job in jobs}, **kept},
                        warnings=located_rows(warnings),
                        default_out_dir=str(config.output_dir),
                        posts_dir=posts_dir,
                        posts_glob=posts_glob,
                        index_page=config.index_page,
                    )
                    if not has_errors
                    else None
                )
                if not has_errors:
                    cache.remember_plan(planned.saved)
                save_cache(cache)
        result = summary._replace(problems=warnings, report=report, stale=stale, pruned=prune_stale)
        subscribed = {
            job.path for job in jobs if job.stream is not None and not job.stream.is_archive
        }
        changed_feeds = [path for path in report.written if path in subscribed]
        return _pinged(result, config, cache, changed_feeds, ping)


@dataclass(frozen=True)
class _Planned:
    """The posts read and planned: every output file but those `kept` as they are."""

    problems: tuple[Problem, ...]
    posts: int
    next_due_ns: int | None
    jobs: list[Job]
    kept: dict[str, str]
    """Archive pages (relative path -> fingerprint) an incremental run leaves alone."""
    saved: SavedPlan | None
    """The plan for the next run to start from (see feeds.incremental)."""
    tree: PostsTree | None
    """The post files as read, for a build with a cache."""


def _listing(probed: Probe | None, config: SiteConfig) -> Listing | None:
    """The posts with each file's stat, when an earlier run's state can be compared
    with them: as the probe listed them, if it listed this config's posts folder."""
    if probed is None or not probed.state.found:
        return None  # read_posts lists the posts itself, taking each stat as it reads
    last = probed.state.last_run
    listed = None if last is None else (last.posts_dir, last.posts_glob)
    if probed.listing is not None and listed == _posts_listed(config):
        return probed.listing
    return list_posts(config)


def _posts_listed(config: SiteConfig) -> tuple[str, list[str] | None]:
    """The posts folder and glob as state.json records them (see `LastRun`)."""
    return str(config.posts_dir), None if config.posts_glob is None else [*config.posts_glob]


def _planned(
    cache: BuildCache | None,
    listing: Listing | None,
    tree: PostsTree | None,
    config: SiteConfig,
    now: datetime,
    *,
    will_render: bool,
) -> _Planned:
    """The full path: read every changed post, plan every stream."""
    from .reading import read_posts

    read = read_posts(config, cache, listing, meanwhile=_load_later_stages if will_render else None)
    from .incremental import save_plan
    from .jobs import plan_jobs
    from .streams import plan_streams

    if cache is not None:
        save_readings_meanwhile(cache)
        tree = tree if tree is not None else PostsTree(read.listing)
    streams = plan_streams(read.posts, config, now)
    saved = save_plan(streams, read.problems, tree) if tree is not None else None
    due = next_due_ns(read.posts, now)
    jobs = plan_jobs(streams, config)
    return _Planned(read.problems, len(read.posts), due, jobs, {}, saved, tree)


def _load_later_stages() -> None:
    """Import planning, rendering and the renderers' libraries while workers read posts
    (they read more meanwhile), rather than before starting them."""
    from .jobs import load_renderers

    importlib.import_module(".incremental", __package__)
    load_renderers()


def _replanned(
    cache: BuildCache | None,
    tree: PostsTree | None,
    config: SiteConfig,
    now: datetime,
    out_dir: Path,
) -> _Planned | None:
    """The incremental path, when only posts' texts changed and archive pages are intact."""
    if cache is None or tree is None or cache.state.last_run is None:
        return None
    from .incremental import replan
    from .jobs import plan_jobs

    replanned = replan(cache, tree, config, now)
    if replanned is None:
        return None
    jobs = plan_jobs(replanned.streams, config)
    planned = {job.path for job in jobs}
    kept = {path: fp for path, fp in cache.state.last_run.feeds.items() if path not in planned}
    if not all(cache.state.feed_is_current(out_dir / path, fp) for path, fp in kept.items()):
        return None
    return _Planned(
        replanned.problems,
        replanned.posts,
        replanned.next_due_ns,
        jobs,
        kept,
        replanned.plan,
        tree,
    )


def _pinged(
    result: BuildResult,
    config: SiteConfig,
    cache: BuildCache | None,
    changed: Iterable[str],
    ping: bool,
) -> BuildResult:
    """Notify the WebSub hub of changed feeds plus those whose notification failed before."""
    if not ping or config.websub_hub is None:
        return result
    from .websub import notify

    pending = cache.state.pending_pings if cache is not None else []
    urls = list(dict.fromkeys([*pending, *(config.url + path for path in changed)]))
    failures = notify(config.websub_hub, urls) if urls else {}
    if cache is not None and (failures or pending):
        cache.state.pending_pings = sorted(failures)
        save_cache(cache)
    pinged = tuple(url for url in urls if url not in failures)
    return result._replace(ping_failures=failures, pinged=pinged)


def _foreign_page(target: Path) -> Problem:
    return Problem(
        target,
        None,
        "exists and was not written by feeds, so it is left alone; set index_page: "
        "feeds.html in site.yaml to write the feeds' index page under another name "
        "(or index_page: false for none)",
        Severity.WARNING,
    )
