"""Problems found in the input, phrased for the editor who has to fix them.

Every stage collects problems instead of raising on the first one, so a single
run can report everything that is wrong with a site at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    """Not a problem: what was left out and why (a file that is no post), shown with -v."""


@dataclass(frozen=True)
class Problem:
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
