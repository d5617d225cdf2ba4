"""What a benchmarked process costs, read from /proc: its memory and its CPU time."""

from __future__ import annotations

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
