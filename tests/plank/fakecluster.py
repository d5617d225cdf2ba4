"""An in-memory stand-in for the Kubernetes calls plank makes (clients.cluster.Cluster),
which delivers its changes back to plank's watch stores from a thread of its own, as
the informers do, and checks every pod creation against the job's concurrency limits."""

from __future__ import annotations

import asyncio
import copy
import itertools
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from bowsprit.clients.cluster import ApiError
from bowsprit.lib.clock import rfc3339, utc_now
from bowsprit.plank import registry
from bowsprit.plank.watches import JobStore, PodStore


@dataclass
class FakeCluster:
    loop: asyncio.AbstractEventLoop
    deps: Any = None
    limits: dict[str, int] = field(default_factory=dict)
    """Concurrency allowed per job name, or per queue (keys `queue:<name>`)."""
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    pods: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    events: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _events: queue.Queue[tuple[str, dict[str, Any], bool]] = field(default_factory=queue.Queue)

    def watch(self, deps: Any) -> threading.Thread:
        """Deliver changes to `deps`' state from now on, in a daemon thread."""
        self.deps = deps
        stores = {
            "job": JobStore(deps, self.loop, registry.job_moved),
            "pod": PodStore(deps, self.loop),
        }

        def deliver() -> None:
            while True:
                kind, body, deleted = self._events.get()
                if deleted:
                    stores[kind].delete(body)
                else:
                    stores[kind].upsert(body)

        thread = threading.Thread(target=deliver, daemon=True)
        thread.start()
        return thread

    def add_job(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        body = {
            "apiVersion": "bowsprit.dev/v1",
            "kind": "ProwJob",
            "metadata": {
                "name": name,
                "namespace": "default",
                "uid": f"uid-{name}",
                "resourceVersion": str(next(self._versions)),
                "creationTimestamp": "2026-11-25T12:00:00Z",
            },
            "spec": {"type": "periodic", "pod_spec": {"containers": [{"image": "x"}]}, **spec},
            "status": {"state": "triggered"},
        }
        self.jobs[name] = body
        return copy.deepcopy(body)

    def _send(self, kind: str, body: dict[str, Any], deleted: bool = False) -> None:
        """The watch event of a change, delivered later by the watch thread."""
        self._events.put((kind, copy.deepcopy(body), deleted))

    def create_pod(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        name = body["metadata"]["name"]
        with self.lock:
            if name in self.pods:
                raise ApiError(status=409, reason="AlreadyExists")
            spec = self.jobs[name]["spec"]
            for key in (spec["job"], f"queue:{spec.get('job_queue_name')}"):
                if key in self.limits and self._running(key) >= self.limits[key]:
                    self.violations.append(f"{name}: over the limit of {key}")
            pod = copy.deepcopy(body)
            pod["metadata"].update(
                namespace=namespace,
                uid=f"pod-{name}",
                resourceVersion=str(next(self._versions)),
                creationTimestamp=rfc3339(utc_now()),  # no timeout is due yet
            )
            pod["status"] = {"phase": "Pending"}
            self.pods[name] = pod
            self.created.append(name)
        self._send("pod", pod)
        return copy.deepcopy(pod)

    def _running(self, key: str) -> int:
        """Pods of incomplete jobs counted against `key`."""
        count = 0
        for name in self.pods:
            spec, status = self.jobs[name]["spec"], self.jobs[name]["status"]
            keys = (spec["job"], f"queue:{spec.get('job_queue_name')}")
            count += key in keys and not status.get("completionTime")
        return count

    def get_pod(self, namespace: str, name: str) -> dict[str, Any] | None:
        with self.lock:
            return copy.deepcopy(self.pods.get(name))

    def delete_pod(self, namespace: str, name: str, uid: str | None = None) -> None:
        with self.lock:
            pod = self.pods.pop(name, None)
        if pod is None:
            raise ApiError(status=404, reason="NotFound")
        self._send("pod", pod, deleted=True)

    def patch_custom_status(
        self,
        namespace: str,
        plural: str,
        name: str,
        status: dict[str, Any],
        resource_version: str | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            job = self.jobs[name]
            if resource_version not in (None, job["metadata"]["resourceVersion"]):
                raise ApiError(status=409, reason="Conflict")
            job["status"] = {**job["status"], **status}
            job["metadata"]["resourceVersion"] = str(next(self._versions))
            patched = copy.deepcopy(job)
        self._send("job", patched)
        return patched

    def post_event(self, body: dict[str, Any]) -> None:
        with self.lock:
            self.events += 1

    def finish_pod(self, name: str) -> bool:
        """The kubelet's part: the pod ends (phase Failed); False if there is none."""
        with self.lock:
            pod = self.pods.get(name)
            if pod is None or pod["status"]["phase"] != "Pending":
                return False
            pod["status"] = {"phase": "Failed"}
            pod["metadata"]["resourceVersion"] = str(next(self._versions))
            changed = copy.deepcopy(pod)
        self._send("pod", changed)
        return True

    def complete(self) -> bool:
        with self.lock:
            return all(job["status"].get("completionTime") for job in self.jobs.values())
