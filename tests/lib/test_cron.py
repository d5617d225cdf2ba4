from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bowsprit.lib.cron import parse


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ("0 * * * *", "2026-11-24T10:15:00", "2026-11-24T11:00:00"),
        ("*/15 9-17 * * 1-5", "2026-11-27T17:50:00", "2026-11-30T09:00:00"),  # Fri -> Mon
        ("5 4 * * SUN", "2026-11-24T00:00:00", "2026-11-29T04:05:00"),
        ("@hourly", "2026-11-24T10:00:00", "2026-11-24T11:00:00"),
        ("@daily", "2026-11-24T10:00:00", "2026-11-25T00:00:00"),
        ("@monthly", "2026-01-31T12:00:00", "2026-02-01T00:00:00"),
        ("0 0 31 * *", "2026-02-01T00:00:00", "2026-03-31T00:00:00"),  # month boundaries
        ("0 0 ? * MON", "2026-11-24T00:00:00", "2026-11-30T00:00:00"),
        ("30 0 * * * *", "2026-11-24T10:00:00", "2026-11-24T10:00:30"),  # seconds first
        ("@every 90m", "2026-11-24T10:00:00", "2026-11-24T11:30:00"),
        # 02:30 does not exist in Berlin on the spring-forward day: it fires at 03:00 local.
        ("CRON_TZ=Europe/Berlin 30 2 * * *", "2026-03-28T12:00:00", "2026-03-29T01:00:00"),
        ("TZ=America/New_York 0 9 * * *", "2026-11-24T00:00:00", "2026-11-24T14:00:00"),
    ],
)
def test_next_firing(schedule: str, after: str, expected: str) -> None:
    assert parse(schedule).next_after(at(after)) == at(expected)


@pytest.mark.parametrize(
    "schedule",
    [
        "0 25 * * *",
        "* * *",
        "@fortnightly",
        "@every soon",
        "@every 0s",
        "CRON_TZ=Mars/Base 0 * * * *",
        "H * * * *",
    ],
)
def test_invalid_schedules(schedule: str) -> None:
    # Every message quotes the part at fault: the schedule, or its duration or zone.
    quoted = {"@every soon": "'soon'", "CRON_TZ=Mars/Base 0 * * * *": "'Mars/Base'"}
    with pytest.raises(ValueError, match=re.escape(quoted.get(schedule, f"'{schedule}'"))):
        parse(schedule)


def test_every_is_a_period() -> None:
    assert parse("@every 1h").every == timedelta(hours=1)
