"""The `feeds` command: a thin layer that turns library results into messages and exit codes.

Exit codes: 0 success, 1 invalid input or output that cannot be written,
2 usage error (bad options, no config file), 75 (EX_TEMPFAIL) another run
holds the output folder. Installed as feeds.console's `run`, which answers a run
that finds nothing changed before this module is imported.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import click

from .config import ConfigNotFoundError
from .pipeline import build
from .publish import BusyError, PublishError
from .replay import Probe
from .result import BuildResult, Line, build_lines, count, outputs, problem_lines

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_BUSY = 75

_config_option = click.option(
    "--config",
    "config_path",
    default="site.yaml",
    show_default=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The site's config file; posts and output paths are relative to it.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="feeds")
def main() -> None:
    """Publish RSS 2.0 and Atom 1.0 feeds from Markdown posts with YAML front matter."""


@main.command("build")
@_config_option
@click.option(
    "--out",
    "output_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write feeds here instead of the config's 'output'.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Publish the valid posts even if others have errors (still exits 1).",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another run to finish (else exit 75).",
)
@click.option(
    "--prune", is_flag=True, help="Delete feeds of categories that no longer have published posts."
)
@click.option(
    "--no-cache", is_flag=True, help="Ignore the build cache: read and render everything."
)
@click.option(
    "--ping",
    is_flag=True,
    help="Tell the WebSub hub (websub_hub in site.yaml) which feeds changed.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something is wrong.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="List every feed file and what happened to it, and every file skipped and why.",
)
@click.pass_obj
def build_command(
    probed: Probe | None,
    config_path: Path,
    output_dir: Path | None,
    skip_invalid: bool,
    wait: float,
    prune: bool,
    no_cache: bool,
    ping: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Read the posts and write the feeds, changing only files whose bytes change.

    `probed` (click's context object) is what the no-change check of feeds.console
    found before handing the run on, if it made one."""
    started = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)  # so staged files are removed
    try:
        result = _run(
            config_path,
            output_dir=output_dir,
            skip_invalid=skip_invalid,
            wait=wait,
            prune_stale=prune,
            use_cache=not no_cache,
            ping=ping,
            probed=probed,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    elapsed = time.perf_counter() - started
    _echo(build_lines(result, quiet=quiet, verbose=verbose, elapsed=elapsed))
    if result.has_errors:
        sys.exit(EXIT_INVALID)


@main.command("check")
@_config_option
@click.option("-v", "--verbose", is_flag=True, help="List every file skipped and why.")
def check_command(config_path: Path, verbose: bool) -> None:
    """Check site.yaml and every post; write nothing."""
    result = _run(config_path, write=False)
    _echo(problem_lines(result.problems, quiet=False, verbose=verbose))
    if result.has_errors:
        sys.exit(EXIT_INVALID)
    click.echo(f"{count(result.posts, 'post')} OK -> {outputs(result)}")


def _run(config_path: Path, **options: object) -> BuildResult:
    try:
        return build(config_path, **options)  # type: ignore[arg-type]
    except ConfigNotFoundError as error:
        click.echo(f"feeds: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except PublishError as error:
        click.echo(f"feeds: {error}", err=True)
        sys.exit(EXIT_INVALID)
    except BusyError as error:
        click.echo(f"feeds: {error}", err=True)
        sys.exit(EXIT_BUSY)


def _exit_on_signal(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)


def _echo(lines: list[Line]) -> None:
    for line in lines:
        click.echo(line.text, err=line.to_stderr)
