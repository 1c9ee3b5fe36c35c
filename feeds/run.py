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
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, ParamSpec, TypeVar

from .formats import split_outputs
from .incremental import CACHE_DIR, Incremental
from .model import BuildResult, Problem, PublishReport, Severity, display_path
from .publish import (
    Publication,
    is_foreign_page,
    output_lock,
    remove_all_leftovers,
    stale_outputs,
)

if TYPE_CHECKING:
    from .config import SiteConfig
    from .ids import IdChange
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
    strict_ids: bool = False,
) -> BuildResult:
    """Read the site, render every feed and (unless `write` is False) publish them.

    With errors in the input nothing is written, unless `skip_invalid`, which
    publishes the valid posts and still reports the rest. `now` decides which
    scheduled posts are due; it defaults to the current time, read once.

    Feeds this run no longer produces are reported in `stale` and removed only
    with `prune_stale`. `use_cache=False` ignores and writes no build cache (the
    reference cold build). With `ping`, the WebSub hub hears of every feed whose
    bytes changed, and of those whose notification failed last time.

    Before publishing, the feeds about to be rewritten are compared with the files they
    replace, which hold what subscribers have: a post that would reappear under a new id
    (see `ids.id_changes`) is a warning, and with `strict_ids` an error that publishes
    nothing. Raises
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
    from .plan import archive_outputs, archive_paths, plan_site
    from .source.reading import load_posts, scan_posts

    config, problems = load_config(config_file)  # 1 config
    if config is None:
        return BuildResult(tuple(problems), 0, (), None)
    out_dir = out or config.output_dir.absolute()
    exposed = _exposed(config, out_dir, cache_used=speed is not None)
    with speed.session(writes=write) if speed is not None else contextlib.nullcontext() as door:
        if door is not None:
            load = door.loader(config)
            site = door.plan(config, now, out_dir, load, writes=write)
        else:
            load = functools.partial(load_posts, config=config)  # the posts feeds show, whole
            site = plan_site(scan_posts(config), config, now, load)  # 2 read posts, 3 plan
        site = site._replace(problems=(*problems, *exposed, *site.problems))
        paths = [*(o.path for o in site.outputs), *archive_paths(site.archives, config), *site.kept]
        feeds, pages = split_outputs(paths)
        result = BuildResult(site.problems, site.posts, feeds, None, pages, out_dir=out_dir)
        if not write or (site.has_errors and not skip_invalid):
            return _unpublished(result, door)
        # The archives hold a key of every post: let go once their pages are made, so
        # that the end of the run (a record of every file written) has their room.
        archived = archive_outputs(site.archives, config, load)
        site = site._replace(archives=())
        with output_lock(out_dir, wait):  # 4 render, 5 publish
            done = _render_and_publish(
                site, archived, config, out_dir, door, paths, prune_stale, strict_ids
            )
        if done.report is None:  # an entry's id would change, or a post changed meanwhile
            return _unpublished(result._replace(problems=site.problems + done.refused), door)
        foreign = tuple(_foreign_page(out_dir / o.path) for o in done.foreign)
        warnings = site.problems + done.problems + foreign
        if door is not None:
            door.published(
                config, out_dir, site, done.rendered, done.published, warnings, done.render_warnings
            )
            warnings += tuple(door.problems)  # about the cache: not kept in it
        warnings += done.refused  # about this change of the feeds: not kept either
        result = result._replace(
            problems=warnings, report=done.report, stale=done.stale, pruned=prune_stale
        )
        changed = [path for path in done.report.written if path in done.subscribed]
        return _notified(result, config, door, changed, ping)  # 6 notify


def _unpublished(result: BuildResult, door: Session | None) -> BuildResult:
    """`result` of a run that publishes nothing, which the cache is told."""
    if door is None:
        return result
    door.unpublished()
    return result._replace(problems=(*result.problems, *door.problems))


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
    published: dict[str, str]
    """The outputs published (all but `foreign`): their fingerprints, by path."""
    rendered: set[str]
    """Those rendered, as not already current."""
    subscribed: set[str]
    """Those readers subscribe to (see `Output.is_subscribed`)."""
    report: PublishReport | None
    """None: nothing was published, as an entry's id would change (`strict_ids`) or a
    post's file changed while the build read it."""
    stale: tuple[str, ...]
    foreign: list[Output]
    """Index pages not written, as a page of the site's own is there."""
    problems: tuple[Problem, ...]
    """What rendering found: feeds cut to fit their size budget."""
    render_warnings: Mapping[str, tuple[Problem, ...]]
    """Those of the files rendered by this run, by path, for the cache to keep."""
    refused: tuple[Problem, ...]
    """The posts whose entries' ids the new feeds change (see `_id_changes`), and the
    posts whose files changed while the build read them (errors: nothing published)."""


def _render_and_publish(
    site: SitePlan,
    archived: Iterator[tuple[list[Output], list[Problem]]],
    config: SiteConfig,
    out_dir: Path,
    door: Session | None,
    produced: list[str],
    prune_stale: bool,
    strict_ids: bool,
) -> _Published:
    """Render the outputs whose files do not hold their bytes already, publish them, and
    find (and with `prune_stale` remove) the stale feeds; under the output lock. The
    archive pages come a batch at a time (`archived`, see `plan.archive_outputs`), each
    rendered and staged before the next is made, and every file is renamed into place
    at the end. With `strict_ids`, nothing is published if an entry's id would change."""
    remove_all_leftovers(out_dir, produced)
    foreign = [o for o in site.outputs if o.kind == "index" and is_foreign_page(out_dir / o.path)]
    published: dict[str, str] = {}
    rendered: set[str] = set()
    subscribed: set[str] = set()
    render_warnings: dict[str, tuple[Problem, ...]] = {}
    changes: dict[tuple[str, str], IdChange] = {}
    changed: list[Problem] = []
    batches = itertools.chain([(site.outputs, [])], archived)
    with Publication(out_dir, config.precompress) as publication:
        for outputs, changed_meanwhile in batches:
            changed += changed_meanwhile
            outputs = [output for output in outputs if output not in foreign]
            published |= {output.path: output.fingerprint for output in outputs}
            subscribed |= {output.path for output in outputs if output.is_subscribed}
            made = _staged(outputs, config, out_dir, door, publication)
            rendered |= made.rendered
            render_warnings |= made.problems
            changes |= made.id_changes
            del outputs  # this batch's posts: not held while the next is made
        strict = strict_ids and bool(changes)
        refused = (*changed, *_id_problems(changes.values(), config, strict=strict))
        if strict or changed:
            return _Published({}, set(), set(), None, (), foreign, (), {}, refused)
        report = publication.commit()
    # What rendering gave, also for the files not rendered again, in an order that does
    # not depend on which were: as a build without the cache gives it.
    found: dict[str, tuple[Problem, ...]] = dict(render_warnings)
    if door is not None:
        kept = [path for path in [*published, *site.kept] if path not in rendered]
        found |= {path: door.render_warnings(out_dir, path) for path in kept}
    problems = tuple(problem for path in sorted(found) for problem in found[path])
    produced_here = {*produced} - {output.path for output in foreign}
    stale = stale_outputs(
        out_dir,
        produced_here,
        config.index_page,
        prune_stale=prune_stale,
        feed_globs=config.feed_globs,
        precompress=config.precompress,
    )
    unchanged = tuple(sorted({*report.unchanged, *published, *site.kept} - {*report.written}))
    return _Published(
        published,
        rendered,
        subscribed,
        PublishReport(report.written, unchanged),
        stale,
        foreign,
        problems,
        render_warnings,
        refused,
    )


class _Staged(NamedTuple):
    rendered: set[str]
    """The outputs rendered, as their files do not hold their bytes."""
    problems: dict[str, tuple[Problem, ...]]
    """What rendering found, by path (see `render.Rendered`)."""
    id_changes: dict[tuple[str, str], IdChange]
    """The entries whose ids the staged files change (see `_id_changes`)."""


def _staged(
    outputs: Sequence[Output],
    config: SiteConfig,
    out_dir: Path,
    door: Session | None,
    publication: Publication,
) -> _Staged:
    """The outputs whose files do not hold their bytes already, rendered and staged:
    what of them the rest of the run needs, not their posts or bytes."""
    from .render import render_outputs
    from .source.post import read_body

    current = {o.path for o in outputs if door is not None and door.is_current(out_dir, o, config)}
    rendered = [output for output in outputs if output.path not in current]
    # A post is in several outputs (each format of each stream it is in): read it once.
    posts = {post.id: post for output in rendered for post in output.posts}
    bodies = {post_id: read_body(post, config) for post_id, post in posts.items()}
    made = render_outputs(rendered, config, bodies)
    publication.stage(made.files)
    return _Staged(
        {output.path for output in rendered},
        made.problems,
        _id_changes(out_dir, rendered, made.files, config),
    )


_HELD_FORMATS = {"atom": 0, "rss": 1, "json": 2}
"""The formats whose file stands for what a stream's subscribers hold, by preference:
Atom's dates keep their offset, and its content is the whole post."""


def _id_changes(
    out_dir: Path, rendered: Sequence[Output], files: Mapping[str, bytes], config: SiteConfig
) -> dict[tuple[str, str], IdChange]:
    """The posts whose entries would appear under a new id, by their old and new id:
    every stream being rewritten has its feed file, in the first format of
    `_HELD_FORMATS` that is there, compared with the bytes that replace it (see
    `ids.id_changes`). A file that cannot be read as a feed holds nothing to compare."""
    from .feedreader import FeedError, parse_feed, read_feed
    from .ids import id_changes

    feeds = [
        (_HELD_FORMATS[o.format.name], o.stream.directory, o)
        for o in rendered
        if o.stream is not None and o.format is not None and o.format.name in _HELD_FORMATS
    ]
    held: dict[str, Output] = {}
    for _, directory, output in sorted(feeds, key=lambda feed: feed[0]):
        if directory not in held and (out_dir / output.path).is_file():
            held[directory] = output
    changes: dict[tuple[str, str], IdChange] = {}
    for output in held.values():
        try:
            entries = read_feed(out_dir / output.path)
        except FeedError:
            continue
        for change in id_changes(entries, parse_feed(files[output.path]), output.posts):
            changes.setdefault((change.old, change.new), change)
    return changes


def _id_problems(
    changes: Iterable[IdChange], config: SiteConfig, *, strict: bool
) -> tuple[Problem, ...]:
    """A problem for each post whose entries' ids would change, once however many feeds
    show it: an error with `strict`, else a warning."""
    from .source.post import front_matter_fence

    return tuple(
        change.problem(toml=front_matter_fence(change.post, config) == "+++", strict=strict)
        for change in changes
    )


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
