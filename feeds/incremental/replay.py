"""A run that finds nothing changed since the last: it reports what the last run
reported and touches no feed.

Cron runs `feeds build` every few minutes and almost every run finds nothing changed,
so this check needs only state.json, a listing of the posts folder with each file's
stat, the stat of the media files the posts name and of the output files: not
site.yaml parsed, no post read, no stage of the pipeline. `run.build` makes this
check first, and goes on with what the probe found when something did change.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ..formats import split_outputs
from ..model import BuildResult, PublishReport
from ..precompress import suffixes
from ..publish import (
    output_lock,
    remove_all_leftovers,
    stale_outputs,
)
from ..source.listing import Listing, list_post_files
from .records import problems_from_located_rows
from .state import RunState, load_state, tree_digest


class Probe(NamedTuple):
    """What a run learns before it knows whether anything changed. With the last run's
    state found, `listing` is the posts folder listed as that run listed it, and
    `digest` its `tree_digest`."""

    config_path: Path
    state: RunState
    listing: Listing | None
    digest: str | None


def probe(config_path: Path) -> Probe:
    """The state for the config at this absolute path, and the posts as it lists them."""
    state = load_state(config_path)
    last = state.last_run
    if last is None:
        return Probe(config_path, state, None, None)
    listing = list_post_files(Path(last.posts_dir), last.posts_glob, config_name=config_path.name)
    return Probe(config_path, state, listing, tree_digest(listing))


def replay(
    found: Probe,
    output_dir: Path | None,
    now: int,
    *,
    wait: float = 0.0,
    prune_stale: bool = False,
    ping: bool = False,
) -> BuildResult | None:
    """The last run's result again, if this run, at `now` (as `dates.instant` counts),
    would do exactly the same: the same posts, media files and config, no scheduled
    post fallen due, every output file as it was written, and no WebSub notification
    left to retry (with `ping`). Else None, and nothing was touched.

    Like a build, it removes what killed runs left behind, and reports (and with
    `prune_stale` removes) stale feeds. Raises `BusyError` and `PublishError` as
    `build` does.
    """
    state, last = found.state, found.state.last_run
    if last is None or found.digest != last.tree or last.falls_due(now):
        return None
    if not last.media_unchanged(found.config_path.parent):
        return None
    if ping and state.pending_pings:
        return None
    out_dir = output_dir.absolute() if output_dir is not None else Path(last.default_out_dir)
    if str(out_dir) != last.out_dir:
        return None
    encodings = suffixes(last.precompress)
    for relative, fingerprint in last.feeds.items():
        if not state.feed_is_current(out_dir / relative, fingerprint, encodings):
            return None
    warnings = problems_from_located_rows(last.warnings)
    feeds, site_pages = split_outputs(last.feeds)
    with output_lock(out_dir, wait):
        remove_all_leftovers(out_dir, last.feeds)
        stale = stale_outputs(
            out_dir,
            set(last.feeds),
            last.index_page,
            prune_stale=prune_stale,
            feed_globs=last.feed_globs,
            precompress=last.precompress,
        )
    report = PublishReport((), tuple(sorted(last.feeds)))
    return BuildResult(
        warnings, last.posts, feeds, report, site_pages, stale, prune_stale, out_dir=out_dir
    )
