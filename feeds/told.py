"""What `feeds build` has told already, so that `--quiet` tells each warning once.

A cron job runs `feeds build --quiet` every few minutes and mails whatever it prints.
Repeating every warning every run buries the one that matters; printing none lets a
typo such as `catgories:` go unseen. So errors are printed on every run (the build
failed), alerts too (something private is being published), and a warning by the
first run that meets it: it is new, or the file it is about changed since (its size
or modification time), or it went away and came back. Every build, quiet or not,
remembers what it reported, as a person was shown it.

The memory is a file in the output folder, `.feeds-told`, beside the lock: the one
folder every build can write (the build cache may not be writable, which is itself a
warning to tell once). It holds a fingerprint per warning, a hash of what the warning
says, where, and the file's stat, so it shows the web server nothing of the posts.
Losing it only means the warnings are told again.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from .model import Problem, Severity
from .publish import FILE_MODE, write_atomically

TOLD_NAME = ".feeds-told"


def news(out_dir: Path | None, problems: Sequence[Problem]) -> list[Problem]:
    """The `problems` a quiet run prints: every error and alert, and the warnings not
    told before; remembering them all as told. Without an output folder (site.yaml
    named none that can be used) there is no memory, and all are news."""
    if out_dir is None or not out_dir.is_dir():
        return list(problems)
    memory = out_dir / TOLD_NAME
    try:
        before = set(memory.read_text("ascii").split())
    except (OSError, ValueError):
        before = set()
    now = {problem: _fingerprint(problem) for problem in problems if _told_once(problem)}
    told = sorted(set(now.values()))
    if told != sorted(before):
        try:
            data = "".join(f"{fingerprint}\n" for fingerprint in told).encode()
            write_atomically(memory, data, mode=FILE_MODE, durable=False)
        except OSError:
            pass  # told again next run; the build itself is not affected
    return [p for p in problems if p not in now or now[p] not in before]


def _told_once(problem: Problem) -> bool:
    return problem.severity in (Severity.WARNING, Severity.NOTE)


def _fingerprint(problem: Problem) -> str:
    parts: Iterable[object] = (
        problem.path,
        problem.line,
        problem.severity.value,
        problem.message,
        _file_stamp(problem.path),
    )
    text = "\0".join(map(str, parts))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _file_stamp(path: Path) -> tuple[int, int] | None:
    """A regular file's size and modification time, which change when it is edited."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return (status.st_size, status.st_mtime_ns) if stat.S_ISREG(status.st_mode) else None
