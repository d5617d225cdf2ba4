"""Concurrency limits, job queues and superseded presubmits from plank's index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.plank.concurrency import Entry, JobIndex

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def entry(
    name: str,
    state: str = "triggered",
    at: int = 0,
    job: str = "unit",
    limit: int = 0,
    queue: str | None = None,
    pull: str | None = None,
) -> Entry:
    moment = T0 + timedelta(seconds=at)
    return Entry(name, job, state, moment, moment, queue, limit, pull, at)


def index(*entries: Entry) -> JobIndex:
    built = JobIndex()
    for item in entries:
        built.put(item)
    return built


def test_the_global_limit_counts_pending_jobs() -> None:
    jobs = index(entry("a", "pending"), entry("b", "pending", job="lint"), entry("c"))
    assert jobs.pending == 2
    assert jobs.blocked(jobs.entries["c"], PlankConfig(max_concurrency=2))
    assert jobs.blocked(jobs.entries["c"], PlankConfig(max_concurrency=3)) is None
    assert jobs.blocked(jobs.entries["c"], PlankConfig()) is None  # 0: unlimited


def test_a_job_limit_lets_runs_start_in_creation_order() -> None:
    jobs = index(entry("first", at=1, limit=1), entry("second", at=2, limit=1))
    assert jobs.blocked(jobs.entries["first"], PlankConfig()) is None
    assert "max_concurrency is 1" in (jobs.blocked(jobs.entries["second"], PlankConfig()) or "")
    jobs.put(entry("first", "pending", at=1, limit=1))
    assert jobs.blocked(jobs.entries["second"], PlankConfig())
    jobs.remove("first")  # finished
    assert jobs.blocked(jobs.entries["second"], PlankConfig()) is None


def test_queues_share_capacity_across_jobs() -> None:
    jobs = index(
        entry("a", "pending", at=1, job="x", queue="gpu"),
        entry("b", at=2, job="y", queue="gpu"),
        entry("c", at=3, job="z", queue="free"),
        entry("d", at=4, job="z", queue="closed"),
    )
    plank = PlankConfig(job_queue_capacities={"gpu": 1, "free": -1, "closed": 0})
    assert "queue gpu" in (jobs.blocked(jobs.entries["b"], plank) or "")
    assert jobs.blocked(jobs.entries["c"], plank) is None  # negative: unlimited
    assert jobs.blocked(jobs.entries["d"], plank)  # zero: nothing runs


def test_the_newest_run_of_a_presubmit_supersedes_the_older_ones() -> None:
    jobs = index(
        entry("old", "pending", at=1, pull="o/r@main#7"),
        entry("older", "pending", at=0, pull="o/r@main#7"),
        entry("new", at=2, pull="o/r@main#7"),
        entry("other-pull", at=3, pull="o/r@main#8"),
        entry("other-job", at=4, job="lint", pull="o/r@main#7"),
    )
    assert jobs.superseded(jobs.entries["new"]) == ["old", "older"]
    assert jobs.superseded(jobs.entries["old"]) == []  # only the newest decides
    assert jobs.superseded(jobs.entries["other-pull"]) == []
    same_second = index(
        entry("b-first", pull="o/r@main#7", at=0),
        Entry("a-second", "unit", "triggered", T0, T0, None, 0, "o/r@main#7", 1),
    )
    assert same_second.superseded(same_second.entries["a-second"]) == ["b-first"]
