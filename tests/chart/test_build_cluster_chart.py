"""charts/bowsprit-build-cluster (what a build cluster needs) rendered by real Helm, and
the control-plane chart's `buildClusters` values: plank and sinker get the kubeconfigs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kubernetes_validate
import pytest
import yaml

from bowsprit.clients.buildclusters import REQUIRED_POD_VERBS
from tests.chart.helmtools import MAJORS, REPO, Helm, named

BUILD_CHART = REPO / "charts" / "bowsprit-build-cluster"
OLDEST = "1.29.0"


def _render(helm: Helm, *sets: str) -> list[dict[str, Any]]:
    args = ["template", "b", str(BUILD_CHART), "--namespace", "bowsprit-system"]
    for item in sets:
        args += ["--set", item]
    return [doc for doc in yaml.safe_load_all(helm.run(*args).stdout) if doc]


@pytest.mark.parametrize("major", MAJORS)
def test_build_cluster_chart_lints_and_validates(
    helm_of: Callable[[str], Helm], major: str
) -> None:
    helm = helm_of(major)
    helm.run("lint", "--strict", str(BUILD_CHART))
    for item in _render(helm):
        try:
            kubernetes_validate.validate(item, OLDEST, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{item['kind']}/{item['metadata']['name']}: {error.message}")


def test_manager_may_do_what_plank_checks_and_no_more(helm_of: Callable[[str], Helm]) -> None:
    objects = _render(helm_of("v4"), "testPods.namespace=ci-pods")
    kinds = sorted(item["kind"] for item in objects)
    assert kinds == [
        "Namespace",
        "Role",
        "RoleBinding",
        "Secret",
        "ServiceAccount",
        "ServiceAccount",
    ]
    role = next(item for item in objects if item["kind"] == "Role")
    assert role["metadata"]["namespace"] == "ci-pods"
    rules = {tuple(rule["resources"]): rule["verbs"] for rule in role["rules"]}
    assert sorted(rules[("pods",)]) == sorted(REQUIRED_POD_VERBS)
    assert rules[("pods/log",)] == ["get"]
    binding = next(item for item in objects if item["kind"] == "RoleBinding")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "bowsprit-build-manager", "namespace": "bowsprit-system"}
    ]
    token = next(item for item in objects if item["kind"] == "Secret")
    assert token["type"] == "kubernetes.io/service-account-token"
    pods_sa = next(
        item
        for item in objects
        if item["kind"] == "ServiceAccount" and item["metadata"]["namespace"] == "ci-pods"
    )
    assert pods_sa["automountServiceAccountToken"] is False


def test_notes_print_a_kubeconfig_named_after_the_alias(helm_of: Callable[[str], Helm]) -> None:
    helm = helm_of("v4")
    result = helm.run(
        "install",
        "b",
        str(BUILD_CHART),
        "--dry-run=client",
        "--namespace",
        "x",
        "--set",
        "alias=gpu",
        "--set",
        "server=https://gpu.example:443",
    )
    assert "contexts: [{name: gpu, context: {cluster: gpu, user: gpu" in result.stdout
    assert "--set buildClusters.gpu=build-cluster-gpu" in result.stdout


def test_control_plane_mounts_each_alias_where_pods_are_read(
    helm_of: Callable[[str], Helm],
) -> None:
    objects = helm_of("v4").template(
        sets=["buildClusters.gpu=gpu-kubeconfig", "buildClusters.arm=arm-kubeconfig"]
    )
    for component in ("plank", "sinker", "crier", "deck"):
        deployment = named(objects, "Deployment", f"rel-bowsprit-{component}")
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert "--kubeconfig-dir=/etc/build-clusters" in container["args"]
        assert "--kubeconfig-suffix=.yaml" in container["args"]
        volume = next(v for v in pod["volumes"] if v["name"] == "build-clusters")
        assert [s["secret"] for s in volume["projected"]["sources"]] == [
            {"name": "arm-kubeconfig", "items": [{"key": "kubeconfig", "path": "arm.yaml"}]},
            {"name": "gpu-kubeconfig", "items": [{"key": "kubeconfig", "path": "gpu.yaml"}]},
        ]
    hook = named(objects, "Deployment", "rel-bowsprit-hook")
    assert not any(
        "kubeconfig-dir" in a for a in hook["spec"]["template"]["spec"]["containers"][0]["args"]
    )


def test_without_build_clusters_nothing_is_mounted(helm_of: Callable[[str], Helm]) -> None:
    plank = named(helm_of("v4").template(), "Deployment", "rel-bowsprit-plank")
    assert all(v["name"] != "build-clusters" for v in plank["spec"]["template"]["spec"]["volumes"])
