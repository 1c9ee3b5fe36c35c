"""Problems found in the input, phrased for the editor who has to fix them.

Every stage collects problems instead of raising on the first one, so a single
run can report everything that is wrong with a site at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    """Not a problem: what was left out and why (a file that is no post), shown with -v."""


class Problem(NamedTuple):
    """One thing wrong with one file, at one line when the line is known.

    `message` says what is wrong and what to write instead, so that the printed
    form `path:line: message` is enough to fix the file without reading docs.
    """

    path: Path
    line: int | None
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self, relative_to: Path | None = None) -> str:
        where = display_path(self.path, relative_to)
        if self.line is not None:
            where = f"{where}:{self.line}"
        prefix = {Severity.ERROR: "", Severity.WARNING: "warning: ", Severity.NOTE: "note: "}[
            self.severity
        ]
        return f"{where}: {prefix}{self.message}"


ProblemRows = tuple[tuple[int | None, str, str], ...]
"""A file's problems as plain values, (line, message, severity), for the build cache."""


def problem_rows(problems: Iterable[Problem]) -> ProblemRows:
    """A tuple, so that the many files without problems share the one empty tuple."""
    return tuple((p.line, p.message, p.severity.value) for p in problems)


def problems_from_rows(path: str, rows: ProblemRows) -> list[Problem]:
    """The inverse of `problem_rows` for the file at `path` (a Path only if needed)."""
    if not rows:
        return []
    where = Path(path)
    return [Problem(where, line, message, Severity(severity)) for line, message, severity in rows]


LocatedRow = tuple[str, int | None, str, str]
"""A problem as plain values with its file, (path, line, message, severity): how the
saved plan and state.json keep a run's warnings."""


def located_rows(problems: Iterable[Problem]) -> list[LocatedRow]:
    return [(str(p.path), p.line, p.message, p.severity.value) for p in problems]


def problems_from_located_rows(rows: Iterable[Sequence[Any]]) -> tuple[Problem, ...]:
    """The inverse of `located_rows`; from state.json, each row is a list."""
    return tuple(
        Problem(Path(path), line, message, Severity(severity))
        for path, line, message, severity in rows
    )


def display_path(path: Path, relative_to: Path | None = None) -> str:
    """Show paths the way the user typed them: relative when below the working folder."""
    base = relative_to if relative_to is not None else Path.cwd()
    try:
        return (
            os.path.relpath(path, base)
            if path.is_absolute() and _is_below(path, base)
            else str(path)
        )
    except ValueError:
        return str(path)


def _is_below(path: Path, base: Path) -> bool:
    try:
        path.relative_to(base)
    except ValueError:
        return False
    return True
