"""The one place that reads the wall clock and makes random names; everything else takes
`now` (and names) as arguments."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)  # noqa: TID251 - this is the clock seam


def rfc3339(moment: datetime) -> str:
    """Second-precision UTC, as metav1.Time serialises."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str | None) -> datetime | None:
    """An RFC 3339 time as the API server writes it (`...Z`); None stays None."""
    return datetime.fromisoformat(text) if text else None


NewName = Callable[[], str]


def random_name() -> str:
    """A random UUID string, as Prow names ProwJobs (`uuid.New()` in pjutil.NewProwJob)."""
    return str(uuid.UUID(bytes=os.urandom(16), version=4))


def jitter() -> float:
    """A fraction in [0, 1) for spreading retries; the one seam for randomness, so tests
    pass a fixed source instead."""
    import random  # noqa: TID251 - this is the randomness seam

    return random.random()  # noqa: S311 - spreading retries needs no cryptographic quality
