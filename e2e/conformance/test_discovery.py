"""Discovery documents, and CRDs appearing in and leaving them."""

from __future__ import annotations

import kubernetes
import pytest

from e2e.conformance.conftest import GROUP, raw, wait_for
from e2e.conftest import Kube


def test_version_and_core_discovery(kube: Kube) -> None:
    status, version = raw(kube, "GET", "/version")
    assert status == 200 and version["major"] == "1" and version["gitVersion"].startswith("v1.")
    _, api = raw(kube, "GET", "/api")
    assert api["kind"] == "APIVersions" and api["versions"] == ["v1"]
    _, core = raw(kube, "GET", "/api/v1")
    assert core["kind"] == "APIResourceList" and core["groupVersion"] == "v1"
    by_name = {resource["name"]: resource for resource in core["resources"]}
    for name in (
        "namespaces",
        "pods",
        "pods/status",
        "pods/log",
        "events",
        "secrets",
        "configmaps",
        "serviceaccounts",
        "services",
    ):
        assert name in by_name, name
    pods = by_name["pods"]
    assert pods["namespaced"] is True and pods["kind"] == "Pod" and "po" in pods["shortNames"]
    assert {"create", "get", "list", "watch", "patch", "delete"} <= set(pods["verbs"])
    assert by_name["namespaces"]["namespaced"] is False


def test_group_discovery(kube: Kube) -> None:
    _, groups = raw(kube, "GET", "/apis")
    names = {group["name"] for group in groups["groups"]}
    assert {"coordination.k8s.io", "apiextensions.k8s.io"} <= names
    _, leases = raw(kube, "GET", "/apis/coordination.k8s.io/v1")
    assert "leases" in {resource["name"] for resource in leases["resources"]}
    _, group = raw(kube, "GET", "/apis/apiextensions.k8s.io")
    assert group["kind"] == "APIGroup" and group["preferredVersion"]["version"] == "v1"


@pytest.mark.usefixtures("widget_crd")
def test_crd_resources_are_discoverable(kube: Kube) -> None:
    _, groups = raw(kube, "GET", "/apis")
    assert GROUP in {group["name"] for group in groups["groups"]}
    _, resources = raw(kube, "GET", f"/apis/{GROUP}/v1")
    by_name = {resource["name"]: resource for resource in resources["resources"]}
    widgets = by_name["widgets"]
    assert widgets["kind"] == "Widget" and widgets["singularName"] == "widget"
    assert widgets["shortNames"] == ["wdg"] and widgets["categories"] == ["conformance"]
    assert "widgets/status" in by_name


def test_deleting_a_crd_stops_serving_it(kube: Kube) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.conformance-temp.bowsprit.dev"},
        "spec": {
            "group": "conformance-temp.bowsprit.dev",
            "scope": "Cluster",
            "names": {"kind": "Gadget", "plural": "gadgets"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }
    extensions = kubernetes.client.ApiextensionsV1Api(kube.api)
    extensions.create_custom_resource_definition(crd)
    path = "/apis/conformance-temp.bowsprit.dev/v1/gadgets"
    wait_for(lambda: raw(kube, "GET", path)[0] == 200, what="gadgets to be served")
    gadget = {
        "apiVersion": "conformance-temp.bowsprit.dev/v1",
        "kind": "Gadget",
        "metadata": {"name": "g"},
        "anything": {"goes": 1},
    }
    status, created = raw(kube, "POST", path, gadget)
    assert status == 201 and created["anything"] == {"goes": 1}
    assert "namespace" not in created["metadata"]
    extensions.delete_custom_resource_definition(crd["metadata"]["name"])
    wait_for(lambda: raw(kube, "GET", path)[0] == 404, what="gadgets to stop being served")
