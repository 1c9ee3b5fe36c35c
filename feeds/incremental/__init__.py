"""The one door to everything that only makes a build faster.

`run.build` asks an `Incremental`, when it has one, to `replay`; if it cannot, the rest
of the run goes through its `session` (`session.Session`), asked to `plan` and whether
an output `is_current`. Every answer is either what the reference build would compute
or "don't know", after which the build does the work itself:

- `replay`: nothing changed since the last run (state.json, the posts' stats and the
  output files say so): its result again, without reading site.yaml or a post;
- `plan`: after an edit that leaves every post in its feeds, the last run's plan with
  the edited posts swapped in, reading only them; else every post read (unchanged
  files' readings reused, the rest on every core) and planned as the reference does;
- `is_current`: an output file already holds its fingerprint's bytes.

The session is told what the run published (`published`, `unpublished`, `pinged`),
to keep for the next. Without it (`--no-cache`, `build(use_cache=False)`) a build is the
reference cold build; with it the bytes are the same, which the tests check. What
it learns is kept in `.feeds-cache/` beside site.yaml (see `store`), and never
trusted without proof.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..dates import instant
from ..model import BuildResult
from .replay import probe, replay
from .state import CACHE_DIR

if TYPE_CHECKING:
    from .session import Session

__all__ = ["CACHE_DIR", "Incremental"]


class Incremental:
    """What the last runs for the config at `config_file` learned, and this run's use of it.

    Two parts, so that a run that finds nothing changed loads only the first: `replay`
    needs state.json and the listing; the `session` the rest of the run goes through
    loads the cache, the post reader and the planner."""

    def __init__(self, config_file: Path) -> None:
        self.probed = probe(config_file)

    def replay(
        self, out_dir: Path | None, now: datetime, *, wait: float, prune_stale: bool, ping: bool
    ) -> BuildResult | None:
        """The last run's result, if this run would do exactly the same; else None."""
        return replay(
            self.probed, out_dir, instant(now), wait=wait, prune_stale=prune_stale, ping=ping
        )

    @contextmanager
    def session(self, *, writes: bool) -> Iterator[Session]:
        """The rest of the run; no writer of the cache outlives it. A run that `writes`
        nothing (`feeds check`) uses the cache and leaves it as it was."""
        from .session import Session
        from .store import cache_closed

        session = Session(self.probed, writes=writes)
        with cache_closed(session.cache):
            yield session
