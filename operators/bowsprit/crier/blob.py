"""The blob reporter (Prow's crier gcsreporter and gcsk8sreporter in one): when a job
with a build ID completes, its folder in the bucket gets

- `podinfo.json`: the pod and its events (Prow's PodReport), env values and
  `valueFrom` references removed, so no secret reaches the bucket;
- `started.json` and `finished.json` when the pod utilities never wrote them (the pod
  never ran, or died before its sidecar finished): iff absent, as Prow writes them;
- `prowjob.json`: the ProwJob as it ended (overwritten, as Prow does).

Deck's job page, job history and PR history then show every run."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.clients.artifacts import ArtifactStore, StorageError
from bowsprit.clients.buildclusters import ClusterUnavailable, UnknownCluster
from bowsprit.crier.decide import Job
from bowsprit.jobpod.defaults import with_decoration_defaults
from bowsprit.jobpod.storage import job_dir

logger = logging.getLogger("bowsprit.crier")
NAME = "blob-reporter"


class PodReader(Protocol):
    def get_pod(self, namespace: str, name: str) -> dict[str, Any] | None: ...
    def list_events(self, namespace: str, involved_name: str) -> list[dict[str, Any]]: ...


def redacted_pod(pod: dict[str, Any]) -> dict[str, Any]:
    """The pod without what could carry a secret: env values (names kept), envFrom, and
    the bookkeeping nobody reads (managedFields)."""
    out = copy.deepcopy(pod)
    (out.get("metadata") or {}).pop("managedFields", None)
    spec = out.get("spec") or {}
    for key in ("containers", "initContainers", "ephemeralContainers"):
        for container in spec.get(key) or []:
            container["env"] = [
                {"name": item.get("name", "")} for item in container.get("env") or []
            ]
            container.pop("envFrom", None)
    return out


def pod_report(pod: dict[str, Any] | None, events: list[dict[str, Any]]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    if pod is not None:
        report["pod"] = redacted_pod(pod)
    if events:
        report["events"] = [
            {k: v for k, v in event.items() if k != "metadata"}
            | {"metadata": {"name": (event.get("metadata") or {}).get("name", "")}}
            for event in events
        ]
    return report


def started(job: Job) -> dict[str, Any]:
    start = job.status.startTime
    return {"timestamp": int(start.timestamp()) if start else 0}


def finished(job: Job) -> dict[str, Any]:
    """Prow's finished.json for a job the pod utilities did not finish."""
    end = job.status.completionTime
    return {
        "timestamp": int(end.timestamp()) if end else 0,
        "passed": job.state == "success",
        "result": job.state.upper(),
    }


class BlobReporter:
    name = NAME

    def __init__(
        self,
        cluster: PodReader,
        open_store: Callable[[str], ArtifactStore],
        body: Callable[[str], dict[str, Any] | None],
        pods_in: Callable[[str | None], PodReader] | None = None,
    ) -> None:
        self.cluster = cluster
        self.open_store = open_store
        self.body = body  # the ProwJob as last seen, by name (for prowjob.json)
        # The job's build cluster by alias, where its pod and the pod's events are.
        self.pods_in = pods_in

    def wants(self, job: Job, config: ProwConfigSpec) -> bool:
        # Prow's ShouldReport: only once there is a build ID (a folder to write to).
        return bool(job.status.build_id) and job.status.complete

    def _destination(self, job: Job, config: ProwConfigSpec) -> tuple[str, str] | None:
        spec = with_decoration_defaults(job.spec, config.plank)
        gcs = spec.decoration_config.gcs_configuration if spec.decoration_config else None
        if gcs is None or not gcs.bucket or job.status.build_id is None:
            return None
        return gcs.bucket, job_dir(spec, job.status.build_id, gcs)

    async def report(self, job: Job, config: ProwConfigSpec, *, suspect: bool) -> str:
        destination = self._destination(job, config)
        if destination is None:
            return "no bucket configured: nothing written"
        bucket, folder = destination
        try:
            store = self.open_store(bucket)
        except StorageError as error:
            logger.error("%s: %s; nothing written", job.name, error)
            return "dropped"
        name = job.status.pod_name or job.name
        try:
            reader = self.pods_in(job.spec.cluster) if self.pods_in else self.cluster
        except (UnknownCluster, ClusterUnavailable) as error:
            logger.warning("%s: no pod info: %s", job.name, error)
            return await asyncio.to_thread(self._write, store, folder, job, {})
        pod = await asyncio.to_thread(reader.get_pod, config.pod_namespace, name)
        events = await asyncio.to_thread(reader.list_events, config.pod_namespace, name)
        return await asyncio.to_thread(self._write, store, folder, job, pod_report(pod, events))

    def _write(self, store: ArtifactStore, folder: str, job: Job, podinfo: dict[str, Any]) -> str:
        written = []
        present = set(store.list(folder + "/"))
        uploads: list[tuple[str, dict[str, Any], bool]] = [
            ("started.json", started(job), False),
            ("finished.json", finished(job), False),
            ("prowjob.json", self.body(job.name) or {}, True),
        ]
        if podinfo:
            uploads.append(("podinfo.json", podinfo, True))
        for name, content, overwrite in uploads:
            key = f"{folder}/{name}"
            if not content or (not overwrite and key in present):
                continue
            store.put(key, json.dumps(content, indent=2).encode(), "application/json")
            written.append(name)
        return "wrote " + ", ".join(written) if written else "nothing to write"
