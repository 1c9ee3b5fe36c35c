"""The one door to everything that only makes a build faster.

`run.build` asks an `Incremental`, when it has one, at three points, and every answer
is either what the reference build would compute or "don't know", after which the
build does the work itself:

- `replay`: nothing changed since the last run (state.json, the posts' stats and the
  output files say so): its result again, without reading site.yaml or a post;
- `plan`: after an edit that leaves every post in its feeds, the last run's plan with
  the edited posts swapped in, reading only them; else every post read (unchanged
  files' readings reused, the rest on every core) and planned as the reference does;
- `is_current`: an output file already holds its fingerprint's bytes.

It is told what the run published (`published`, `unpublished`, `pinged`), to keep
for the next. Without it (`--no-cache`, `build(use_cache=False)`) a build is the
reference cold build; with it the bytes are the same, which the tests check. What
it learns is kept in `.feeds-cache/` beside site.yaml (see `store`), and never
trusted without proof.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import cached_property, partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from ..dates import instant
from ..model import BuildResult, Problem
from .replay import probe, replay

if TYPE_CHECKING:
    from ..config import SiteConfig
    from ..plan import SitePlan
    from ..plan.outputs import Output
    from ..source.listing import Listing, PostFile
    from ..source.post import Reading
    from ..source.reading import ReadResult
    from .store import BuildCache, PostsTree


class Incremental:
    """What the last runs for the config at `config_file` learned, and this run's use of it."""

    def __init__(self, config_file: Path) -> None:
        self.probed = probe(config_file)
        self.tree: PostsTree | None = None
        self.site: SitePlan | None = None

    def replay(
        self, out_dir: Path | None, now: datetime, *, wait: float, prune_stale: bool, ping: bool
    ) -> BuildResult | None:
        """The last run's result, if this run would do exactly the same; else None."""
        return replay(
            self.probed, out_dir, instant(now), wait=wait, prune_stale=prune_stale, ping=ping
        )

    @cached_property
    def cache(self) -> BuildCache:
        """The readings and the plan, loaded as they are asked for. Past `replay`, every
        module is imported where first used: a run that finds nothing changed loads
        only what the replay needs."""
        from .store import BuildCache

        return BuildCache(self.probed.state)

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Around the rest of the run: no writer of the cache outlives it."""
        from .store import saver_awaited

        with saver_awaited(self.cache):
            yield

    def plan(self, config: SiteConfig, now: datetime, out_dir: Path, *, writes: bool) -> SitePlan:
        """The site's plan: the last run's, replanned, where that gives what planning
        anew would (only for a run that `writes`, which then keeps the outputs the plan
        leaves alone); else the posts read and planned as the reference build does."""
        from ..plan import plan_site
        from .replan import save_plan

        site = self._replanned(config, now, out_dir) if writes else None
        if site is None:
            site = plan_site(self.read_posts(config), config, now)
            if self.tree is not None:
                self.cache.remember_plan(save_plan(site.streams, site.problems, self.tree))
        self.site = site
        return site

    def read_posts(self, config: SiteConfig) -> ReadResult:
        """Every post, as `source.reading.read_posts` reads them."""
        from ..source.listing import list_posts
        from ..source.reading import read_posts
        from .store import PostsTree, save_readings_meanwhile

        listing = self._listing(config) or list_posts(config, stamped=False)
        stamps: list[PostFile] = []
        read = read_posts(config, listing, partial(self._read, stamps=stamps))
        if self.tree is None:
            stamped = listing.with_stamps(file.stamp for file in stamps) if stamps else listing
            self.tree = PostsTree(stamped, self._digest(stamped))
        save_readings_meanwhile(self.cache)
        return read

    def _replanned(self, config: SiteConfig, now: datetime, out_dir: Path) -> SitePlan | None:
        from ..plan import SitePlan
        from ..plan.outputs import plan_outputs
        from .replan import replan
        from .store import PostsTree

        last = self.probed.state.last_run
        listing = self._listing(config) if last is not None else None
        if last is None or listing is None:
            return None
        self.tree = PostsTree(listing, self._digest(listing))
        replanned = replan(self.cache, self.tree, config, now)
        if replanned is None:
            return None
        outputs = plan_outputs(replanned.streams, config)
        planned = {output.path for output in outputs}
        kept = {path: fp for path, fp in last.feeds.items() if path not in planned}
        if not all(self.cache.state.feed_is_current(out_dir / p, fp) for p, fp in kept.items()):
            return None
        self.cache.remember_plan(replanned.plan)
        return SitePlan(
            replanned.streams,
            outputs,
            replanned.problems,
            replanned.posts,
            replanned.next_change,
            kept,
        )

    def is_current(self, out_dir: Path, output: Output) -> bool:
        return self.cache.state.feed_is_current(out_dir / output.path, output.fingerprint)

    def published(
        self,
        config: SiteConfig,
        out_dir: Path,
        written: Sequence[Output],
        outputs: Sequence[Output],
        warnings: Sequence[Problem],
    ) -> None:
        """Remember what this run wrote, so that the next one can replay it."""
        from .records import located_rows
        from .state import LastRun
        from .store import save_cache

        state, plan = self.cache.state, self.site
        for output in written:
            state.remember_feed(out_dir / output.path, output.fingerprint)
        if plan is None or self.tree is None or plan.has_errors:
            return self.unpublished()
        glob = None if config.posts_glob is None else [*config.posts_glob]
        self.cache.remember_run(
            LastRun(
                tree=self.tree.digest,
                next_change=plan.next_change,
                out_dir=str(out_dir),
                posts=plan.posts,
                feeds={**{o.path: o.fingerprint for o in outputs}, **plan.kept},
                warnings=located_rows(warnings),
                default_out_dir=str(config.output_dir),
                posts_dir=str(config.posts_dir),
                posts_glob=glob,
                index_page=config.index_page,
            )
        )
        save_cache(self.cache)

    def unpublished(self) -> None:
        """This run published nothing a next run could replay."""
        from .store import save_cache

        self.cache.remember_run(None)
        save_cache(self.cache)

    def pending_pings(self) -> list[str]:
        return self.probed.state.pending_pings

    def pinged(self, failures: Sequence[str]) -> None:
        """Keep the feeds whose notification failed, to retry on the next run."""
        from .store import save_cache

        if failures or self.cache.state.pending_pings:
            self.cache.state.pending_pings = sorted(failures)
            save_cache(self.cache)

    def _listing(self, config: SiteConfig) -> Listing | None:
        """The posts with each file's stat, when an earlier run's state can be compared
        with them: as the probe listed them, if it listed this config's posts folder.
        Listed once a run."""
        if self.tree is not None:
            return self.tree.listing
        from ..source.listing import list_posts

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

    def _read(
        self, files: Sequence[PostFile], config: SiteConfig, *, stamps: list[PostFile]
    ) -> list[Reading]:
        """Each file's reading: the cache's if its stat proves it unchanged, else read
        (on every core, while this process loads the renderers the build needs next)."""
        from .parallel import read_entries
        from .records import reading_from_entry

        cache = self.cache
        readings: dict[str, Reading] = {}
        misses: list[PostFile] = []
        for post_file in files:
            hit = None
            if (stamp := post_file.stamp) is not None:
                entry = cache.reading(post_file.relative, stamp)
                hit = None if entry is None else reading_from_entry(entry, post_file.path, stamp)
            if hit is None:
                misses.append(post_file)
            else:
                readings[post_file.relative] = hit
        read = read_entries(misses, config, _load_renderers)
        cache.remember_readings(
            (post_file.relative, entry) for post_file, (_, entry) in zip(misses, read, strict=True)
        )
        for post_file, (reading, entry) in zip(misses, read, strict=True):
            readings[post_file.relative] = reading
            if post_file.stamp is None:
                stamps.append(post_file._replace(stamp=entry[0]))
        del read
        cache.forget_posts_except(readings.keys())
        return [readings[post_file.relative] for post_file in files]


def _load_renderers() -> None:
    import_module("feeds.render")
