"""plank's rules (PROW-REFERENCE 2.2–2.4): one ProwJob and its pod in, one action out.

Pure: the caller observes (job, pod, whether concurrency blocks it, now) and carries
out the action; every transition is unit-tested here with a fixed `now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.jobpod.defaults import with_decoration_defaults
from bowsprit.lib.clock import rfc3339
from bowsprit.plank.observe import Job, Pod

GITHUB_REPORTER = "github-reporter"


@dataclass(frozen=True)
class Action:
    """What to do for a job. `status` is a merge patch of its status, written last."""

    kind: str
    """start | revive | adopt | finish | delete-pod | abort | wait | blocked | none"""
    status: dict[str, Any] = field(default_factory=dict)
    delete_pod: bool = False
    wake_at: datetime | None = None
    reason: str = ""
    """Why (the Event's message, or why a job is blocked)."""


@dataclass(frozen=True)
class Limits:
    """The timeouts and revivals that apply to one job (per-job overrides applied)."""

    unscheduled: timedelta
    pending: timedelta
    running: timedelta
    max_revivals: int
    queues: frozenset[str]
    clusters: frozenset[str] | None = None
    """The configured build cluster aliases; None: not checked (one cluster)."""


def limits_for(job: Job, plank: PlankConfig) -> Limits:
    """Prow's rule: the final decoration config's pod_*_timeout (the job's own, else the
    default decoration config's) beats plank's."""
    decoration = with_decoration_defaults(job.spec, plank).decoration_config
    return Limits(
        unscheduled=(decoration and decoration.pod_unscheduled_timeout)
        or plank.pod_unscheduled_timeout,
        pending=(decoration and decoration.pod_pending_timeout) or plank.pod_pending_timeout,
        running=(decoration and decoration.pod_running_timeout) or plank.pod_running_timeout,
        max_revivals=plank.max_revivals,
        queues=frozenset(plank.job_queue_capacities or {}),
    )


def finish(state: str, description: str, now: datetime, delete_pod: bool = False) -> Action:
    return Action(
        "finish",
        {"state": state, "description": description, "completionTime": rfc3339(now)},
        delete_pod=delete_pod,
        reason=description,
    )


def decide(job: Job, pod: Pod | None, limits: Limits, blocked: str | None, now: datetime) -> Action:
    if job.status.complete:
        return Action("none")
    state = job.status.state
    if state == "aborted":
        return Action(
            "abort",
            {"completionTime": rfc3339(now)},
            delete_pod=pod is not None,
            reason=job.status.description or "Job aborted.",
        )
    alias = job.spec.cluster or "default"
    if limits.clusters is not None and alias not in limits.clusters and pod is None:
        # Never a silent fallback to another cluster: the job errs, naming the alias.
        known = ", ".join(sorted(limits.clusters))
        return finish(
            "error", f"Build cluster {alias} is not configured (configured: {known}).", now
        )
    if state == "triggered":
        queue = job.spec.job_queue_name
        if queue and queue not in limits.queues and pod is None:
            return finish(
                "error", f"Job queue {queue} is not in plank's job_queue_capacities.", now
            )
        return _triggered(pod, blocked)
    if state == "pending":
        return _pending(job, pod, limits, now)
    return Action("none")  # scheduling: not plank's yet


def _triggered(pod: Pod | None, blocked: str | None) -> Action:
    if pod is not None and not pod.deleting:
        # The pod was created but the status write failed (or plank stopped in between):
        # take the pod as it is instead of creating a second one.
        return Action("adopt", reason="Job triggered.")
    if pod is not None:
        return Action("wait", reason="an earlier pod of this job is being deleted")
    if blocked:
        return Action("blocked", reason=blocked)
    return Action("start", reason="Job triggered.")


def _pending(job: Job, pod: Pod | None, limits: Limits, now: datetime) -> Action:
    revivals = job.status.pod_revival_count or 0
    if pod is None:
        # Prow's syncPendingJob: a missing pod (deleted by hand, by a rescheduler, or by
        # plank after an unexpected stop, already counted then) is simply started again.
        return Action("revive", reason="Pod is missing, starting a new pod.")
    if pod.reason == "Evicted" and job.spec.error_on_eviction:
        return finish("error", "Job pod was evicted by the cluster.", now)
    if pod.oom_killed and pod.phase in ("Pending", "Running"):
        return finish("error", "Job pod was OOM killed by the cluster.", now)
    if pod.reason in ("Evicted", "NodeLost") or pod.phase == "Unknown":
        return _stopped_unexpectedly(pod, revivals, limits, now)
    return _by_phase(pod, limits, now)


def _by_phase(pod: Pod, limits: Limits, now: datetime) -> Action:
    if pod.phase == "Succeeded":
        if pod.succeeded:
            return finish("success", "Job succeeded.", now)
        return finish("error", "Pod was in succeeded phase but some containers didn't finish", now)
    if pod.phase == "Failed":
        return finish("failure", "Job failed.", now)
    if pod.deleting:
        # Prow completes the job: a pod someone else deletes will not report a result.
        return finish("error", "Pod got deleted unexpectedly", now)
    if pod.phase == "Pending":
        return _pod_pending(pod, limits, now)
    if pod.phase == "Running" and pod.started is not None:
        if now - pod.started >= limits.running:
            return finish("aborted", "Pod running timeout.", now, delete_pod=True)
        return Action("wait", wake_at=pod.started + limits.running)
    return Action("none")


def _too_many_revivals(limits: Limits, now: datetime) -> Action:
    return finish("error", f"Job pod reached max revivals ({limits.max_revivals}).", now)


def _stopped_unexpectedly(pod: Pod, revivals: int, limits: Limits, now: datetime) -> Action:
    """Evicted, node lost, or phase Unknown: the pod goes and a new one replaces it,
    unless revivals are used up. The revival is counted here, as Prow counts it: only
    unexpected stops use one up, never a pod that is merely missing."""
    if pod.deleting:
        # Going already (deleted after its stop was counted): the replacement comes
        # when it is gone.
        return Action("wait", reason="the stopped pod is being deleted")
    if revivals >= limits.max_revivals:
        return _too_many_revivals(limits, now)
    return Action(
        "delete-pod",
        {"pod_revival_count": revivals + 1},
        delete_pod=True,
        reason=f"Pod stopped unexpectedly ({pod.reason or pod.phase}); restarting it.",
    )


def _pod_pending(pod: Pod, limits: Limits, now: datetime) -> Action:
    if pod.started is None:
        if now - pod.created >= limits.unscheduled:
            return finish("error", "Pod scheduling timeout.", now, delete_pod=True)
        return Action("wait", wake_at=pod.created + limits.unscheduled)
    if now - pod.started >= limits.pending:
        return finish("error", "Pod pending timeout.", now, delete_pod=True)
    return Action("wait", wake_at=pod.started + limits.pending)


def started_status(build_id: str, pod_name: str, now: datetime, url: str | None) -> dict[str, Any]:
    """A job's status once its pod exists (Prow's syncTriggeredJob)."""
    status: dict[str, Any] = {
        "state": "pending",
        "pendingTime": rfc3339(now),
        "pod_name": pod_name,
        "build_id": build_id,
        "description": "Job triggered.",
    }
    if url:
        status["url"] = url
    return status


def revived_status(build_id: str, url: str | None) -> dict[str, Any]:
    status: dict[str, Any] = {"build_id": build_id}
    if url:
        status["url"] = url
    return status


def cannot_create(message: str, now: datetime) -> Action:
    """The API server refused the pod (4xx): retrying cannot help."""
    return finish("error", f"Pod can not be created: {message}", now)


def superseded_status() -> dict[str, Any]:
    """An older run of a presubmit replaced by a newer one; crier must not report the abort
    over the newer run's context, so it is recorded as already reported."""
    return {
        "state": "aborted",
        "description": "Aborted as the newer version of this job is running.",
        "prev_report_states": {GITHUB_REPORTER: "aborted"},
    }
