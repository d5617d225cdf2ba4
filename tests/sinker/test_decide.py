"""Every cleanup rule of sinker, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bowsprit.api.prowconfig import SinkerConfig
from bowsprit.sinker.decide import Deletion, Job, Pod, decide

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def job(
    name: str,
    age: timedelta,
    done_ago: timedelta | None,
    periodic: str | None = None,
    periodic_namespace: str | None = None,
) -> Job:
    completion = NOW - done_ago if done_ago is not None else None
    return Job("default", name, f"uid-{name}", NOW - age, completion, periodic, periodic_namespace)


def pod(name: str, age: timedelta, job_name: str | None = None) -> Pod:
    return Pod("test-pods", name, f"pod-{name}", job_name or name, NOW - age, NOW - age)


def names(deletions: list[Deletion]) -> list[tuple[str, str, str]]:
    return sorted((d.kind, d.name, d.reason) for d in deletions)


def test_old_completed_jobs_go_but_not_running_ones() -> None:
    jobs = [
        job("old-done", 8 * DAY, 8 * DAY),
        job("old-running", 8 * DAY, None),
        job("young-done", 6 * DAY, 6 * DAY),
    ]
    assert names(decide(jobs, [], set(), SinkerConfig(), NOW)) == [
        ("ProwJob", "old-done", "max_prowjob_age")
    ]


def test_the_newest_run_of_an_existing_periodic_is_kept() -> None:
    jobs = [
        job("p-1", 9 * DAY, 9 * DAY, "nightly"),
        job("p-2", 8 * DAY, 8 * DAY, "nightly"),
        job("gone-1", 8 * DAY, 8 * DAY, "deleted-periodic"),
    ]
    assert names(decide(jobs, [], {("default", "nightly")}, SinkerConfig(), NOW)) == [
        ("ProwJob", "gone-1", "max_prowjob_age"),
        ("ProwJob", "p-1", "max_prowjob_age"),
    ]


def test_the_newest_run_of_each_namesake_periodic_in_each_namespace_is_kept() -> None:
    jobs = [
        job("a-1", 9 * DAY, 9 * DAY, "nightly", "team-a"),
        job("a-2", 8 * DAY, 8 * DAY, "nightly", "team-a"),
        job("b-1", 10 * DAY, 10 * DAY, "nightly", "team-b"),
        job("c-1", 10 * DAY, 10 * DAY, "nightly", "team-c"),  # its Periodic is gone
    ]
    periodics = {("team-a", "nightly"), ("team-b", "nightly")}
    assert names(decide(jobs, [], periodics, SinkerConfig(), NOW)) == [
        ("ProwJob", "a-1", "max_prowjob_age"),
        ("ProwJob", "c-1", "max_prowjob_age"),
    ]


def test_pod_rules() -> None:
    config = SinkerConfig.model_validate({"terminated_pod_ttl": "2h"})
    jobs = [
        job("running", 3 * DAY, None),
        job("done-long-ago", 3 * DAY, timedelta(hours=3)),
        job("done-just-now", timedelta(hours=1), timedelta(minutes=5)),
    ]
    pods = [
        pod("running", 3 * DAY),
        pod("done-long-ago", timedelta(hours=5)),
        pod("done-just-now", timedelta(hours=1)),
        pod("orphan", timedelta(minutes=1)),
        pod("fresh-orphan", timedelta(seconds=10)),
        pod("ancient", 2 * DAY, job_name="done-just-now"),
    ]
    assert names(decide(jobs, pods, set(), config, NOW)) == [
        ("Pod", "ancient", "max_pod_age"),
        ("Pod", "done-long-ago", "terminated_pod_ttl"),
        ("Pod", "orphan", "orphaned"),
    ]


def test_terminated_pod_ttl_defaults_to_max_pod_age() -> None:
    jobs = [job("j", 3 * DAY, 23 * timedelta(hours=1)), job("k", 3 * DAY, 25 * timedelta(hours=1))]
    pods = [pod("j", timedelta(hours=1)), pod("k", timedelta(hours=1))]
    assert names(decide(jobs, pods, set(), SinkerConfig(), NOW)) == [
        ("Pod", "k", "terminated_pod_ttl")
    ]


def test_deletions_carry_the_uid() -> None:
    (deletion,) = decide([job("x", 8 * DAY, 8 * DAY)], [], set(), SinkerConfig(), NOW)
    assert deletion.uid == "uid-x"


def test_an_excluded_build_cluster_keeps_its_pods() -> None:
    """Prow's exclude_clusters: pods of an excluded build cluster are left alone (ProwJobs
    are still cleaned); Bowsprit's one build cluster is `default`."""
    jobs = [job("old-done", 8 * DAY, 8 * DAY)]
    pods = [pod("old-done", 8 * DAY), pod("orphan", DAY, "gone")]
    excluded = SinkerConfig.model_validate({"exclude_clusters": ["default"]})
    assert names(decide(jobs, pods, set(), excluded, NOW)) == [
        ("ProwJob", "old-done", "max_prowjob_age")
    ]
    other = SinkerConfig.model_validate({"exclude_clusters": ["gpu"]})
    assert len(decide(jobs, pods, set(), other, NOW)) == 3
