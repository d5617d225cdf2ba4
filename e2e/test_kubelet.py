"""The test kubelet's status writes are accepted by every target and read back as written."""

from __future__ import annotations

from typing import Any

import kubernetes

from bowsprit.testing.kubelet import TestKubelet
from e2e.conftest import Kube


def make_pod(kube: Kube, namespace: str, name: str, containers: int = 1) -> None:
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": f"c{i}", "image": "busybox"} for i in range(containers)],
        },
    }
    kubernetes.client.CoreV1Api(kube.api).create_namespaced_pod(namespace, body)


def test_a_pod_life(kube: Kube, namespace: str) -> None:
    kubelet = TestKubelet(kube.api)
    make_pod(kube, namespace, "life", containers=2)
    kubelet.pull_images(namespace, "life")
    pod = kubelet.read(namespace, "life")
    assert pod["status"]["phase"] == "Pending" and pod["status"]["startTime"]
    kubelet.start(namespace, "life")
    assert kubelet.read(namespace, "life")["status"]["phase"] == "Running"
    kubelet.finish(namespace, "life", {"c0": 0, "c1": 2})
    status = kubelet.read(namespace, "life")["status"]
    assert status["phase"] == "Failed"
    codes = {c["name"]: c["state"]["terminated"]["exitCode"] for c in status["containerStatuses"]}
    assert codes == {"c0": 0, "c1": 2}


def test_evictions_oom_and_lost_nodes(kube: Kube, namespace: str) -> None:
    kubelet = TestKubelet(kube.api)
    for name in ("evicted", "oom", "lost"):
        make_pod(kube, namespace, name)
        kubelet.start(namespace, name)
    kubelet.evict(namespace, "evicted")
    kubelet.oom_kill(namespace, "oom")
    kubelet.lose_node(namespace, "lost")
    assert kubelet.read(namespace, "evicted")["status"]["reason"] == "Evicted"
    oom = kubelet.read(namespace, "oom")["status"]["containerStatuses"][0]["state"]
    assert oom["terminated"]["reason"] == "OOMKilled"
    assert kubelet.read(namespace, "lost")["status"]["phase"] == "Unknown"
