"""When a Periodic runs next: a pure function of its spec, its last run and the time.

Prow's rules (PROW-REFERENCE 4.1): never start a run while the previous one of the same
Periodic is incomplete; `interval` counts from the last run's start and
`minimum_interval` from its completion, and both run at once when there was no run yet;
a cron Periodic waits for its next firing, a firing that finds a run in progress is
dropped, and after an outage there is at most one catch-up run; `@every` fires once
when added; failed runs are retried as `retry` says.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from bowsprit.api.periodic import PeriodicSpec
from bowsprit.lib.cron import parse as parse_cron

MAX_ATTEMPTS = 10  # Prow caps re-runs at 10
RERUN_LABEL = "prow.k8s.io/re-run"


@dataclass(frozen=True)
class LastRun:
    """The newest ProwJob of the Periodic, as far as scheduling cares."""

    name: str
    start: datetime
    completion: datetime | None
    state: str
    attempt: int = 0  # 0 for a scheduled run, n for its n-th retry

    @property
    def complete(self) -> bool:
        return self.completion is not None


@dataclass(frozen=True)
class Run:
    """Start a run now: which scheduled moment it is for, and which attempt."""

    scheduled_at: datetime
    attempt: int = 0


@dataclass(frozen=True)
class Decision:
    """What to do now and when to look again; `fired` records a handled cron firing."""

    run: Run | None = None
    skipped: str | None = None  # why a due run did not start
    wake_at: datetime | None = None  # None: wait for the last run to change
    fired: datetime | None = None


def decide(
    spec: PeriodicSpec,
    created: datetime,
    last_firing: datetime | None,
    last_run: LastRun | None,
    now: datetime,
) -> Decision:
    """The scheduling decision for one Periodic at `now`."""
    if last_run is not None and spec.retry is not None:
        retry = _retry(spec, last_run, now)
        if retry is not None:
            return retry
    if last_run is not None and not last_run.complete:
        if spec.cron is not None:
            return _cron_while_running(spec, created, last_firing, now)
        return Decision(skipped=None, wake_at=None)
    if spec.interval is not None:
        return _after(last_run.start if last_run else None, spec.interval, now, created)
    if spec.minimum_interval is not None:
        completion = last_run.completion if last_run else None
        return _after(completion, spec.minimum_interval, now, created)
    return _cron(spec, created, last_firing, now)


def _after(since: datetime | None, period: timedelta, now: datetime, created: datetime) -> Decision:
    """A run once `period` has passed `since` (at once without one). Its scheduled time is
    when it fell due (the Periodic's creation for the first), not `now`: the run's name
    comes from it, so two evaluations on a stale list of runs name the same run and the
    second create fails instead of starting it twice."""
    if since is None:
        return Decision(run=Run(created), wake_at=now + period)
    if now >= since + period:
        return Decision(run=Run(since + period), wake_at=now + period)
    return Decision(wake_at=since + period)


def _next_firing(spec: PeriodicSpec, created: datetime, last_firing: datetime | None) -> datetime:
    assert spec.cron is not None
    schedule = parse_cron(spec.cron)
    if schedule.every is not None and last_firing is None:
        return created  # Prow fires @every schedules once as soon as they are added
    return schedule.next_after(last_firing or created)


def _cron(
    spec: PeriodicSpec, created: datetime, last_firing: datetime | None, now: datetime
) -> Decision:
    return _cron_firing(spec, created, last_firing, now, running=False)


def _cron_while_running(
    spec: PeriodicSpec, created: datetime, last_firing: datetime | None, now: datetime
) -> Decision:
    return _cron_firing(spec, created, last_firing, now, running=True)


def _cron_firing(
    spec: PeriodicSpec,
    created: datetime,
    last_firing: datetime | None,
    now: datetime,
    running: bool,
) -> Decision:
    firing = _next_firing(spec, created, last_firing)
    if now < firing:
        return Decision(wake_at=firing)
    # However many firings an outage missed, this one handles them all: one run at most.
    following = parse_cron(spec.cron or "").next_after(now)
    if running:
        return Decision(
            skipped=f"the firing at {firing:%Y-%m-%dT%H:%M:%SZ} was dropped: the previous run "
            "is still going",
            wake_at=following,
            fired=now,
        )
    return Decision(run=Run(firing), wake_at=following, fired=now)


def _retry(spec: PeriodicSpec, last_run: LastRun, now: datetime) -> Decision | None:
    retry = spec.retry
    assert retry is not None
    # attempts counts re-runs after the first run; last_run.attempt is how many were made.
    if last_run.attempt >= min(retry.attempts or 0, MAX_ATTEMPTS):
        return None
    wants_retry = retry.run_all or (last_run.complete and last_run.state != "success")
    if not wants_retry or (not last_run.complete and not retry.run_all):
        return None
    due = last_run.start + retry.interval
    if now < due:
        return Decision(wake_at=due)
    return Decision(run=Run(now, last_run.attempt + 1), wake_at=None)


def prowjob_name(periodic: str, namespace: str, scheduled_at: datetime, attempt: int) -> str:
    """A name that is the same for the same run, so a restarted horologium cannot create
    a run twice: the create of the second one fails with AlreadyExists. A short hash of the
    Periodic's namespace keeps namesakes in two namespaces apart (their runs share the
    ProwJob namespace)."""
    place = hashlib.sha256(namespace.encode()).hexdigest()[:6]
    suffix = f"-{place}-{int(scheduled_at.timestamp()):x}" + (f"-r{attempt}" if attempt else "")
    return periodic[: 253 - len(suffix)].rstrip("-.") + suffix
