"""The ProwJob of a Periodic's run, and the Periodic's new status: pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bowsprit.api.base import API_VERSION
from bowsprit.api.periodic import PeriodicSpec
from bowsprit.horologium.decide import RERUN_LABEL, Decision, LastRun, Run, prowjob_name
from bowsprit.jobpod.newjob import base_spec
from bowsprit.lib.clock import parse_time, rfc3339
from bowsprit.lib.labels import identifying, truncated

PERIODIC_LABEL = "bowsprit.dev/periodic"
PERIODIC_NAMESPACE_LABEL = "bowsprit.dev/periodic-namespace"


def run_selector(periodic: str, periodic_namespace: str) -> str:
    """The label selector of one Periodic's runs (namesakes in other namespaces excluded)."""
    return (
        f"{PERIODIC_LABEL}={identifying(periodic)},{PERIODIC_NAMESPACE_LABEL}={periodic_namespace}"
    )


def prowjob(
    periodic: str, spec: PeriodicSpec, run: Run, namespace: str, periodic_namespace: str
) -> dict[str, Any]:
    """The run's ProwJob in `namespace`, of Periodic `periodic_namespace`/`periodic`."""
    job = spec.name or periodic
    body = base_spec(spec, "periodic", job, report=True)
    labels = {
        **(spec.labels or {}),
        "created-by-prow": "true",
        "prow.k8s.io/job": truncated(job),
        "prow.k8s.io/type": "periodic",
        PERIODIC_LABEL: identifying(periodic),
        PERIODIC_NAMESPACE_LABEL: periodic_namespace,  # a namespace is a valid label value
    }
    if run.attempt:
        labels[RERUN_LABEL] = str(run.attempt)
    return {
        "apiVersion": API_VERSION,
        "kind": "ProwJob",
        "metadata": {
            "name": prowjob_name(periodic, periodic_namespace, run.scheduled_at, run.attempt),
            "namespace": namespace,
            "labels": labels,
            "annotations": {**(spec.annotations or {}), "prow.k8s.io/job": job},
        },
        "spec": body,
    }


def status(
    decision: Decision,
    created_job: str | None,
    last_run: LastRun | None,
    now: datetime,
    generation: int | None,
    current: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The Periodic's status after acting on `decision` (a merge patch body); `current` is
    its status now, whose Skipped condition keeps its transition time while unchanged."""
    patch: dict[str, Any] = {
        "observedGeneration": generation,
        "nextScheduleTime": rfc3339(decision.wake_at) if decision.wake_at else None,
    }
    if decision.fired is not None:
        patch["lastFiringTime"] = rfc3339(decision.fired)
    if created_job is not None:
        patch.update(
            lastScheduleTime=rfc3339(now), lastProwJobName=created_job, lastProwJobState="triggered"
        )
    elif last_run is not None:
        patch.update(lastProwJobName=last_run.name, lastProwJobState=last_run.state)
    skipped = decision.skipped
    condition = {
        "type": "Skipped",
        "status": "True" if skipped else "False",
        "reason": "PreviousRunIncomplete" if skipped else "AsScheduled",
        "message": skipped or "runs start as scheduled",
        "lastTransitionTime": rfc3339(now),
        "observedGeneration": generation,
    }
    before = next(
        (item for item in (current or {}).get("conditions") or [] if item.get("type") == "Skipped"),
        None,
    )
    if before is not None and before.get("status") == condition["status"]:
        condition["lastTransitionTime"] = before.get("lastTransitionTime")
    patch["conditions"] = [condition]
    return patch


def changes(patch: dict[str, Any], current: dict[str, Any] | None) -> bool:
    """Whether writing `patch` changes the status: an unchanged write would only wake
    horologium again on its own event."""
    current = current or {}
    return any(current.get(key) != value for key, value in patch.items())


def last_run_from(items: list[dict[str, Any]]) -> LastRun | None:
    """The newest run among a Periodic's ProwJobs (by start time, then creation)."""
    runs = []
    for item in items:
        metadata, status_body = item["metadata"], item.get("status") or {}
        start = status_body.get("startTime") or metadata["creationTimestamp"]
        runs.append(
            LastRun(
                name=metadata["name"],
                start=datetime.fromisoformat(start),
                completion=parse_time(status_body.get("completionTime")),
                state=status_body.get("state", "triggered"),
                attempt=int((metadata.get("labels") or {}).get(RERUN_LABEL, "0")),
            )
        )
    return max(runs, key=lambda run: (run.start, run.name), default=None)
