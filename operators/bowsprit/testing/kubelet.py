"""A test kubelet: moves pods through their lives by writing pod status through the API.

There is no node in the emulator or in envtest, so tests play the kubelet's part:
start a pod, finish it with exit codes, evict it, OOM-kill it, lose its node. Every
change is a status update through the API, exactly what a real kubelet sends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import kubernetes
from kubernetes.client.exceptions import ApiException

from bowsprit.lib.clock import Clock, rfc3339, utc_now

Status = dict[str, Any]


class TestKubelet:
    """Writes pod status the way a kubelet would, for pods named by namespace and name."""

    __test__ = False  # not a pytest test class

    def __init__(self, api: kubernetes.client.ApiClient, clock: Clock = utc_now) -> None:
        self.core = kubernetes.client.CoreV1Api(api)
        self.clock = clock

    def read(self, namespace: str, name: str) -> dict[str, Any]:
        # Untyped read: the raw JSON keeps every field exactly as the server sent it.
        response: Any = self.core.read_namespaced_pod(name, namespace, _preload_content=False)
        pod: dict[str, Any] = json.loads(response.data)
        return pod

    def _update(
        self, namespace: str, name: str, change: Callable[[dict[str, Any]], Status]
    ) -> None:
        """Read, change status, write; a conflicting write is retried on the fresh pod."""
        for _ in range(10):
            pod = self.read(namespace, name)
            pod["status"] = change(pod)
            try:
                self.core.replace_namespaced_pod_status(name, namespace, cast(Any, pod))
                return
            except ApiException as error:
                if error.status != 409:
                    raise
        raise RuntimeError(f"pod {namespace}/{name}: status kept conflicting")

    def _now(self) -> str:
        return rfc3339(self.clock())

    @staticmethod
    def _names(pod: dict[str, Any]) -> list[str]:
        return [container["name"] for container in pod["spec"]["containers"]]

    def pull_images(self, namespace: str, name: str) -> None:
        """Started on a node, still Pending while images are pulled."""
        now = self._now()

        def change(pod: dict[str, Any]) -> Status:
            return {
                **pod.get("status", {}),
                "phase": "Pending",
                "startTime": now,
                "containerStatuses": [_waiting(c, "ContainerCreating") for c in self._names(pod)],
            }

        self._update(namespace, name, change)

    def start(self, namespace: str, name: str) -> None:
        now = self._now()

        def change(pod: dict[str, Any]) -> Status:
            status = pod.get("status", {})
            return {
                **status,
                "phase": "Running",
                "startTime": status.get("startTime", now),
                "containerStatuses": [_running(c, now) for c in self._names(pod)],
            }

        self._update(namespace, name, change)

    def finish(self, namespace: str, name: str, exit_codes: dict[str, int] | int = 0) -> None:
        """Terminate every container (one code for all, or one per container)."""
        now = self._now()

        def change(pod: dict[str, Any]) -> Status:
            names = self._names(pod)
            codes = exit_codes if isinstance(exit_codes, dict) else dict.fromkeys(names, exit_codes)
            phase = "Succeeded" if all(codes.get(c, 0) == 0 for c in names) else "Failed"
            status = pod.get("status", {})
            return {
                **status,
                "phase": phase,
                "startTime": status.get("startTime", now),
                "containerStatuses": [_terminated(c, codes.get(c, 0), now) for c in names],
            }

        self._update(namespace, name, change)

    def evict(self, namespace: str, name: str) -> None:
        def change(pod: dict[str, Any]) -> Status:
            return {
                **pod.get("status", {}),
                "phase": "Failed",
                "reason": "Evicted",
                "message": "The node was low on resource: memory.",
            }

        self._update(namespace, name, change)

    def oom_kill(self, namespace: str, name: str, container: str | None = None) -> None:
        now = self._now()

        def change(pod: dict[str, Any]) -> Status:
            target = container or self._names(pod)[0]
            statuses = [
                _terminated(c, 137, now, "OOMKilled") if c == target else _running(c, now)
                for c in self._names(pod)
            ]
            return {**pod.get("status", {}), "phase": "Running", "containerStatuses": statuses}

        self._update(namespace, name, change)

    def lose_node(self, namespace: str, name: str) -> None:
        def change(pod: dict[str, Any]) -> Status:
            return {
                **pod.get("status", {}),
                "phase": "Unknown",
                "reason": "NodeLost",
                "message": "Node is not responding",
            }

        self._update(namespace, name, change)


def _waiting(name: str, reason: str) -> dict[str, Any]:
    return {
        "name": name,
        "ready": False,
        "restartCount": 0,
        "image": "",
        "imageID": "",
        "state": {"waiting": {"reason": reason}},
    }


def _running(name: str, now: str) -> dict[str, Any]:
    return {
        "name": name,
        "ready": True,
        "restartCount": 0,
        "image": "",
        "imageID": "",
        "started": True,
        "state": {"running": {"startedAt": now}},
    }


def _terminated(name: str, code: int, now: str, reason: str | None = None) -> dict[str, Any]:
    state = {
        "exitCode": code,
        "reason": reason or ("Completed" if code == 0 else "Error"),
        "startedAt": now,
        "finishedAt": now,
    }
    return {
        "name": name,
        "ready": False,
        "restartCount": 0,
        "image": "",
        "imageID": "",
        "started": False,
        "state": {"terminated": state},
    }


__all__ = ["TestKubelet"]
