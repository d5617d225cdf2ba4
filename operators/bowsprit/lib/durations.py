"""Go-style durations ("10m", "1h30m", "48h", "1.5s"), as Prow's config writes them."""

from __future__ import annotations

import re
from datetime import timedelta

# Units Go's time.ParseDuration accepts, in microseconds (timedelta's resolution).
_UNIT_MICROS = {
    "ns": 0.001,
    "us": 1,
    "µs": 1,
    "μs": 1,
    "ms": 1_000,
    "s": 1_000_000,
    "m": 60_000_000,
    "h": 3_600_000_000,
}
_TERM = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)")
# The regular expression the CRD schema uses; it accepts exactly what parse_duration accepts.
DURATION_PATTERN = r"^(0|([0-9]*\.?[0-9]+(ns|us|µs|μs|ms|s|m|h))+)$"


def parse_duration(text: str) -> timedelta:
    """Parse a non-negative Go duration string; raise ValueError naming the problem."""
    value = text.strip()
    if value == "0":
        return timedelta(0)
    if not value:
        raise ValueError("empty duration")
    position = 0
    micros = 0.0
    for match in _TERM.finditer(value):
        if match.start() != position:
            break
        micros += float(match.group(1)) * _UNIT_MICROS[match.group(2)]
        position = match.end()
    if position != len(value):
        raise ValueError(f"invalid duration {text!r}: use Go syntax such as 90s, 10m, 1h30m or 48h")
    return timedelta(microseconds=round(micros))


def format_duration(value: timedelta) -> str:
    """Render a duration compactly in Go syntax ("1h30m", "10m", "1.5s", "0s")."""
    micros = round(value.total_seconds() * 1_000_000)
    if micros < 0:
        raise ValueError("negative durations are not allowed")
    if micros == 0:
        return "0s"
    hours, rest = divmod(micros, _UNIT_MICROS["h"])
    minutes, rest = divmod(rest, _UNIT_MICROS["m"])
    parts = []
    if hours:
        parts.append(f"{int(hours)}h")
    if minutes:
        parts.append(f"{int(minutes)}m")
    if rest:
        seconds = rest / 1_000_000
        parts.append(f"{seconds:.6f}".rstrip("0").rstrip(".") + "s")
    return "".join(parts)
