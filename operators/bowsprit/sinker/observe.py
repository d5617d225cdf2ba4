"""Turn API objects into what sinker decides on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bowsprit.sinker.decide import PERIODIC_LABEL, Job, Pod


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def job_from(body: dict[str, Any]) -> Job:
    metadata, status = body["metadata"], body.get("status") or {}
    created = _time(metadata.get("creationTimestamp"))
    assert created is not None
    return Job(
        namespace=metadata.get("namespace", ""),
        name=metadata["name"],
        uid=metadata["uid"],
        start=_time(status.get("startTime")) or created,
        completion=_time(status.get("completionTime")),
        periodic=(metadata.get("labels") or {}).get(PERIODIC_LABEL),
    )


def pod_from(body: dict[str, Any]) -> Pod:
    metadata = body["metadata"]
    created = _time(metadata.get("creationTimestamp"))
    assert created is not None
    labels = metadata.get("labels") or {}
    return Pod(
        namespace=metadata.get("namespace", ""),
        name=metadata["name"],
        uid=metadata["uid"],
        job=labels.get("prow.k8s.io/id", metadata["name"]),
        created=created,
        started=_time((body.get("status") or {}).get("startTime")),
    )
