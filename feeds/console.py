"""The installed `feeds` command: it answers cron's usual run, a `feeds build` that finds
nothing changed, before importing click and the pipeline, and hands every other run to
feeds.cli.

Importing click, the config parser, the pipeline's modules and dataclasses was over a
quarter of such a run's instructions (497 M against 363 M at 10,000 posts, callgrind),
and it needs none of them: it reads state.json, lists the posts and stats the output
files (feeds.replay). Anything the shortcut does not know for certain
(an option it does not take, something changed, another run holding the output
folder, a folder it cannot write) goes to feeds.cli, which does the whole run and
says what is wrong; the shortcut never prints a message of its own.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .replay import Probe


class ShortcutOptions(NamedTuple):
    """The `feeds build` options the shortcut takes; their names and defaults are
    feeds.cli's (a test holds them to it)."""

    config: str = "site.yaml"
    out: str | None = None
    quiet: bool = False
    verbose: bool = False
    prune: bool = False
    ping: bool = False


_FLAGS = {"-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose"}
_FLAGS |= {"--prune": "prune", "--ping": "ping"}
_VALUES = {"--config": "config", "--out": "out"}


def run() -> None:
    """`feeds`, then the process ends without tearing the interpreter down.

    Freeing a site's objects one by one at exit took a tenth of a no-change cron run
    (20 ms at 10,000 posts) and 45 ms of a cold build; the system takes the memory
    back at once. Every file was already closed by `publish` and the cache, and the
    output is flushed here; if that fails, the usual exit reports it.
    """
    started = time.perf_counter()
    answer = _answered_unchanged(sys.argv[1:], started)
    code = answer if isinstance(answer, int) else _command_line(answer)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(code)
    os._exit(code)


def shortcut_options(arguments: list[str]) -> ShortcutOptions | None:
    """The options of a `feeds build` the shortcut may answer, read as click reads them
    (the last of a repeated option counts); None for any other command line."""
    if arguments[:1] != ["build"]:
        return None
    given: dict[str, str | bool] = {}
    rest = iter(arguments[1:])
    for argument in rest:
        name, equals, value = argument.partition("=")
        if name in _VALUES:
            value = value if equals else next(rest, "")
            if not value:
                return None  # click's usage error
            given[_VALUES[name]] = value
        elif argument in _FLAGS:
            given[_FLAGS[argument]] = True
        else:
            return None
    return ShortcutOptions(**given)  # type: ignore[arg-type]


def _answered_unchanged(arguments: list[str], started: float) -> int | Probe | None:
    """The exit code, having printed what `feeds build` prints, if nothing changed;
    else what the check found, for the whole run to go on from (or None)."""
    options = shortcut_options(arguments)
    if options is None:
        return None
    from pathlib import Path

    from .publish import BusyError, PublishError
    from .replay import probe, replay
    from .result import build_lines

    probed = probe(Path(options.config).absolute())
    try:
        result = replay(
            probed,
            Path(options.out) if options.out is not None else None,
            time.time_ns(),
            prune_stale=options.prune,
            ping=options.ping,
        )
    except (BusyError, PublishError):
        return probed
    if result is None:
        return probed
    lines = build_lines(
        result,
        quiet=options.quiet,
        verbose=options.verbose,
        elapsed=time.perf_counter() - started,
    )
    for line in lines:
        print(line.text, file=sys.stderr if line.to_stderr else sys.stdout)
    return 0


def _command_line(probed: Probe | None) -> int:
    """feeds.cli, given the no-change check's findings (click's context object)."""
    from .cli import main

    try:
        main(obj=probed)
    except SystemExit as ending:
        if ending.code is not None and not isinstance(ending.code, int):
            raise
        return ending.code or 0
    return 0
