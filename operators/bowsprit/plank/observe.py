"""What plank reads from a ProwJob and its pod, as plain values (no client objects)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
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
    return stored_from(body).job()


@dataclass(frozen=True, slots=True)
class StoredJob:
    """A ProwJob as plank keeps it between reconciles: spec and status as compact JSON,
    parsed into a Job only when a reconcile needs it (10,000 parsed specs would cost
    hundreds of MB; their JSON, a few)."""

    name: str
    namespace: str
    uid: str
    api_version: str
    created: datetime
    spec: bytes
    status: bytes
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]

    def job(self) -> Job:
        return _job(self)


def stored_from(body: dict[str, Any], spec: bytes | None = None) -> StoredJob:
    """`spec`: the JSON of the spec when the caller knows it unchanged (same generation)."""
    metadata = body["metadata"]
    return StoredJob(
        name=metadata["name"],
        namespace=metadata["namespace"],
        uid=metadata.get("uid", ""),
        api_version=body.get("apiVersion", ""),
        created=parse_time(metadata["creationTimestamp"]) or datetime.min,
        spec=spec if spec is not None else _compact(body["spec"]),
        status=_compact(body.get("status") or {}),
        labels=tuple((metadata.get("labels") or {}).items()),
        annotations=tuple((metadata.get("annotations") or {}).items()),
    )


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@lru_cache(maxsize=256)
def _job(stored: StoredJob) -> Job:
    """The jobs being reconciled now stay parsed; the others are parsed again on use."""
    return Job(
        name=stored.name,
        namespace=stored.namespace,
        created=stored.created,
        spec=_spec(stored.spec),
        status=ProwJobStatus.model_validate_json(stored.status),
        labels=dict(stored.labels),
        annotations=dict(stored.annotations),
    )


@lru_cache(maxsize=256)
def _spec(raw: bytes) -> ProwJobSpec:
    """Shared by every version of a job with the same spec (specs are never changed in
    place: with_decoration_defaults copies)."""
    return ProwJobSpec.model_validate_json(raw)


@dataclass(frozen=True, slots=True)
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
