"""Cron schedules as Prow parses them (robfig/cron v3), through croniter.

Accepted: 5 fields (minute hour day-of-month month day-of-week), 6 fields with a leading
seconds field, the descriptors @yearly @annually @monthly @weekly @daily @midnight
@hourly, `?` for "any" in the day fields, `@every <Go duration>`, and a `CRON_TZ=<zone>`
or `TZ=<zone>` prefix. Without a zone, times are UTC, as in Prow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from bowsprit.lib.durations import parse_duration

DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: a cron expression in a zone, or a fixed period (@every)."""

    expression: str
    zone: ZoneInfo | None
    every: timedelta | None
    seconds_first: bool

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after `moment` (aware datetimes, returned in UTC)."""
        if self.every is not None:
            return (moment + self.every).astimezone(UTC)
        local = moment.astimezone(self.zone or UTC)
        iterator = croniter(self.expression, local, second_at_beginning=self.seconds_first)
        following: datetime = iterator.get_next(datetime)
        return following.astimezone(UTC)


def parse(text: str) -> Schedule:
    """Parse a cron schedule; raise ValueError with a message a user can act on."""
    zone = None
    value = text.strip()
    for prefix in ("CRON_TZ=", "TZ="):
        if value.startswith(prefix):
            name, _, value = value[len(prefix) :].partition(" ")
            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown time zone {name!r} in {text!r}") from error
            value = value.strip()
    if value.startswith("@every"):
        period = parse_duration(value.removeprefix("@every").strip())
        if period <= timedelta(0):
            raise ValueError(f"@every needs a positive duration: {text!r}")
        return Schedule(value, zone, period, False)
    fields = value.split()
    if value in DESCRIPTORS:
        return Schedule(value, zone, None, False)
    if len(fields) not in (5, 6):
        raise ValueError(
            f"invalid cron schedule {text!r}: expected 5 fields (or 6 with seconds first)"
        )
    seconds_first = len(fields) == 6
    if not croniter.is_valid(value, second_at_beginning=seconds_first):
        raise ValueError(f"invalid cron schedule {text!r}")
    return Schedule(value, zone, None, seconds_first)
