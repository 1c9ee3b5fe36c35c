"""Work done in a forked child process, and waiting for it: shared by the reading
workers (feeds.posts) and the cache writer (feeds.cache).

A child made here never returns into the caller's code and never runs the parent's
exit handlers or flushes its buffered output: it runs its work and ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable


def run_forked(work: Callable[[], None]) -> int | None:
    """The pid of a child running `work`, which ends with status 0 if `work` returned
    and 1 if it raised; None if the system has no fork or refuses another process."""
    if not hasattr(os, "fork"):
        return None
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        status = 1
        try:
            work()
            status = 0
        finally:
            os._exit(status)
    return pid


def reap(pid: int) -> int | None:
    """Wait for the child to end: its wait status, or None if that cannot be known (an
    embedding program that ignores SIGCHLD has the system reap its children)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None
