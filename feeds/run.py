"""A build, stage by stage: config -> read posts -> plan -> render -> publish -> notify.

The middle is pure (no file system, no clock): `now` is read once, here, and every
file is read and written at the edges. Everything that only makes a build faster is
one optional object, `incremental.Incremental`, asked at the points where it can
answer for a stage; without it, this is the reference cold build.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, ParamSpec, TypeVar

from .formats import split_outputs
from .incremental import CACHE_DIR, Incremental
from .model import BuildResult, Problem, PublishReport, Severity, display_path
from .publish import (
    is_foreign_page,
    output_lock,
    publish,
    remove_all_leftovers,
    stale_outputs,
)

if TYPE_CHECKING:
    from .config import SiteConfig
    from .incremental.session import Session
    from .plan import SitePlan
    from .plan.outputs import Output

P = ParamSpec("P")
R = TypeVar("R")


def _cycle_collector_paused(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` with CPython's cycle collector paused, then restore its state.

    A build makes an object or more per post and no reference cycles; the collector
    would rescan them all, again and again as they accumulate. Reference counting
    still frees everything.
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
) -> BuildResult:
    """Read the site, render every feed and (unless `write` is False) publish them.

    With errors in the input nothing is written, unless `skip_invalid`, which
    publishes the valid posts and still reports the rest. `now` decides which
    scheduled posts are due; it defaults to the current time, read once.

    Feeds this run no longer produces are reported in `stale` and removed only
    with `prune_stale`. `use_cache=False` ignores and writes no build cache (the
    reference cold build). With `ping`, the WebSub hub hears of every feed whose
    bytes changed, and of those whose notification failed last time. Raises
    `ConfigNotFoundError` when there is no config file, `BusyError` when another
    run holds the output folder for longer than `wait` seconds, and
    `PublishError` when the output cannot be written.
    """
    now = now if now is not None else datetime.now(UTC)  # the clock, read once
    config_file = Path(config_path).absolute()
    out = Path(output_dir).absolute() if output_dir else None
    speed = Incremental(config_file) if use_cache else None  # the one door, if wanted
    if speed is not None and write:
        unchanged = speed.replay(out, now, wait=wait, prune_stale=prune_stale, ping=ping)
        if unchanged is not None:
            return unchanged  # nothing changed since the last run: its result again

    from .config import load_config
    from .plan import plan_site
    from .source.reading import read_posts

    config, problems = load_config(config_file)  # 1 config
    if config is None:
        return BuildResult(tuple(problems), 0, (), None)
    out_dir = out or config.output_dir.absolute()
    exposed = _exposed(config, out_dir, cache_used=speed is not None)
    with speed.session(writes=write) if speed is not None else contextlib.nullcontext() as door:
        if door is not None:
            site = door.plan(config, now, out_dir, writes=write)
        else:
            site = plan_site(read_posts(config), config, now)  # 2 read posts, 3 plan
        site = site._replace(problems=(*problems, *exposed, *site.problems))
        feeds, pages = split_outputs([*(o.path for o in site.outputs), *site.kept])
        result = BuildResult(site.problems, site.posts, feeds, None, pages, out_dir=out_dir)
        if not write or (site.has_errors and not skip_invalid):
            if door is not None:
                door.unpublished()
                result = result._replace(problems=(*result.problems, *door.problems))
            return result
        with output_lock(out_dir, wait):
            done = _render_and_publish(site, config, out_dir, door, prune_stale)  # 4, 5
        warnings = site.problems + tuple(_foreign_page(out_dir / o.path) for o in done.foreign)
        if door is not None:
            door.published(config, out_dir, done.rendered, done.outputs, warnings)
            warnings += tuple(door.problems)  # about the cache: not kept in it
        result = result._replace(
            problems=warnings, report=done.report, stale=done.stale, pruned=prune_stale
        )
        subscribed = {output.path for output in done.outputs if output.is_subscribed}
        changed = [path for path in done.report.written if path in subscribed]
        return _notified(result, config, door, changed, ping)  # 6 notify


def _exposed(config: SiteConfig, out_dir: Path, *, cache_used: bool) -> tuple[Problem, ...]:
    """Alerts for private folders inside the output folder, which the web server serves
    with the feeds: the posts (drafts and scheduled posts among them) and the build
    cache (what it keeps of each post), if it is used or there."""
    out = out_dir.resolve()
    private = {"posts folder": config.posts_dir}
    cache = config.path.parent / CACHE_DIR
    if cache_used or cache.exists():
        private["build cache"] = cache
    return tuple(
        Problem(
            config.path,
            None,
            f"the {name} {display_path(folder)}/ lies inside the output folder "
            f"{display_path(out_dir)}/, so the web server publishes it, drafts and scheduled "
            "posts included; set 'output:' to a folder of its own, like output: public",
            Severity.ALERT,
        )
        for name, folder in private.items()
        if folder.resolve().is_relative_to(out)
    )


class _Published(NamedTuple):
    outputs: list[Output]
    """The outputs published: all but `foreign`."""
    rendered: list[Output]
    """Those rendered, as not already current."""
    report: PublishReport
    stale: tuple[str, ...]
    foreign: list[Output]
    """Index pages not written, as a page of the site's own is there."""


def _render_and_publish(
    site: SitePlan,
    config: SiteConfig,
    out_dir: Path,
    door: Session | None,
    prune_stale: bool,
) -> _Published:
    """Render the outputs whose files do not hold their bytes already, publish them, and
    find (and with `prune_stale` remove) the stale feeds; under the output lock."""
    from .render import render_outputs
    from .source.post import read_body

    produced = [*(output.path for output in site.outputs), *site.kept]
    remove_all_leftovers(out_dir, produced)
    foreign = [o for o in site.outputs if o.kind == "index" and is_foreign_page(out_dir / o.path)]
    outputs = [output for output in site.outputs if output not in foreign]
    current = {o.path for o in outputs if door is not None and door.is_current(out_dir, o)}
    rendered = [output for output in outputs if output.path not in current]
    # A post is in several outputs (each format of each stream it is in): read it once.
    posts = {post.id: post for output in rendered for post in output.posts}
    bodies = {post_id: read_body(post, config) for post_id, post in posts.items()}
    written = publish(out_dir, render_outputs(rendered, config, bodies))
    unchanged = tuple(sorted((*written.unchanged, *current, *site.kept)))
    produced_here = {*produced} - {output.path for output in foreign}
    stale = stale_outputs(
        out_dir,
        produced_here,
        config.index_page,
        prune_stale=prune_stale,
        feed_globs=config.feed_globs,
    )
    return _Published(outputs, rendered, PublishReport(written.written, unchanged), stale, foreign)


def _notified(
    result: BuildResult,
    config: SiteConfig,
    door: Session | None,
    changed: Sequence[str],
    ping: bool,
) -> BuildResult:
    """Notify the WebSub hub of changed feeds plus those whose notification failed before."""
    if not ping or config.websub_hub is None:
        return result
    from .notify import notify

    pending = door.pending_pings() if door is not None else []
    urls = list(dict.fromkeys([*pending, *(config.url + path for path in changed)]))
    failures = notify(config.websub_hub, urls) if urls else {}
    if door is not None:
        door.pinged(list(failures))
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
