"""A kubelet for local mode: runs each job pod's containers as processes on this machine
(bowsprit.testing.localpod) and reports their lives through the API, as a node would.

Images are not used: commands run on the host, with the pod's volumes as folders.
"""

from __future__ import annotations

import base64
import logging
import threading
from pathlib import Path
from typing import Any

import kubernetes

from bowsprit.testing.kubelet import TestKubelet
from bowsprit.testing.localpod import LocalPod

logger = logging.getLogger("bowsprit.local.kubelet")


class LocalKubelet:
    def __init__(self, api: kubernetes.client.ApiClient, namespace: str, root: Path) -> None:
        self.api, self.namespace, self.root = api, namespace, root
        self.core = kubernetes.client.CoreV1Api(api)
        self.status = TestKubelet(api)
        self.pods: dict[str, LocalPod] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._follow, name="local-kubelet", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            for pod in self.pods.values():
                pod.stop()

    def _follow(self) -> None:
        while not self.stopping.is_set():
            watch = kubernetes.watch.Watch()
            for event in watch.stream(
                self.core.list_namespaced_pod, self.namespace, timeout_seconds=30
            ):
                if self.stopping.is_set():
                    watch.stop()
                    return
                self._on_event(event["type"], self.api.sanitize_for_serialization(event["object"]))

    def _on_event(self, kind: str, pod: dict[str, Any]) -> None:
        name = pod["metadata"]["name"]
        with self.lock:
            running = self.pods.get(name)
            if kind == "DELETED" or pod["metadata"].get("deletionTimestamp"):
                if running is not None:
                    running.stop()  # the job was aborted or its pod deleted
                return
            if running is not None or pod.get("status", {}).get("phase") != "Pending":
                return
            local = LocalPod(pod["spec"], self.root / name, self._secrets(pod["spec"]))
            self.pods[name] = local
        threading.Thread(target=self._run, args=(name, local), daemon=True).start()

    def _secrets(self, spec: dict[str, Any]) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for volume in spec.get("volumes") or []:
            if "secret" not in volume:
                continue
            name = volume["secret"]["secretName"]
            try:
                secret = self.core.read_namespaced_secret(name, self.namespace)
            except kubernetes.client.exceptions.ApiException:
                logger.warning("secret %s not found: its volume is empty", name)
                found[name] = {}
                continue
            found[name] = {key: _decoded(value) for key, value in (secret.data or {}).items()}
        return found

    def _run(self, name: str, pod: LocalPod) -> None:
        containers = [container["name"] for container in pod.spec["containers"]]
        try:
            self.status.start(self.namespace, name)
            init = pod.run_init()
            if any(init.values()):
                logger.info("%s: init container failed: %s", name, init)
                self.status.finish(self.namespace, name, {container: 1 for container in containers})
                return
            pod.start_containers()
            codes = pod.wait(timeout=None)
            self.status.finish(self.namespace, name, codes)
        except kubernetes.client.exceptions.ApiException as error:
            if error.status != 404:  # a deleted pod needs no status
                logger.warning("%s: %s", name, error.reason)


def _decoded(value: str | bytes) -> str:
    return base64.b64decode(value).decode(errors="replace")
