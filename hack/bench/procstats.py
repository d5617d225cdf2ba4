"""What a benchmarked process costs, read from /proc: its memory and its CPU time."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory now; `field="VmHWM"`: the most it has been (its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User plus system time the process has used (it is the bottleneck when this is close
    to the elapsed time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pin(pid: int, cpus: set[int] | frozenset[int]) -> None:
    """Keep every thread of a running process on `cpus` (threads it starts later inherit
    it from the thread that starts them)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(ProcessLookupError):  # the thread ended meanwhile
            os.sched_setaffinity(int(task.name), cpus)


def busy_cpu_seconds(pids: list[int]) -> float:
    """CPU time used so far by these processes together."""
    return sum(cpu_seconds(pid) for pid in pids)
