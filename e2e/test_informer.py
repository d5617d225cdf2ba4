"""The client layer's Informer against every target: a list, then every change."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import kubernetes
import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.clients import informer as informer_module
from bowsprit.clients.informer import Informer
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube

pytestmark = pytest.mark.usefixtures("crds")


class Names:
    """A store that keeps each object's name and spec.plugins."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}
        self.lock = threading.Lock()

    def value(self, item: dict[str, Any]) -> Any:
        return item["spec"]["plugins"]

    def replace(self, items: Iterable[dict[str, Any]]) -> None:
        with self.lock:
            self.items = {item["metadata"]["name"]: self.value(item) for item in items}

    def upsert(self, item: dict[str, Any]) -> None:
        with self.lock:
            self.items[item["metadata"]["name"]] = self.value(item)

    def delete(self, item: dict[str, Any]) -> None:
        with self.lock:
            self.items.pop(item["metadata"]["name"], None)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return dict(self.items)


class Uids(Names):
    def value(self, item: dict[str, Any]) -> Any:
        return item["metadata"]["uid"]


def plugin_config(name: str, plugins: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "PluginConfig",
        "metadata": {"name": name},
        "spec": {"repos": ["acme"], "plugins": plugins},
    }


def test_an_informer_lists_then_follows_changes(kube: Kube, namespace: str) -> None:
    objects = kubernetes.client.CustomObjectsApi(kube.api)

    def create(name: str, plugins: list[str]) -> None:
        objects.create_namespaced_custom_object(
            GROUP, VERSION, namespace, "pluginconfigs", plugin_config(name, plugins)
        )

    create("before", ["trigger"])
    store = Names()
    informer = Informer(kube.api, "pluginconfigs", store, namespace).start()
    try:
        assert informer.synced.wait(30)
        assert store.snapshot() == {"before": ["trigger"]}
        create("after", ["size"])
        objects.patch_namespaced_custom_object(
            GROUP, VERSION, namespace, "pluginconfigs", "before", {"spec": {"plugins": ["hold"]}}
        )
        wait_for(
            lambda: store.snapshot() == {"before": ["hold"], "after": ["size"]},
            what="the new object and the change",
        )
        objects.delete_namespaced_custom_object(GROUP, VERSION, namespace, "pluginconfigs", "after")
        wait_for(lambda: store.snapshot() == {"before": ["hold"]}, what="the deletion")
    finally:
        informer.stop()
        # The next event wakes the watch, which then ends and closes its connection.
        objects.delete_namespaced_custom_object(
            GROUP, VERSION, namespace, "pluginconfigs", "before"
        )
        assert informer.join(10), "the informer's thread did not end"


def test_an_informer_lists_in_pages_and_follows_pods(
    kube: Kube, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pods (plank's second watch) with a label selector, listed two at a time."""
    monkeypatch.setattr(informer_module, "PAGE", 2)
    core = kubernetes.client.CoreV1Api(kube.api)

    def create(name: str, labels: dict[str, str]) -> None:
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }
        core.create_namespaced_pod(namespace, body)

    for index in range(5):
        create(f"job-{index}", {"created-by-prow": "true"})
    create("other", {})
    store = Uids()
    informer = Informer(kube.api, "pods", store, namespace, "created-by-prow=true").start()
    try:
        assert informer.synced.wait(30)
        assert sorted(store.snapshot()) == [f"job-{index}" for index in range(5)]
        create("job-5", {"created-by-prow": "true"})
        core.delete_namespaced_pod("job-0", namespace)
        wait_for(
            lambda: sorted(store.snapshot()) == [f"job-{index}" for index in range(1, 6)],
            what="the new pod and the deletion",
        )
    finally:
        informer.stop()
        core.delete_namespaced_pod("job-1", namespace)  # wakes the watch so it ends
        assert informer.join(10), "the informer's thread did not end"


def test_stop_ends_a_quiet_watch_at_once(kube: Kube, namespace: str) -> None:
    """No event will come: stop() must interrupt the watch's read, not wait for the
    watch's timeout (components join their informers before exiting, see stop_all)."""
    informer = Informer(kube.api, "pluginconfigs", Names(), namespace).start()
    assert informer.synced.wait(30)
    wait_for(lambda: informer._response is not None, what="the watch to be read")
    assert informer_module.stop_all([informer], timeout=3) == []
