"""Fixtures for tests against a real Kubernetes API server.

The target is, in order: the cluster of BOWSPRIT_E2E_KUBECONFIG; else a kube-apiserver
+ etcd started here from KUBEBUILDER_ASSETS (export KUBEBUILDER_ASSETS=$(../shared/envtest/setup));
else the tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import kubernetes
import pytest

from bowsprit.clients.kube import load_configuration
from bowsprit.testing import envtest

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Cluster:
    """A reachable API server: its kubeconfig, a client, and a kubectl if there is one."""

    name: str
    kubeconfig: Path
    api: kubernetes.client.ApiClient
    kubectl: Path | None


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    kubeconfig = os.environ.get("BOWSPRIT_E2E_KUBECONFIG")
    if kubeconfig:
        kubectl = shutil.which("kubectl")
        api = kubernetes.client.ApiClient(load_configuration(kubeconfig))
        yield Cluster("cluster", Path(kubeconfig), api, Path(kubectl) if kubectl else None)
        api.close()
        return
    assets = envtest.assets_dir()
    if assets is None and os.environ.get(envtest.ASSETS_VARIABLE):
        pytest.fail(f"{envtest.ASSETS_VARIABLE} does not hold {', '.join(envtest.BINARIES)}")
    if assets is None:
        pytest.skip(
            "no real API server: export KUBEBUILDER_ASSETS=$(../shared/envtest/setup) "
            "or BOWSPRIT_E2E_KUBECONFIG=<kubeconfig>"
        )
    plane = envtest.start(assets)
    api = kubernetes.client.ApiClient(load_configuration(str(plane.kubeconfig)))
    try:
        yield Cluster("envtest", plane.kubeconfig, api, plane.kubectl)
    finally:
        api.close()
        plane.stop()


@pytest.fixture
def namespace(cluster: Cluster) -> Iterator[str]:
    """A fresh namespace, deleted after the test."""
    name = f"e2e-{uuid.uuid4().hex[:10]}"
    core = kubernetes.client.CoreV1Api(cluster.api)
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)
