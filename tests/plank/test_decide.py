"""Every plank transition, one observation at a time, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.api.prowjob import ProwJobSpec, ProwJobStatus
from bowsprit.plank.decide import Action, decide, limits_for
from bowsprit.plank.observe import Job, Pod, pod_from

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def job(state: str = "pending", revivals: int = 0, **spec: Any) -> Job:
    body = {
        "type": "periodic",
        "job": "nightly",
        "pod_spec": {"containers": [{"image": "busybox"}]},
        **spec,
    }
    status = ProwJobStatus(state=state, pod_revival_count=revivals or None)  # type: ignore[arg-type]
    return Job("run", "default", NOW - 10 * MINUTE, ProwJobSpec.model_validate(body), status)


def pod(phase: str = "Running", started: datetime | None = NOW - MINUTE, **fields: Any) -> Pod:
    return Pod(uid="u1", phase=phase, created=NOW - 2 * MINUTE, started=started, **fields)


def act(j: Job, p: Pod | None, blocked: str | None = None, **plank: Any) -> Action:
    return decide(j, p, limits_for(j, PlankConfig.model_validate(plank)), blocked, NOW)


def test_a_triggered_job_starts_unless_blocked() -> None:
    assert act(job("triggered"), None).kind == "start"
    blocked = act(job("triggered"), None, blocked="2 runs ahead")
    assert (blocked.kind, blocked.reason) == ("blocked", "2 runs ahead")


def test_a_triggered_job_whose_pod_exists_adopts_it() -> None:
    assert act(job("triggered"), pod()).kind == "adopt"
    assert act(job("triggered"), pod(deleting=True)).kind == "wait"


def test_an_unknown_queue_is_an_error() -> None:
    action = act(job("triggered", job_queue_name="gpu"), None, job_queue_capacities={"cpu": 1})
    assert action.status["state"] == "error" and "gpu" in action.status["description"]
    assert (
        act(job("triggered", job_queue_name="cpu"), None, job_queue_capacities={"cpu": 1}).kind
        == "start"
    )


@pytest.mark.parametrize(
    ("observed", "state", "description"),
    [
        (pod("Succeeded", succeeded=True), "success", "Job succeeded."),
        (pod("Succeeded"), "error", "Pod was in succeeded phase but some containers didn't finish"),
        (pod("Failed"), "failure", "Job failed."),
        (pod(oom_killed=True), "error", "Job pod was OOM killed by the cluster."),
        (pod(deleting=True), "error", "Pod got deleted unexpectedly"),
        (pod("Pending", deleting=True), "error", "Pod got deleted unexpectedly"),
    ],
)
def test_pod_outcomes(observed: Pod, state: str, description: str) -> None:
    action = act(job(), observed)
    assert action.kind == "finish"
    assert action.status == {
        "state": state,
        "description": description,
        "completionTime": "2026-11-25T12:00:00Z",
    }
    assert not action.delete_pod


def test_a_failed_pod_wins_over_its_deletion() -> None:
    assert act(job(), pod("Failed", deleting=True)).status["state"] == "failure"


def test_eviction_errors_when_the_job_asks_else_the_pod_is_replaced() -> None:
    evicted = pod("Failed", reason="Evicted")
    strict = act(job(error_on_eviction=True), evicted)
    assert strict.status["description"] == "Job pod was evicted by the cluster."
    replaced = act(job(), evicted)
    assert (replaced.kind, replaced.delete_pod) == ("delete-pod", True)
    assert act(job(), pod("Failed", reason="Evicted", deleting=True)).kind == "wait"


@pytest.mark.parametrize("lost", [pod("Unknown"), pod(reason="NodeLost")])
def test_lost_pods_are_replaced_and_counted_until_revivals_run_out(lost: Pod) -> None:
    # Prow's syncPendingJob: an unexpected stop uses up a revival when the pod is deleted.
    replaced = act(job(revivals=1), lost)
    assert (replaced.kind, replaced.status, replaced.delete_pod) == (
        "delete-pod",
        {"pod_revival_count": 2},
        True,
    )
    used_up = act(job(revivals=3), lost)
    assert used_up.status["state"] == "error"
    assert used_up.status["description"] == "Job pod reached max revivals (3)."
    assert act(job(), lost, max_revivals=0).status["state"] == "error"


def test_a_stopped_pod_being_deleted_is_waited_for_not_counted_again() -> None:
    going = pod(reason="NodeLost", deleting=True)
    assert act(job(revivals=3), going).kind == "wait"


def test_a_missing_pod_is_recreated_without_using_up_a_revival() -> None:
    # Prow's syncPendingJob starts a missing pod again whatever the revival count.
    for revivals in (0, 2, 3):
        revived = act(job(revivals=revivals), None)
        assert (revived.kind, revived.status) == ("revive", {})
    assert act(job(revivals=5), None, max_revivals=0).kind == "revive"


def test_unscheduled_and_pending_timeouts_wake_exactly_when_due() -> None:
    unscheduled = pod("Pending", started=None)  # created 2 minutes ago
    assert act(job(), unscheduled).wake_at == NOW + 3 * MINUTE
    late = act(job(), unscheduled, pod_unscheduled_timeout="2m")
    assert late.status["description"] == "Pod scheduling timeout." and late.delete_pod
    pulling = pod("Pending", started=NOW - MINUTE)
    assert act(job(), pulling).wake_at == NOW + 9 * MINUTE
    stuck = act(job(), pulling, pod_pending_timeout="1m")
    assert stuck.status["description"] == "Pod pending timeout." and stuck.delete_pod


def test_the_running_timeout_aborts_and_the_job_can_override_it() -> None:
    assert act(job(), pod()).wake_at == NOW - MINUTE + timedelta(hours=48)
    overridden = job(decoration_config={"pod_running_timeout": "30s"})
    action = act(overridden, pod())
    assert (action.status["state"], action.status["description"]) == (
        "aborted",
        "Pod running timeout.",
    )
    assert action.delete_pod
    # A default decoration config's timeout counts for the jobs it decorates.
    defaults = {"*": {"pod_running_timeout": "30s"}}
    decorated = job(decoration_config={})
    timed_out = act(decorated, pod(), default_decoration_configs=defaults)
    assert timed_out.status["state"] == "aborted"
    assert act(job(), pod(), default_decoration_configs=defaults).status == {}


def test_an_aborted_job_loses_its_pod_and_completes() -> None:
    action = act(job("aborted"), pod())
    assert action.kind == "abort" and action.delete_pod
    assert action.status == {"completionTime": "2026-11-25T12:00:00Z"}
    assert not act(job("aborted"), None).delete_pod


def test_complete_and_scheduling_jobs_are_left_alone() -> None:
    done = Job(
        "run",
        "default",
        NOW,
        job().spec,
        ProwJobStatus(state="success", completionTime=NOW),
    )
    assert act(done, pod()).kind == "none"
    assert act(job("scheduling"), None).kind == "none"


def test_pods_are_read_as_prow_reads_them() -> None:
    body = {
        "metadata": {
            "uid": "u",
            "creationTimestamp": "2026-11-25T11:58:00Z",
            "labels": {"prow.k8s.io/build-id": "42"},
        },
        "status": {
            "phase": "Succeeded",
            "startTime": "2026-11-25T11:59:00Z",
            "initContainerStatuses": [
                {"state": {"terminated": {"exitCode": 0, "finishedAt": "2026-11-25T11:59:10Z"}}}
            ],
            "containerStatuses": [
                {"state": {"terminated": {"exitCode": 0, "finishedAt": "2026-11-25T11:59:30Z"}}}
            ],
        },
    }
    observed = pod_from(body)
    assert observed.succeeded and observed.build_id == "42" and not observed.oom_killed
    body["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"] = "OOMKilled"
    body["status"]["containerStatuses"][0]["state"] = {"running": {}}
    observed = pod_from(body)
    assert observed.oom_killed and not observed.succeeded
