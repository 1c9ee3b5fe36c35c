"""The `feeds` command: a thin layer that turns library results into messages and exit codes.

Exit codes: 0 success, 1 invalid input or output that cannot be written,
2 usage error (bad options, no config file), 75 (EX_TEMPFAIL) another run
holds the output folder.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import click

from .build import BuildResult, build
from .config import ConfigNotFoundError
from .problems import Problem, Severity
from .publish import BusyError, PublishError

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


def run() -> None:
    """The `feeds` command as installed: `main`, then the process ends without tearing
    the interpreter down.

    Freeing a site's objects one by one at exit took a tenth of a no-change cron run
    (20 ms at 10,000 posts) and 45 ms of a cold build; the system takes the memory
    back at once. Every file was already closed by `publish` and the cache, and the
    output is flushed here; if that fails, the usual exit reports it.
    """
    code = 0
    try:
        main()
    except SystemExit as ending:
        if ending.code is not None and not isinstance(ending.code, int):
            raise
        code = ending.code or 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(code)
    os._exit(code)


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
def build_command(
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
    """Read the posts and write the feeds, changing only files whose bytes change."""
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
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    _print_problems(result.problems, quiet, verbose)
    for url, reason in result.ping_failures.items():
        click.echo(f"feeds: WebSub hub not told of {url}: {reason}; retrying next run", err=True)
    if result.report is not None and not quiet:
        for path in result.stale:
            if result.pruned:
                click.echo(f"{path}: removed stale feed (no published posts)", err=True)
            else:
                click.echo(
                    f"{path}: stale feed kept: its category has no published posts any more; "
                    "remove it with --prune",
                    err=True,
                )
        if verbose:
            for path in result.report.written:
                click.echo(f"wrote {path}")
            for path in result.report.unchanged:
                click.echo(f"unchanged {path}")
            for url in result.pinged:
                click.echo(f"pinged {url}")
        elapsed = time.perf_counter() - started
        click.echo(
            f"{_count(result.posts, 'post')} -> {_outputs(result)} "
            f"({len(result.report.written)} written, {len(result.report.unchanged)} unchanged)"
            f" in {elapsed:.2f} s"
        )
    if result.has_errors:
        if result.report is None:
            click.echo(
                "feeds: nothing written; fix the errors above "
                "(or use --skip-invalid to publish the valid posts)",
                err=True,
            )
        sys.exit(EXIT_INVALID)


@main.command("check")
@_config_option
@click.option("-v", "--verbose", is_flag=True, help="List every file skipped and why.")
def check_command(config_path: Path, verbose: bool) -> None:
    """Check site.yaml and every post; write nothing."""
    result = _run(config_path, write=False)
    _print_problems(result.problems, quiet=False, verbose=verbose)
    if result.has_errors:
        sys.exit(EXIT_INVALID)
    click.echo(f"{_count(result.posts, 'post')} OK -> {_outputs(result)}")


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


def _print_problems(problems: tuple[Problem, ...], quiet: bool, verbose: bool) -> None:
    """Errors always; warnings unless quiet; notes (files skipped) only when verbose."""
    for problem in problems:
        if problem.severity is Severity.NOTE:
            if verbose:
                click.echo(problem.format(), err=True)
        elif problem.is_error or not quiet:
            click.echo(problem.format(), err=True)


def _outputs(result: BuildResult) -> str:
    feeds = _count(len(result.feeds), "feed")
    return f"{feeds} and {_count(len(result.pages), 'page')}" if result.pages else feeds


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
