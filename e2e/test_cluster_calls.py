"""clients.cluster's calls made without the generated client (`request`), against every
target: paged lists, label selectors, deletes with a uid precondition, 404s."""

from __future__ import annotations

from typing import Any

import kubernetes
import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.cluster import ApiError, Cluster
from e2e.conftest import Kube

pytestmark = pytest.mark.usefixtures("crds")


def plugin_config(name: str) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "PluginConfig",
        "metadata": {"name": name, "labels": {"even": str(int(name[-1]) % 2 == 0).lower()}},
        "spec": {"repos": ["acme"], "plugins": ["hold"]},
    }


def pod(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }


def test_custom_objects_are_read_in_pages_and_deleted_by_uid(kube: Kube, namespace: str) -> None:
    cluster = Cluster(kube.api)
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    for index in range(5):
        objects.create_namespaced_custom_object(
            GROUP, VERSION, namespace, "pluginconfigs", plugin_config(f"pc-{index}")
        )
    names = [
        item["metadata"]["name"] for item in cluster.iter_custom(namespace, "pluginconfigs", page=2)
    ]
    assert sorted(names) == [f"pc-{index}" for index in range(5)]
    even = cluster.iter_custom(namespace, "pluginconfigs", "even=true", page=2)
    assert sorted(item["metadata"]["name"] for item in even) == ["pc-0", "pc-2", "pc-4"]

    with pytest.raises(ApiError) as refused:  # a namesake's uid: not this object
        cluster.delete_custom(namespace, "pluginconfigs", "pc-0", "some-other-uid")
    assert refused.value.status == 409
    got = cluster.get_custom(namespace, "pluginconfigs", "pc-0")
    assert got is not None
    uid = got["metadata"]["uid"]
    cluster.delete_custom(namespace, "pluginconfigs", "pc-0", uid)
    assert cluster.get_custom(namespace, "pluginconfigs", "pc-0") is None


def test_pods_are_listed_by_label_read_and_deleted_by_uid(kube: Kube, namespace: str) -> None:
    cluster = Cluster(kube.api)
    core = kubernetes.client.CoreV1Api(kube.api)
    for index in range(3):
        core.create_namespaced_pod(namespace, pod(f"job-{index}", {"created-by-prow": "true"}))
    core.create_namespaced_pod(namespace, pod("other", {}))
    listed = cluster.list_pods(namespace, "created-by-prow=true")
    assert sorted(item["metadata"]["name"] for item in listed) == ["job-0", "job-1", "job-2"]
    paged = cluster.iter_pods(namespace, "created-by-prow=true", page=2)
    assert sorted(item["metadata"]["name"] for item in paged) == ["job-0", "job-1", "job-2"]
    assert len(cluster.list_pods(namespace, "")) == 4

    assert cluster.get_pod(namespace, "missing") is None
    found = cluster.get_pod(namespace, "job-0")
    assert found is not None and found["metadata"]["name"] == "job-0"
    with pytest.raises(ApiError) as refused:
        cluster.delete_pod(namespace, "job-0", uid="some-other-uid")
    assert refused.value.status == 409
    cluster.delete_pod(namespace, "job-0", uid=found["metadata"]["uid"])
    cluster.delete_pod(namespace, "job-1")
    # A pod may linger while it terminates on a real cluster: ask for one being deleted too.
    left = {
        item["metadata"]["name"]
        for item in cluster.list_pods(namespace, "created-by-prow=true")
        if not item["metadata"].get("deletionTimestamp")
    }
    assert left == {"job-2"}
    with pytest.raises(ApiError) as missing:
        cluster.delete_pod(namespace, "missing")
    assert missing.value.status == 404
