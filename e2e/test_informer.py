"""The client layer's Informer against every target: a list, then every change."""

from __future__ import annotations

import threading
from typing import Any

import kubernetes
import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.informer import Informer
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube

pytestmark = pytest.mark.usefixtures("crds")


class Names:
    """A store that keeps each object's name and spec.plugins."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}
        self.lock = threading.Lock()

    def replace(self, items: list[dict[str, Any]]) -> None:
        with self.lock:
            self.items = {item["metadata"]["name"]: item["spec"]["plugins"] for item in items}

    def upsert(self, item: dict[str, Any]) -> None:
        with self.lock:
            self.items[item["metadata"]["name"]] = item["spec"]["plugins"]

    def delete(self, item: dict[str, Any]) -> None:
        with self.lock:
            self.items.pop(item["metadata"]["name"], None)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return dict(self.items)


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
