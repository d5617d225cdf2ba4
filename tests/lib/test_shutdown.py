"""A process whose daemon thread is inside pydantic-core when it ends: Python's
finalisation kills it with SIGABRT or SIGSEGV (nearly every time on CPython 3.11);
exit_now_if_threads_linger leaves with the status asked for instead."""

from __future__ import annotations

import subprocess
import sys
import textwrap

BUSY = textwrap.dedent(
    """
    import sys, threading, time
    from pydantic import BaseModel, field_validator
    from bowsprit.lib.shutdown import exit_now_if_threads_linger, lingering_threads

    class Model(BaseModel):
        x: int

        @field_validator("x")
        @classmethod
        def slow(cls, x: int) -> int:
            return x + sum(range(2000)) * 0  # Python called from Rust

    def busy() -> None:
        while True:
            Model(x=1)

    if sys.argv[1] == "idle":
        assert lingering_threads() == []
        sys.exit(exit_now_if_threads_linger(5))
    for index in range(2):
        threading.Thread(target=busy, name=f"busy-{index}", daemon=True).start()
    time.sleep(0.2)
    assert lingering_threads() == ["busy-0", "busy-1"]
    if sys.argv[1] == "guarded":
        sys.exit(exit_now_if_threads_linger(3))
    sys.exit(3)
    """
)


def run(mode: str) -> int:
    return subprocess.run([sys.executable, "-c", BUSY, mode], timeout=60, check=False).returncode


def test_a_process_with_threads_still_running_exits_with_its_own_status() -> None:
    assert [run("guarded") for _ in range(5)] == [3] * 5


def test_without_it_such_a_process_dies_at_finalisation() -> None:
    """The hazard itself (why hook and deck join their threads): most runs crash."""
    codes = [run("unguarded") for _ in range(5)]
    assert any(code < 0 for code in codes), codes


def test_without_lingering_threads_the_status_is_returned() -> None:
    assert run("idle") == 5
