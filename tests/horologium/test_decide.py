"""Every scheduling rule of horologium, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bowsprit.api.periodic import PeriodicSpec
from bowsprit.horologium.decide import LastRun, Run, decide, prowjob_name

POD = {"containers": [{"image": "busybox"}]}
CREATED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def spec(**fields: Any) -> PeriodicSpec:
    return PeriodicSpec.model_validate({"pod_spec": POD, **fields})


def t(hour: int, minute: int = 0, second: int = 0, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def done(start: datetime, end: datetime, state: str = "success", attempt: int = 0) -> LastRun:
    return LastRun("job", start, end, state, attempt)


RUNNING = LastRun("job", t(9), None, "pending")


@pytest.mark.parametrize(
    ("fields", "last_run", "now", "run", "wake_at"),
    [
        ({"interval": "1h"}, None, t(10), Run(CREATED), t(11)),  # named after its creation
        ({"interval": "1h"}, done(t(9), t(9, 50)), t(9, 59), None, t(10)),
        ({"interval": "1h"}, done(t(9), t(9, 50)), t(10), Run(t(10)), t(11)),
        ({"interval": "1h"}, RUNNING, t(12), None, None),
        ({"minimum_interval": "1h"}, None, t(10), Run(CREATED), t(11)),
        ({"minimum_interval": "1h"}, done(t(9), t(9, 50)), t(10, 30), None, t(10, 50)),
        ({"minimum_interval": "1h"}, done(t(9), t(9, 50)), t(10, 50), Run(t(10, 50)), t(11, 50)),
        ({"minimum_interval": "1h"}, RUNNING, t(12), None, None),
    ],
    ids=[
        "interval-first-run-at-once",
        "interval-not-yet",
        "interval-due",
        "interval-busy",
        "min-interval-first-run-at-once",
        "min-interval-counts-from-completion",
        "min-interval-due",
        "min-interval-busy",
    ],
)
def test_intervals(
    fields: dict[str, Any],
    last_run: LastRun | None,
    now: datetime,
    run: Run | None,
    wake_at: datetime | None,
) -> None:
    decision = decide(spec(**fields), CREATED, None, last_run, now)
    assert (decision.run, decision.wake_at) == (run, wake_at)


def test_cron_waits_for_its_first_firing() -> None:
    decision = decide(spec(cron="0 * * * *"), t(8, 10), None, None, t(8, 30))
    assert decision.run is None and decision.wake_at == t(9)


def test_cron_fires_and_records_the_firing() -> None:
    decision = decide(spec(cron="0 * * * *"), t(8, 10), None, None, t(9))
    assert decision.run == Run(t(9)) and decision.fired == t(9) and decision.wake_at == t(10)


def test_cron_after_an_outage_runs_once() -> None:
    # Down from 9:00 to 13:20: four firings missed, one catch-up run, then the normal schedule.
    first = decide(spec(cron="0 * * * *"), CREATED, t(9), done(t(9), t(9, 5)), t(13, 20))
    assert first.run == Run(t(10)) and first.wake_at == t(14)
    again = decide(
        spec(cron="0 * * * *"), CREATED, first.fired, done(t(13, 20), t(13, 25)), t(13, 30)
    )
    assert again.run is None and again.wake_at == t(14)


def test_cron_firing_while_running_is_dropped_not_queued() -> None:
    decision = decide(spec(cron="0 * * * *"), CREATED, t(9), RUNNING, t(10, 0, 5))
    assert decision.run is None and decision.skipped and "dropped" in decision.skipped
    assert decision.fired == t(10, 0, 5)
    # When the run ends at 10:20 the dropped 10:00 firing does not come back.
    after = decide(
        spec(cron="0 * * * *"), CREATED, decision.fired, done(t(9), t(10, 20)), t(10, 20)
    )
    assert after.run is None and after.wake_at == t(11)


def test_every_fires_once_when_added() -> None:
    decision = decide(spec(cron="@every 30m"), t(8), None, None, t(8, 0, 1))
    assert decision.run == Run(t(8))


def test_month_boundary() -> None:
    decision = decide(spec(cron="0 0 1 * *"), t(8, day=24), None, None, t(8, day=24))
    assert decision.wake_at == datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("retry", "last_run", "now", "expected"),
    [
        ({"attempts": 3, "interval": "10m"}, done(t(9), t(9, 5), "failure"), t(9, 9), None),
        (
            {"attempts": 3, "interval": "10m"},
            done(t(9), t(9, 5), "failure"),
            t(9, 10),
            Run(t(9, 10), 1),
        ),
        (
            {"attempts": 3, "interval": "10m"},
            done(t(9), t(9, 5), "failure", 2),
            t(10),
            Run(t(10), 3),
        ),
        ({"attempts": 3, "interval": "10m"}, done(t(9), t(9, 5), "failure", 3), t(10), None),
        ({"attempts": 3, "interval": "10m"}, done(t(9), t(9, 5), "success"), t(10), None),
        (
            {"attempts": 3, "interval": "10m", "run_all": True},
            done(t(9), t(9, 5), "success"),
            t(10),
            Run(t(10), 1),
        ),
    ],
    ids=[
        "too-soon",
        "retries-failure",
        "third-re-run",
        "attempts-used-up",
        "stops-at-success",
        "run-all-after-success",
    ],
)
def test_retry(
    retry: dict[str, Any], last_run: LastRun, now: datetime, expected: Run | None
) -> None:
    decision = decide(spec(cron="0 0 * * *", retry=retry), CREATED, t(9), last_run, now)
    assert decision.run == expected


def test_names_are_deterministic_and_valid() -> None:
    assert prowjob_name("echo-hi", "ns", t(9), 0) == prowjob_name("echo-hi", "ns", t(9), 0)
    assert prowjob_name("echo-hi", "ns", t(9), 0) != prowjob_name("echo-hi", "ns", t(9), 1)
    assert prowjob_name("echo-hi", "a", t(9), 0) != prowjob_name("echo-hi", "b", t(9), 0)
    long = prowjob_name("x" * 300, "ns", t(9), 2)
    assert len(long) <= 253 and long.endswith("-r2")


def test_a_stale_list_of_runs_names_the_same_run_twice() -> None:
    """Two evaluations that both miss the run the first created (a stale list) decide the
    same run: its name comes from when it fell due, so the second create fails."""
    for fields, last in (
        ({"minimum_interval": "1h"}, done(t(9), t(9, 50))),
        ({"interval": "1h"}, done(t(9), t(9, 50))),
        ({"minimum_interval": "1h"}, None),
    ):
        first = decide(spec(**fields), CREATED, None, last, t(11)).run
        later = decide(spec(**fields), CREATED, None, last, t(11, 0, 5)).run
        assert first is not None and first == later, fields
