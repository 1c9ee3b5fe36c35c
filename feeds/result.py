"""What a run found and did, and the lines that tell the person who ran it.

The lines are made here, without click, because two paths print them: the `feeds`
command's no-change shortcut (feeds.console), which answers before click is
imported, and feeds.cli for every other run. Both must say exactly the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from .problems import Problem, Severity
from .publish import PublishReport


class BuildResult(NamedTuple):
    """What a run found and did. `report` is None when nothing was written."""

    problems: tuple[Problem, ...]
    posts: int
    feeds: tuple[str, ...]
    report: PublishReport | None
    pages: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    pruned: bool = False
    ping_failures: Mapping[str, str] = MappingProxyType({})
    pinged: tuple[str, ...] = ()

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)

    @property
    def published(self) -> bool:
        return self.report is not None


class Line(NamedTuple):
    """One line for the terminal; problems and notices go to standard error."""

    text: str
    to_stderr: bool = False


def build_lines(result: BuildResult, *, quiet: bool, verbose: bool, elapsed: float) -> list[Line]:
    """What `feeds build` prints: problems, then what it did, then one summary line."""
    lines = problem_lines(result.problems, quiet=quiet, verbose=verbose)
    lines += [
        Line(f"feeds: WebSub hub not told of {url}: {reason}; retrying next run", True)
        for url, reason in result.ping_failures.items()
    ]
    if result.report is not None and not quiet:
        for path in result.stale:
            if result.pruned:
                lines.append(Line(f"{path}: removed stale feed (no published posts)", True))
            else:
                lines.append(
                    Line(
                        f"{path}: stale feed kept: its category has no published posts any "
                        "more; remove it with --prune",
                        True,
                    )
                )
        if verbose:
            lines += [Line(f"wrote {path}") for path in result.report.written]
            lines += [Line(f"unchanged {path}") for path in result.report.unchanged]
            lines += [Line(f"pinged {url}") for url in result.pinged]
        lines.append(
            Line(
                f"{count(result.posts, 'post')} -> {outputs(result)} "
                f"({len(result.report.written)} written, {len(result.report.unchanged)} "
                f"unchanged) in {elapsed:.2f} s"
            )
        )
    if result.has_errors and result.report is None:
        lines.append(
            Line(
                "feeds: nothing written; fix the errors above "
                "(or use --skip-invalid to publish the valid posts)",
                True,
            )
        )
    return lines


def problem_lines(problems: Iterable[Problem], *, quiet: bool, verbose: bool) -> list[Line]:
    """Errors always; warnings unless quiet; notes (files skipped) only when verbose."""
    return [
        Line(problem.format(), True)
        for problem in problems
        if (verbose if problem.severity is Severity.NOTE else problem.is_error or not quiet)
    ]


def outputs(result: BuildResult) -> str:
    feeds = count(len(result.feeds), "feed")
    return f"{feeds} and {count(len(result.pages), 'page')}" if result.pages else feeds


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
