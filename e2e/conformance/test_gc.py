"""Garbage collection of dependents through ownerReferences.

Needs kube-controller-manager's garbage collector: a real cluster and the emulator have
one, envtest (an API server alone) does not, so these tests skip there.
"""

from __future__ import annotations

from typing import Any

import pytest

from e2e.conformance.conftest import raw, wait_for, widget, widgets_path
from e2e.conftest import Kube

pytestmark = pytest.mark.usefixtures("widget_crd")


@pytest.fixture(autouse=True)
def needs_garbage_collector(kube: Kube) -> None:
    if not kube.garbage_collector:
        pytest.skip(f"{kube.name} runs no garbage collector (no kube-controller-manager)")


def owned_configmap(namespace: str, name: str, owner: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "ownerReferences": [
                {
                    "apiVersion": owner["apiVersion"],
                    "kind": owner["kind"],
                    "name": owner["metadata"]["name"],
                    "uid": owner["metadata"]["uid"],
                    "blockOwnerDeletion": True,
                }
            ],
        },
    }


def _setup(kube: Kube, namespace: str, name: str) -> str:
    _, owner = raw(kube, "POST", widgets_path(namespace), widget(name))
    configmaps = f"/api/v1/namespaces/{namespace}/configmaps"
    status, _ = raw(kube, "POST", configmaps, owned_configmap(namespace, f"{name}-cm", owner))
    assert status == 201
    return f"{configmaps}/{name}-cm"


def test_background_deletion_removes_dependents(kube: Kube, namespace: str) -> None:
    dependent = _setup(kube, namespace, "bg")
    raw(kube, "DELETE", widgets_path(namespace, "bg"), {"propagationPolicy": "Background"})
    wait_for(lambda: raw(kube, "GET", dependent)[0] == 404, what="the dependent to be collected")


def test_foreground_deletion_waits_for_dependents(kube: Kube, namespace: str) -> None:
    dependent = _setup(kube, namespace, "fg")
    status, _ = raw(
        kube, "DELETE", widgets_path(namespace, "fg"), {"propagationPolicy": "Foreground"}
    )
    assert status in (200, 202)
    wait_for(lambda: raw(kube, "GET", dependent)[0] == 404, what="the dependent to go first")
    wait_for(
        lambda: raw(kube, "GET", widgets_path(namespace, "fg"))[0] == 404,
        what="the owner to go after its dependents",
    )


def test_orphan_deletion_keeps_dependents(kube: Kube, namespace: str) -> None:
    dependent = _setup(kube, namespace, "or")
    raw(kube, "DELETE", widgets_path(namespace, "or"), {"propagationPolicy": "Orphan"})
    wait_for(
        lambda: raw(kube, "GET", widgets_path(namespace, "or"))[0] == 404, what="the owner to go"
    )
    status, kept = raw(kube, "GET", dependent)
    assert status == 200 and "ownerReferences" not in kept["metadata"]
