"""Build clusters: two API servers at once. The control plane is the target (`kube`: the
emulator, or envtest's real kube-apiserver) and the build cluster `build` is a second
emulator, so every test runs as two emulators and as envtest plus an emulator."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml
from kubernetes.client.exceptions import ApiException

from bowsprit.api import GROUP, VERSION
from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.clients.buildclusters import BuildClusters, Sources
from bowsprit.clients.cluster import Cluster
from bowsprit.clients.informer import stop_all
from bowsprit.clients.kube import load_configuration
from bowsprit.emulator import Emulator
from bowsprit.lib.clock import utc_now
from bowsprit.plank.clusters import status_loop, sync_pod_watches
from bowsprit.plank.clusterstatus import STATE, sync_once
from bowsprit.plank.registry import Deps
from bowsprit.testing.buildclusters import aliased, write_kubeconfig_dir
from bowsprit.testing.kubelet import TestKubelet
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, component_argv, operator_process, prow_config

pytestmark = pytest.mark.usefixtures("crds")
LONG_AGO = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def build() -> Iterator[Emulator]:
    """The second API server: build cluster `build`."""
    with Emulator(bookmark_interval=1.0) as emulator:
        yield emulator


@pytest.fixture
def build_api(build: Emulator, namespace: str) -> Iterator[kubernetes.client.ApiClient]:
    """A client of the build cluster, with the test's namespace created there too."""
    api = kubernetes.client.ApiClient(kubernetes.client.Configuration(host=build.url))
    api.configuration.api_key = {"authorization": "Bearer emulator"}
    kubernetes.client.CoreV1Api(api).create_namespace(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    )
    yield api
    kubernetes.client.CoreV1Api(api).delete_namespace(namespace)
    api.close()


def _closed_port_kubeconfig() -> dict[str, Any]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }


def _job(name: str, cluster: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "periodic",
        "job": name,
        "pod_spec": {"containers": [{"image": "busybox"}]},
    }
    if cluster:
        spec["cluster"] = cluster
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": name},
        "spec": spec,
    }


def _pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"created-by-prow": "true", "prow.k8s.io/id": name}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "test", "image": "busybox"}]},
    }


def _exists(core: kubernetes.client.CoreV1Api, namespace: str, name: str) -> bool:
    try:
        core.read_namespaced_pod(name, namespace)
    except ApiException as error:
        if error.status == 404:
            return False
        raise
    return True


def _jobs_and_pods(
    kube: Kube, build_api: kubernetes.client.ApiClient, namespace: str
) -> tuple[kubernetes.client.CoreV1Api, kubernetes.client.CoreV1Api]:
    """Two finished jobs whose pods are past terminated_pod_ttl (one pod in each cluster)
    and a running job whose pod, in `build`, must stay."""
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    local, remote = kubernetes.client.CoreV1Api(kube.api), kubernetes.client.CoreV1Api(build_api)
    for name, cluster, status in (
        ("done-here", None, {"state": "failure", "completionTime": LONG_AGO}),
        ("done-there", "build", {"state": "success", "completionTime": LONG_AGO}),
        ("running-there", "build", {"state": "pending"}),
    ):
        objects.create_namespaced_custom_object(
            GROUP, VERSION, namespace, "prowjobs", _job(name, cluster)
        )
        objects.patch_namespaced_custom_object_status(
            GROUP, VERSION, namespace, "prowjobs", name, {"status": status}
        )
    local.create_namespaced_pod(namespace, _pod("done-here"))
    remote.create_namespaced_pod(namespace, _pod("done-there"))
    remote.create_namespaced_pod(namespace, _pod("running-there"))
    return local, remote


def _sinker(kube: Kube, namespace: str, folder: Path) -> list[str]:
    return [*component_argv(kube, "sinker", namespace), "--kubeconfig-dir", str(folder)]


def test_sinker_cleans_pods_in_every_build_cluster(
    kube: Kube,
    build: Emulator,
    build_api: kubernetes.client.ApiClient,
    namespace: str,
    tmp_path: Path,
) -> None:
    prow_config(kube, namespace, sinker={"resync_period": "1s", "max_pod_age": "1h"})
    local, remote = _jobs_and_pods(kube, build_api, namespace)
    folder = write_kubeconfig_dir(tmp_path / "clusters", {"build": build.kubeconfig()})
    with operator_process(_sinker(kube, namespace, folder)):
        wait_for(lambda: not _exists(local, namespace, "done-here"), what="local pod cleaned")
        wait_for(lambda: not _exists(remote, namespace, "done-there"), what="remote pod cleaned")
    assert _exists(remote, namespace, "running-there")


def test_sinker_leaves_excluded_clusters_alone(
    kube: Kube,
    build: Emulator,
    build_api: kubernetes.client.ApiClient,
    namespace: str,
    tmp_path: Path,
) -> None:
    prow_config(
        kube,
        namespace,
        sinker={"resync_period": "1s", "max_pod_age": "1h", "exclude_clusters": ["build"]},
    )
    local, remote = _jobs_and_pods(kube, build_api, namespace)
    folder = write_kubeconfig_dir(tmp_path / "clusters", {"build": build.kubeconfig()})
    with operator_process(_sinker(kube, namespace, folder)):
        # Clusters are cleaned in alias order within a pass: `build` came before `default`.
        wait_for(lambda: not _exists(local, namespace, "done-here"), what="local pod cleaned")
    assert _exists(remote, namespace, "done-there")


def test_build_cluster_status_on_the_prowconfig(
    kube: Kube, build: Emulator, namespace: str, tmp_path: Path
) -> None:
    """Reachable (the target, the emulator), Error (nothing listening), No-Manager
    (credentials that make no client); on envtest the SelfSubjectAccessReviews are real."""
    prow_config(kube, namespace)
    broken = aliased(_closed_port_kubeconfig(), "broken")
    broken["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"
    broken["users"][0]["user"] = {"client-certificate": str(tmp_path / "missing.crt")}
    folder = write_kubeconfig_dir(
        tmp_path / "clusters", {"build": build.kubeconfig(), "down": _closed_port_kubeconfig()}
    )
    (folder / "broken.yaml").write_text(yaml.safe_dump(broken))
    control_plane = Cluster(kubernetes.client.ApiClient(load_configuration(str(kube.kubeconfig))))
    clusters = BuildClusters.load(Sources(kubeconfig_dir=str(folder)), control_plane)
    statuses = sync_once(
        clusters, control_plane, namespace, "bowsprit", namespace, utc_now(), set()
    )
    expected = {
        "broken": "No-Manager",
        "build": "Reachable",
        "default": "Reachable",
        "down": "Error",
    }
    assert statuses == expected
    body: Any = kubernetes.client.CustomObjectsApi(kube.api).get_namespaced_custom_object(
        GROUP, VERSION, namespace, "prowconfigs", "bowsprit"
    )
    assert body["status"]["build_clusters"] == expected
    (condition,) = body["status"]["conditions"]
    assert condition["type"] == "BuildCluster" and condition["status"] == "False"
    assert condition["message"] == "broken: No-Manager; down: Error"
    assert STATE.labels("down", "Error")._value.get() == 1
    assert STATE.labels("build", "Reachable")._value.get() == 1


@contextlib.contextmanager
def _plank(
    kube: Kube,
    namespace: str,
    tmp_path: Path,
    clusters: dict[str, dict[str, Any]],
    plank: dict[str, Any] | None = None,
    *flags: str,
) -> Iterator[Path]:
    """Every plank test's scene: a ProwConfig (with `plank` settings), the build
    clusters' kubeconfigs as a mounted Secret's folder, and plank running with them (and
    `flags`). Yields the folder, to rewrite it as the kubelet would."""
    prow_config(kube, namespace, **({"plank": plank} if plank is not None else {}))
    folder = write_kubeconfig_dir(tmp_path / "clusters", clusters)
    argv = [*component_argv(kube, "plank", namespace), "--kubeconfig-dir", str(folder), *flags]
    with operator_process(argv):
        yield folder


def _create(objects: kubernetes.client.CustomObjectsApi, namespace: str, *jobs: Any) -> None:
    """ProwJobs, each a name or a (name, build cluster) pair."""
    for job in jobs:
        name, cluster = (job, None) if isinstance(job, str) else job
        objects.create_namespaced_custom_object(
            GROUP, VERSION, namespace, "prowjobs", _job(name, cluster)
        )


def _run(api: kubernetes.client.ApiClient, namespace: str, name: str) -> None:
    """Play the kubelet of the pod's cluster: the pod starts, then exits 0."""
    TestKubelet(api).start(namespace, name)
    TestKubelet(api).finish(namespace, name, 0)


def _state(objects: kubernetes.client.CustomObjectsApi, namespace: str, name: str) -> Any:
    body: Any = objects.get_namespaced_custom_object(GROUP, VERSION, namespace, "prowjobs", name)
    return body.get("status") or {}


def _wait_state(
    objects: kubernetes.client.CustomObjectsApi, namespace: str, name: str, state: str
) -> Any:
    return wait_for(
        lambda: (status := _state(objects, namespace, name)).get("state") == state and status,
        what=f"{name} to be {state}",
    )


def test_plank_runs_each_pod_in_its_jobs_cluster(
    kube: Kube,
    build: Emulator,
    build_api: kubernetes.client.ApiClient,
    namespace: str,
    tmp_path: Path,
) -> None:
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    local, remote = kubernetes.client.CoreV1Api(kube.api), kubernetes.client.CoreV1Api(build_api)
    with _plank(kube, namespace, tmp_path, {"build": build.kubeconfig()}):
        _create(objects, namespace, "here", ("there", "build"), ("nowhere", "gpu"))
        _wait_state(objects, namespace, "here", "pending")
        _wait_state(objects, namespace, "there", "pending")
        failed = _wait_state(objects, namespace, "nowhere", "error")
        assert "Build cluster gpu is not configured" in failed["description"]
        assert _exists(local, namespace, "here") and not _exists(remote, namespace, "here")
        assert _exists(remote, namespace, "there") and not _exists(local, namespace, "there")
        # The build cluster's pod watch follows it to the end.
        _run(build_api, namespace, "there")
        _wait_state(objects, namespace, "there", "success")


def test_concurrency_is_counted_across_clusters(
    kube: Kube,
    build: Emulator,
    build_api: kubernetes.client.ApiClient,
    namespace: str,
    tmp_path: Path,
) -> None:
    """max_concurrency 2 over both clusters, and `build` alone holds one at a time."""
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    plank = {"max_concurrency": 2, "cluster_capacity": {"build": 1}}
    with _plank(kube, namespace, tmp_path, {"build": build.kubeconfig()}, plank):
        _create(objects, namespace, ("b1", "build"), ("b2", "build"), "d1")
        _wait_state(objects, namespace, "b1", "pending")
        _wait_state(objects, namespace, "d1", "pending")
        assert _state(objects, namespace, "b2").get("state", "triggered") == "triggered"
        _run(build_api, namespace, "b1")
        _wait_state(objects, namespace, "b1", "success")
        _wait_state(objects, namespace, "b2", "pending")  # build's slot is free again
        _create(objects, namespace, "d2")
        _run(kube.api, namespace, "d1")
        _wait_state(objects, namespace, "d1", "success")
        # d2 waited for a slot of the two (d1 in default, b2 in build).
        _wait_state(objects, namespace, "d2", "pending")


def test_a_cluster_down_errors_its_jobs_while_the_others_run(
    kube: Kube,
    build: Emulator,
    build_api: kubernetes.client.ApiClient,
    namespace: str,
    tmp_path: Path,
) -> None:
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    clusters = {"build": build.kubeconfig(), "down": _closed_port_kubeconfig()}
    with _plank(kube, namespace, tmp_path, clusters, {"unreachable_cluster_timeout": "3s"}):
        _create(objects, namespace, ("lost", "down"), ("fine", "build"))
        _wait_state(objects, namespace, "fine", "pending")
        assert _state(objects, namespace, "lost").get("state", "triggered") == "triggered"
        failed = _wait_state(objects, namespace, "lost", "error")
        assert "build cluster 'down' is unreachable" in failed["description"]
        _run(build_api, namespace, "fine")
        _wait_state(objects, namespace, "fine", "success")


def test_rotated_credentials_are_followed_without_a_restart(
    kube: Kube,
    build: Emulator,
    build_api: kubernetes.client.ApiClient,
    namespace: str,
    tmp_path: Path,
) -> None:
    """The Secret of `build` is rewritten to name another API server (as the kubelet
    rewrites a mounted Secret): plank's next check reloads it, re-opens the pod watch,
    and new jobs of `build` go there; the status follows."""
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    check_often = ("--build-cluster-check-period", "0.5")
    with (
        Emulator() as moved,
        _plank(
            kube, namespace, tmp_path, {"build": build.kubeconfig()}, None, *check_often
        ) as folder,
    ):
        moved_api = kubernetes.client.ApiClient(kubernetes.client.Configuration(host=moved.url))
        moved_core = kubernetes.client.CoreV1Api(moved_api)
        moved_core.create_namespace(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        )
        _create(objects, namespace, ("before", "build"))
        _wait_state(objects, namespace, "before", "pending")
        assert _exists(kubernetes.client.CoreV1Api(build_api), namespace, "before")
        # `extra` is added with the rewrite: once the status names it, the check that
        # reloaded the credentials (before it writes) has run.
        write_kubeconfig_dir(folder, {"build": moved.kubeconfig(), "extra": moved.kubeconfig()})
        wait_for(lambda: "extra" in _clusters(kube, namespace), what="the credentials reloaded")
        _create(objects, namespace, ("after", "build"))
        _wait_state(objects, namespace, "after", "pending")
        assert _exists(moved_core, namespace, "after")
        _run(moved_api, namespace, "after")
        _wait_state(objects, namespace, "after", "success")
        moved_api.close()


def _clusters(kube: Kube, namespace: str) -> dict[str, str]:
    body: Any = kubernetes.client.CustomObjectsApi(kube.api).get_namespaced_custom_object(
        GROUP, VERSION, namespace, "prowconfigs", "bowsprit"
    )
    found: dict[str, str] = (body.get("status") or {}).get("build_clusters") or {}
    return found


def test_credentials_rewritten_during_a_check_reopen_the_pod_watch(
    kube: Kube,
    build: Emulator,
    namespace: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Secret is rewritten just after the check's look at the files (the kubelet
    writes when it likes): the next check reloads the credentials and plank watches the
    new server, never keeps watching the old one with the new clients in use."""
    prow_config(kube, namespace)
    folder = write_kubeconfig_dir(tmp_path / "clusters", {"build": build.kubeconfig()})
    control_plane = Cluster(kubernetes.client.ApiClient(load_configuration(str(kube.kubeconfig))))
    clusters = BuildClusters.load(Sources(kubeconfig_dir=str(folder)), control_plane)
    with Emulator() as moved:
        look = clusters.reload_if_changed
        rewritten: list[bool] = []

        def look_then_rewrite() -> bool:
            found = look()
            if not rewritten:
                write_kubeconfig_dir(folder, {"build": moved.kubeconfig()})
                rewritten.append(True)
            return found

        monkeypatch.setattr(clusters, "reload_if_changed", look_then_rewrite)
        asyncio.run(_watches_follow(control_plane, clusters, namespace, moved))


async def _watches_follow(
    control_plane: Cluster, clusters: BuildClusters, namespace: str, moved: Emulator
) -> None:
    deps = Deps(control_plane, namespace, "bowsprit", False, build_clusters=clusters)
    deps.cluster_check_period = 0.05
    deps.config = ProwConfigSpec.model_validate({"pod_namespace": namespace})
    sync_pod_watches(deps, asyncio.get_running_loop())
    checks = asyncio.create_task(status_loop(deps))
    try:
        deadline = time.monotonic() + 30
        while clusters.server("build") != moved.url or set(deps.pod_watches) != set(
            clusters.servers()
        ):
            assert time.monotonic() < deadline, (
                f"plank watches {sorted(deps.pod_watches)}, its clients are of "
                f"{sorted(clusters.servers())}"
            )
            await asyncio.sleep(0.05)
    finally:
        checks.cancel()
        await asyncio.gather(checks, return_exceptions=True)
        stop_all([informer for _, informer in deps.pod_watches.values()], 10)
