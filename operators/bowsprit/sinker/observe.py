"""Turn API objects into what sinker decides on."""

from __future__ import annotations

from typing import Any

from bowsprit.lib.clock import parse_time
from bowsprit.sinker.decide import PERIODIC_LABEL, PERIODIC_NAMESPACE_LABEL, Job, Pod


def job_from(body: dict[str, Any]) -> Job:
    metadata, status = body["metadata"], body.get("status") or {}
    created = parse_time(metadata.get("creationTimestamp"))
    assert created is not None
    return Job(
        namespace=metadata.get("namespace", ""),
        name=metadata["name"],
        uid=metadata["uid"],
        start=parse_time(status.get("startTime")) or created,
        completion=parse_time(status.get("completionTime")),
        periodic=(metadata.get("labels") or {}).get(PERIODIC_LABEL),
        periodic_namespace=(metadata.get("labels") or {}).get(PERIODIC_NAMESPACE_LABEL),
    )


def pod_from(body: dict[str, Any]) -> Pod:
    metadata = body["metadata"]
    created = parse_time(metadata.get("creationTimestamp"))
    assert created is not None
    labels = metadata.get("labels") or {}
    return Pod(
        namespace=metadata.get("namespace", ""),
        name=metadata["name"],
        uid=metadata["uid"],
        job=labels.get("prow.k8s.io/id", metadata["name"]),
        created=created,
        started=parse_time((body.get("status") or {}).get("startTime")),
    )
