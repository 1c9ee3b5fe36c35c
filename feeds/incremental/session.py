"""The door's second part: the rest of a run that the replay could not answer, with
the build cache's readings and plan (see `store`), loaded as they are asked for."""

from __future__ import annotations

from array import array
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from functools import partial
from importlib import import_module
from pathlib import Path

from ..config import SiteConfig
from ..model import Problem, Severity, Stamp
from ..plan import Loader, SitePlan, plan_site
from ..plan.outputs import Output, plan_outputs
from ..precompress import suffixes
from ..publish import os_reason
from ..source.listing import Listing, PostFile, list_posts
from ..source.post import Reading, read_post
from ..source.reading import Scan, Scanned, Scanning, load_posts, scan_posts, scanned
from .parallel import CacheRow, read_entries
from .records import located_rows, problems_from_located_rows, reading_from_entry
from .replan import replan, save_plan
from .replay import Probe
from .state import LastRun
from .store import BuildCache, PostsTree, save_cache


class Session:
    """A run past the replay: what `run.build` asks of the door, and tells it."""

    def __init__(self, probed: Probe, *, writes: bool) -> None:
        self.probed = probed
        self.cache = BuildCache(probed.state, read_only=not writes)
        self.tree: PostsTree | None = None
        self.media: dict[str, list[int] | None] = {}
        """The media files this run's posts led it to look at (see `LastRun.media`)."""
        self.problems: list[Problem] = []
        """What went wrong with the cache itself: a run that cannot keep it still
        builds, but the next one reads every post again, and the operator should know."""

    def loader(self, config: SiteConfig) -> Loader:
        """`source.reading.load_posts`, taking the cache's reading of each file whose
        stat proves it current."""
        return partial(load_posts, config=config, read=partial(self._reading, config=config))

    def plan(
        self, config: SiteConfig, now: datetime, out_dir: Path, load: Loader, *, writes: bool
    ) -> SitePlan:
        """The site's plan: the last run's, replanned, where that gives what planning
        anew would (only for a run that `writes`, which then keeps the outputs the plan
        leaves alone); else the posts scanned and planned as the reference build does."""
        site = self._replanned(config, now, out_dir) if writes else None
        if site is None:
            site = plan_site(self.scan_posts(config), config, now, load)
            if self.tree is not None and not site.has_errors:  # else never replanned (no LastRun)
                shown = {post.source: post for output in site.outputs for post in output.posts}
                saved = save_plan(site.streams, site.archives, shown, site.problems, self.tree)
                self.cache.remember_plan(saved)
        return site

    def scan_posts(self, config: SiteConfig) -> Scan:
        """Every post's key, as `source.reading.scan_posts` scans them."""
        listing = self._listing(config) or list_posts(config, stamped=False)
        stamps: dict[str, Stamp] = {}
        scan = scan_posts(config, listing, partial(self._scan, stamps=stamps))
        self.media = scan.media
        if self.tree is None:
            unstamped = (name for i, name in enumerate(listing.names) if listing.stamp(i) is None)
            stamped = listing.with_stamps(map(stamps.get, unstamped)) if stamps else listing
            self.tree = PostsTree(stamped, self._digest(stamped))
        self.cache.forget_posts_except(set(listing.names))
        return scan

    def _replanned(self, config: SiteConfig, now: datetime, out_dir: Path) -> SitePlan | None:
        last = self.probed.state.last_run
        listing = self._listing(config) if last is not None else None
        if last is None or listing is None:
            return None
        self.tree = PostsTree(listing, self._digest(listing))
        replanned = replan(self.cache, self.tree, config, now)
        if replanned is None:
            return None
        outputs = plan_outputs(replanned.streams, config, replanned.shown)
        planned = {output.path for output in outputs}
        kept = {path: fp for path, fp in last.feeds.items() if path not in planned}
        encodings = suffixes(config.precompress)
        state = self.cache.state
        if not all(state.feed_is_current(out_dir / p, fp, encodings) for p, fp in kept.items()):
            return None
        self.cache.remember_plan(replanned.plan)
        self.media = replanned.media
        return SitePlan(
            replanned.streams,
            outputs,
            replanned.problems,
            replanned.posts,
            replanned.next_change,
            kept,
        )

    def is_current(self, out_dir: Path, output: Output, config: SiteConfig) -> bool:
        """Whether the output's file and its companions hold their fingerprint's bytes."""
        return self.cache.state.feed_is_current(
            out_dir / output.path, output.fingerprint, suffixes(config.precompress)
        )

    def render_warnings(self, out_dir: Path, path: str) -> tuple[Problem, ...]:
        """What rendering the output at `path` gave when it was written, for one this run
        finds current or keeps."""
        return problems_from_located_rows(self.cache.state.feed_warnings(out_dir / path))

    def published(
        self,
        config: SiteConfig,
        out_dir: Path,
        plan: SitePlan,
        rendered: Collection[str],
        outputs: Mapping[str, str],
        warnings: Sequence[Problem],
        render_warnings: Mapping[str, Sequence[Problem]],
    ) -> None:
        """Remember what this run of `plan` wrote (`rendered`, of `outputs`: fingerprints
        by path), with what rendering each file gave, so that the next run can replay it."""
        state = self.cache.state
        encodings = suffixes(config.precompress)
        for path in rendered:
            found = located_rows(render_warnings.get(path, ()))
            state.remember_feed(out_dir / path, outputs[path], encodings, found)
        if self.tree is None or plan.has_errors:
            return self.unpublished()
        glob = None if config.posts_glob is None else [*config.posts_glob]
        self.cache.remember_run(
            LastRun(
                tree=self.tree.digest,
                next_change=plan.next_change,
                out_dir=str(out_dir),
                posts=plan.posts,
                feeds={**outputs, **plan.kept},
                warnings=located_rows(warnings),
                default_out_dir=str(config.output_dir),
                posts_dir=str(config.posts_dir),
                posts_glob=glob,
                index_page=config.index_page,
                feed_globs=config.feed_globs,
                media=self.media,
                precompress=list(config.precompress),
            )
        )
        self._save()

    def unpublished(self) -> None:
        """This run published nothing a next run could replay."""
        self.cache.remember_run(None)
        self._save()

    def pending_pings(self) -> list[str]:
        return self.probed.state.pending_pings

    def pinged(self, failures: Sequence[str]) -> None:
        """Keep the feeds whose notification failed, to retry on the next run."""
        if failures or self.cache.state.pending_pings:
            self.cache.state.pending_pings = sorted(failures)
            self._save()

    def _save(self) -> None:
        error = save_cache(self.cache)
        if error is not None and not self.problems:
            self.problems.append(
                Problem(
                    self.cache.folder,
                    None,
                    f"the build cache cannot be written ({os_reason(error)}), so every run "
                    "reads every post again; let the user who runs feeds write this folder",
                    Severity.WARNING,
                )
            )

    def _listing(self, config: SiteConfig) -> Listing | None:
        """The posts with each file's stat, when an earlier run's state can be compared
        with them: as the probe listed them, if it listed this config's posts folder.
        Listed once a run."""
        if self.tree is not None:
            return self.tree.listing
        state = self.probed.state
        if not state.found:
            return None  # read_posts lists the posts itself, taking each stat as it reads
        last = state.last_run
        glob = None if config.posts_glob is None else [*config.posts_glob]
        listed = None if last is None else (last.posts_dir, last.posts_glob)
        if self.probed.listing is not None and listed == (str(config.posts_dir), glob):
            return self.probed.listing
        return list_posts(config)

    def _digest(self, listing: Listing) -> str | None:
        return self.probed.digest if listing is self.probed.listing else None

    def _reading(self, source: str, config: SiteConfig) -> Reading:
        """The reading of the post file at `source`: the cache's, if the file's stat as
        listed proves it current, else read again."""
        listing = self.tree.listing if self.tree is not None else None
        try:
            hit = (
                None if listing is None else self._cached(listing.post_file(listing.index(source)))
            )
        except ValueError:  # not listed
            hit = None
        return hit if hit is not None else read_post(source, config)

    def _cached(self, post_file: PostFile) -> Reading | None:
        """The cache's reading of the file, if its stat as listed proves it current."""
        stamp = post_file.stamp
        if stamp is None:
            return None
        entry = self.cache.reading(post_file.relative, stamp)
        return None if entry is None else reading_from_entry(entry, post_file.path, stamp)

    def _scan(
        self, listing: Listing, config: SiteConfig, scanning: Scanning, *, stamps: dict[str, Stamp]
    ) -> None:
        """Each file scanned: from the cache's reading if its stat proves it unchanged,
        else read (on every core, while this process loads the renderers the build
        needs next), its reading kept in the cache. `stamps` gets the stamp each file
        listed without one was read with."""
        cache = self.cache
        missed: Sequence[int] = range(len(listing))
        if cache.has_readings:
            missed = array("q")  # where the files to read are: a million of them, at cold
            for index in range(len(listing)):
                hit = self._cached(listing.post_file(index))
                if hit is None:
                    missed.append(index)
                else:
                    scanning.found(index, scanned(hit, config))
        unstamped = {listing.names[i] for i in missed if listing.stamp(i) is None}

        def keep(rows: list[CacheRow]) -> None:
            cache.remember_pickled(rows)
            stamps.update((relative, stamp) for relative, stamp, _ in rows if relative in unstamped)

        def found(position: int, scan: Scanned) -> None:
            scanning.found(missed[position], scan)

        cache.hold_readings(len(missed))
        read_entries(listing.files_at(missed), config, _load_renderers, keep, found)
        cache.write_held_readings()


def _load_renderers() -> None:
    import_module("feeds.render")
