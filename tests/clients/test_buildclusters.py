"""Build-cluster credentials (Prow's pkg/kube/config.go rules) and reachability checks.

Cases from Prow's pkg/kube/config_test.go (TestLoadClusterConfigs): contexts of
--kubeconfig and of every file of --kubeconfig-dir, the suffix filter, `..` files and
folders skipped, a context seen twice is an error, `default` is the control plane
unless a context of that name exists."""

from __future__ import annotations

import argparse
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml

from bowsprit.clients.buildclusters import (
    DEFAULT_ALIAS,
    ERROR,
    MISSING_PERMISSIONS,
    NO_MANAGER,
    REACHABLE,
    BuildClusters,
    ClusterUnavailable,
    CredentialsError,
    Sources,
    UnknownCluster,
    check_all,
    check_cluster,
)
from bowsprit.clients.cluster import Cluster
from bowsprit.emulator import Emulator
from bowsprit.testing.buildclusters import aliased, merged, write_kubeconfig_dir


def _kubeconfig(server: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }


def _control_plane(host: str = "https://control-plane:6443") -> Cluster:
    return Cluster(kubernetes.client.ApiClient(kubernetes.client.Configuration(host=host)))


def _hosts(clusters: BuildClusters) -> dict[str, str]:
    return {alias: cluster.api.configuration.host for alias, cluster in clusters.items()}


def test_every_context_of_kubeconfig_is_a_cluster(tmp_path: Path) -> None:
    path = tmp_path / "config"
    both = merged(
        aliased(_kubeconfig("https://a:1"), "build-a"),
        aliased(_kubeconfig("https://b:1"), "build-b"),
    )
    path.write_text(yaml.safe_dump(both))
    clusters = BuildClusters.load(Sources(kubeconfig=str(path)), _control_plane())
    assert _hosts(clusters) == {
        "build-a": "https://a:1",
        "build-b": "https://b:1",
        DEFAULT_ALIAS: "https://control-plane:6443",
    }


def test_dir_with_suffix_skips_dotdot_and_folders(tmp_path: Path) -> None:
    folder = write_kubeconfig_dir(
        tmp_path / "dir",
        {"build-a": _kubeconfig("https://a:1"), "build-b": _kubeconfig("https://b:1")},
    )
    (folder / "..2026_data").mkdir()
    (folder / "..data").write_text(yaml.safe_dump(aliased(_kubeconfig("https://z:1"), "dd")))
    (folder / "notes.txt").write_text(yaml.safe_dump(aliased(_kubeconfig("https://n:1"), "n")))
    clusters = BuildClusters.load(
        Sources(kubeconfig_dir=str(folder), suffix=".yaml"), _control_plane()
    )
    assert clusters.aliases() == ["build-a", "build-b", DEFAULT_ALIAS]


def test_a_context_named_default_replaces_the_control_plane(tmp_path: Path) -> None:
    folder = write_kubeconfig_dir(tmp_path / "dir", {"default": _kubeconfig("https://d:1")})
    clusters = BuildClusters.load(Sources(kubeconfig_dir=str(folder)), _control_plane())
    assert _hosts(clusters) == {DEFAULT_ALIAS: "https://d:1"}


def test_a_context_in_two_files_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    for name in ("one", "two"):
        (folder / name).write_text(yaml.safe_dump(aliased(_kubeconfig("https://a:1"), "same")))
    with pytest.raises(CredentialsError, match="'same' occurs in both"):
        BuildClusters.load(Sources(kubeconfig_dir=str(folder)), _control_plane())


def test_dir_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(CredentialsError, match="not a folder"):
        BuildClusters.load(Sources(kubeconfig_dir=str(tmp_path / "file")), _control_plane())


def test_unknown_and_broken_aliases_are_told_apart(tmp_path: Path) -> None:
    broken = aliased(_kubeconfig("https://a:1"), "broken")
    broken["users"][0]["user"] = {"client-certificate": str(tmp_path / "missing.crt")}
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(merged(aliased(_kubeconfig("https://b:1"), "good"), broken)))
    clusters = BuildClusters.load(Sources(kubeconfig=str(path)), _control_plane())
    assert clusters.aliases() == ["broken", DEFAULT_ALIAS, "good"]
    assert clusters.get("good").api.configuration.host == "https://b:1"
    assert clusters.get(None) is clusters.control_plane
    with pytest.raises(UnknownCluster, match="'nowhere' is not configured"):
        clusters.get("nowhere")
    with pytest.raises(ClusterUnavailable, match="'broken' has no usable credentials"):
        clusters.get("broken")
    assert check_all(clusters, "default")["broken"] == NO_MANAGER


def test_rewritten_secret_is_reloaded(tmp_path: Path) -> None:
    folder = write_kubeconfig_dir(tmp_path / "dir", {"build": _kubeconfig("https://old:1")})
    clusters = BuildClusters.load(Sources(kubeconfig_dir=str(folder)), _control_plane())
    assert not clusters.reload_if_changed()
    write_kubeconfig_dir(folder, {"build": _kubeconfig("https://new:1")})
    stat = (folder / "build.yaml").stat()
    os.utime(folder / "build.yaml", (stat.st_atime, stat.st_mtime + 5))
    assert clusters.reload_if_changed()
    assert clusters.get("build").api.configuration.host == "https://new:1"
    write_kubeconfig_dir(folder, {"second": _kubeconfig("https://2:1")})
    assert clusters.reload_if_changed()
    assert clusters.aliases() == ["build", DEFAULT_ALIAS, "second"]


def test_a_broken_reload_keeps_the_clusters(tmp_path: Path) -> None:
    folder = write_kubeconfig_dir(tmp_path / "dir", {"build": _kubeconfig("https://a:1")})
    clusters = BuildClusters.load(Sources(kubeconfig_dir=str(folder)), _control_plane())
    (folder / "again.yaml").write_text(yaml.safe_dump(aliased(_kubeconfig("https://b:1"), "build")))
    assert not clusters.reload_if_changed()
    assert clusters.get("build").api.configuration.host == "https://a:1"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


def _emulator_cluster(emulator: Emulator, tmp_path: Path) -> Cluster:
    path = emulator.write_kubeconfig(tmp_path / "emulator")
    return BuildClusters.load(Sources(kubeconfig=str(path)), _control_plane()).get(
        "bowsprit-emulator"
    )


def test_check_reachable(emulator: Emulator, tmp_path: Path) -> None:
    assert check_cluster(_emulator_cluster(emulator, tmp_path), "default") == REACHABLE


def test_check_forbidden_is_missing_permissions(emulator: Emulator, tmp_path: Path) -> None:
    emulator.inject_fault("GET", r"/api/v1/namespaces/default/pods", 403)
    assert check_cluster(_emulator_cluster(emulator, tmp_path), "default") == MISSING_PERMISSIONS


def test_check_unreachable_is_error() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    assert check_cluster(_control_plane(f"http://127.0.0.1:{port}"), "default") == ERROR


def test_components_stop_with_a_message_on_unreadable_credentials(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    args = argparse.Namespace(kubeconfig="", kubeconfig_dir=str(tmp_path / "file"))
    with pytest.raises(SystemExit, match="build cluster credentials: --kubeconfig-dir .*folder"):
        BuildClusters.from_args(args, _control_plane())
