"""charts/bowsprit-build-cluster installed with real Helm on a real API server (envtest),
which then serves as the build cluster of a control plane on the emulator: the chart's
RBAC is proven sufficient (real SelfSubjectAccessReviews, real authorization of every
pod call plank makes) and no more than that."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml
from tests.chart.helmtools import REPO, helm

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.buildclusters import (
    MISSING_PERMISSIONS,
    REACHABLE,
    BuildClusters,
    Sources,
    check_cluster,
)
from bowsprit.clients.cluster import Cluster
from bowsprit.clients.kube import load_configuration
from bowsprit.emulator import Emulator
from bowsprit.testing.kubelet import TestKubelet
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, component_argv, operator_process

BUILD_CHART = REPO / "charts" / "bowsprit-build-cluster"


@pytest.fixture
def installed(kube: Kube, namespace: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The chart in `namespace` (test pods in `<namespace>-pods`); yields the pods'
    namespace and a kubeconfig whose context `build` acts as the chart's manager."""
    if kube.name == "emulator":
        pytest.skip("the emulator enforces no RBAC")
    pods = f"{namespace}-pods"
    tool = helm("v4", tmp_path / "helm")
    env = {"KUBECONFIG": str(kube.kubeconfig)}
    tool.run(
        "install", "b", str(BUILD_CHART), "--namespace", namespace,
        "--set", f"testPods.namespace={pods}", "--set", "alias=build", env=env,
    )  # fmt: skip
    core = kubernetes.client.CoreV1Api(kube.api)
    # A TokenRequest, as the token Secret would be filled by kube-controller-manager
    # (which envtest does not run).
    token: Any = core.create_namespaced_service_account_token(
        "bowsprit-build-manager", namespace, {"spec": {"audiences": []}}
    )
    config = yaml.safe_load(kube.kubeconfig.read_text())
    context = next(c for c in config["contexts"] if c["name"] == config["current-context"])
    cluster = next(c for c in config["clusters"] if c["name"] == context["context"]["cluster"])
    path = tmp_path / "build.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "build", "cluster": cluster["cluster"]}],
                "users": [{"name": "build", "user": {"token": token.status.token}}],
                "contexts": [{"name": "build", "context": {"cluster": "build", "user": "build"}}],
                "current-context": "build",
            }
        )
    )
    yield pods, path
    tool.run("uninstall", "b", "--namespace", namespace, env=env, check=False)
    core.delete_namespace(pods)


def test_the_manager_may_run_test_pods_and_nothing_else(
    kube: Kube, installed: tuple[str, Path]
) -> None:
    pods, kubeconfig = installed
    control_plane = Cluster(kubernetes.client.ApiClient(kubernetes.client.Configuration()))
    build = BuildClusters.load(Sources(kubeconfig=str(kubeconfig)), control_plane).get("build")
    assert check_cluster(build, pods) == REACHABLE
    assert check_cluster(build, "default") == MISSING_PERMISSIONS


def test_plank_on_the_emulator_runs_pods_in_the_installed_build_cluster(
    kube: Kube, installed: tuple[str, Path], tmp_path: Path
) -> None:
    pods, kubeconfig = installed
    folder = tmp_path / "clusters"
    folder.mkdir()
    (folder / "build.yaml").write_text(kubeconfig.read_text())
    with Emulator() as plane:
        path = plane.write_kubeconfig(tmp_path / "plane")
        api = kubernetes.client.ApiClient(load_configuration(str(path)))
        extensions = kubernetes.client.ApiextensionsV1Api(api)
        for crd in sorted((REPO / "crds").glob("*.yaml")):
            extensions.create_custom_resource_definition(yaml.safe_load(crd.read_text()))
        objects = kubernetes.client.CustomObjectsApi(api)
        wait_for(lambda: _served(objects), what="the CRDs to be served")
        objects.create_namespaced_custom_object(
            GROUP, VERSION, "default", "prowconfigs",
            {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "ProwConfig",
                "metadata": {"name": "bowsprit"},
                "spec": {"prowjob_namespace": "default", "pod_namespace": pods},
            },
        )  # fmt: skip
        argv = [
            *component_argv(kube, "plank", "default", kubeconfig=path),
            "--kubeconfig-dir",
            str(folder),
        ]
        with operator_process(argv):
            objects.create_namespaced_custom_object(
                GROUP, VERSION, "default", "prowjobs",
                {
                    "apiVersion": f"{GROUP}/{VERSION}",
                    "kind": "ProwJob",
                    "metadata": {"name": "remote"},
                    "spec": {
                        "type": "periodic",
                        "job": "remote",
                        "cluster": "build",
                        "pod_spec": {"containers": [{"image": "busybox"}]},
                    },
                },
            )  # fmt: skip
            wait_for(lambda: _state(objects, "remote") == "pending", what="remote pending")
            kubelet = TestKubelet(kube.api)
            kubelet.start(pods, "remote")
            kubelet.finish(pods, "remote", 0)
            wait_for(lambda: _state(objects, "remote") == "success", what="remote success")
        api.close()


def _served(objects: kubernetes.client.CustomObjectsApi) -> bool:
    try:
        objects.list_namespaced_custom_object(GROUP, VERSION, "default", "prowjobs")
    except kubernetes.client.ApiException:
        return False
    return True


def _state(objects: kubernetes.client.CustomObjectsApi, name: str) -> str:
    body: Any = objects.get_namespaced_custom_object(GROUP, VERSION, "default", "prowjobs", name)
    return str((body.get("status") or {}).get("state", ""))
