"""Work done in a forked child process, and waiting for it: shared by the reading
workers (feeds.reading) and the cache writer (feeds.cache).

A child made here never returns into the caller's code and never runs the parent's
exit handlers or flushes its buffered output: it runs its work and ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable


def run_forked(work: Callable[[], None]) -> int | None:
    """The pid of a child running `work`, which ends with status 0 if `work` returned
    and 1 if it raised; None if the system has no fork or refuses another process, or
    if this process runs other threads.

    A forked child has only the thread that forked it: a lock another thread held at
    that moment (an embedding program's logging, say, or the import lock) stays held
    in the child for ever, and the child hangs on it. So a threaded program that calls
    `build` has the work done in its own process, as on a single core.
    """
    if not hasattr(os, "fork") or _runs_other_threads():
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


def _runs_other_threads() -> bool:
    """Counted by the system where it can tell: threads started outside the threading
    module (by a C library, say) count too."""
    try:
        return len(os.listdir("/proc/self/task")) > 1
    except OSError:
        import threading

        return threading.active_count() > 1


def reap(pid: int) -> int | None:
    """Wait for the child to end: its wait status, or None if that cannot be known (an
    embedding program that ignores SIGCHLD has the system reap its children)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None
