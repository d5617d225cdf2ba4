"""What plank reads from a ProwJob and its pod, as plain values (no client objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bowsprit.api.prowjob import ProwJobSpec, ProwJobStatus
from bowsprit.jobpod.labels import BUILD_ID
from bowsprit.lib.clock import parse_time


@dataclass(frozen=True)
class Job:
    """A ProwJob as plank sees it."""

    name: str
    namespace: str
    created: datetime
    spec: ProwJobSpec
    status: ProwJobStatus
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def started(self) -> datetime:
        """Prow orders runs by status.startTime; creation stands in until it is set."""
        return self.status.startTime or self.created


def job_from(body: dict[str, Any]) -> Job:
    metadata = body["metadata"]
    return Job(
        name=metadata["name"],
        namespace=metadata["namespace"],
        created=parse_time(metadata["creationTimestamp"]) or datetime.min,
        spec=ProwJobSpec.model_validate(body["spec"]),
        status=ProwJobStatus.model_validate(body.get("status") or {}),
        labels=dict(metadata.get("labels") or {}),
        annotations=dict(metadata.get("annotations") or {}),
    )


@dataclass(frozen=True)
class Pod:
    """A job's pod as plank sees it."""

    uid: str
    phase: str
    created: datetime
    started: datetime | None = None
    reason: str = ""
    deleting: bool = False
    build_id: str = ""
    succeeded: bool = False
    """Every container, init containers too, terminated with exit code 0 (Prow's
    didPodSucceed: phase Succeeded alone was not trusted, kubernetes#58711)."""
    oom_killed: bool = False


def pod_from(body: dict[str, Any]) -> Pod:
    metadata, status = body["metadata"], body.get("status") or {}
    containers = [
        *(status.get("containerStatuses") or []),
        *(status.get("initContainerStatuses") or []),
    ]
    terminated = [(c.get("state") or {}).get("terminated") for c in containers]
    return Pod(
        uid=metadata.get("uid", ""),
        phase=status.get("phase", "Pending"),
        created=parse_time(metadata.get("creationTimestamp")) or datetime.min,
        started=parse_time(status.get("startTime")),
        reason=status.get("reason", ""),
        deleting=bool(metadata.get("deletionTimestamp")),
        build_id=(metadata.get("labels") or {}).get(BUILD_ID, ""),
        succeeded=all(t and t.get("exitCode") == 0 and t.get("finishedAt") for t in terminated),
        oom_killed=any(t and t.get("reason") == "OOMKilled" for t in terminated),
    )
