"""Ending a process whose threads may not all have stopped.

CPython kills daemon threads still running when it finalises the interpreter; one that is
inside a Rust or C++ extension then (pydantic-core, which the Kubernetes client and our
models call on every request) is unwound by pthread_exit through frames that cannot be
unwound, and the process dies with SIGABRT or SIGSEGV after a clean shutdown. Components
stop and join their threads first; this is the last resort for one that did not end in
time: flush what was logged and leave without finalising.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

logger = logging.getLogger("bowsprit.shutdown")


def lingering_threads() -> list[str]:
    """Names of the threads other than this one still running."""
    current = threading.current_thread()
    return [t.name for t in threading.enumerate() if t is not current and t.is_alive()]


def exit_now_if_threads_linger(code: int) -> int:
    """`code`, or (when threads are still running) exit at once with `code`."""
    lingering = lingering_threads()
    if not lingering:
        return code
    logger.warning("threads still running at exit, leaving without finalising: %s", lingering)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
