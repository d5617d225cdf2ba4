"""`bowsprit emulator` as a process: serves, writes a kubeconfig, keeps a snapshot."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import kubernetes

from bowsprit.clients.kube import load_configuration


def _start(kubeconfig: Path, snapshot: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bowsprit",
            "emulator",
            "--kubeconfig-out",
            str(kubeconfig),
            "--snapshot",
            str(snapshot),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    for line in process.stdout:
        if line.startswith("kubeconfig written"):
            return process
        assert time.monotonic() < deadline
    raise AssertionError(
        f"emulator did not start: {process.stderr.read() if process.stderr else ''}"
    )


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=30)  # also closes the pipes
    assert process.returncode == 0, errors


def test_serves_and_restarts_from_its_snapshot(tmp_path: Path) -> None:
    kubeconfig, snapshot = tmp_path / "kubeconfig", tmp_path / "state.json"
    process = _start(kubeconfig, snapshot)
    try:
        api = kubernetes.client.ApiClient(load_configuration(str(kubeconfig)))
        core = kubernetes.client.CoreV1Api(api)
        core.create_namespaced_config_map(
            "default",
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "kept"},
                "data": {"a": "1"},
            },
        )
        before = core.read_namespaced_config_map("kept", "default").metadata.resource_version
        api.close()
    finally:
        _stop(process)
    assert snapshot.exists()
    process = _start(kubeconfig, snapshot)
    try:
        api = kubernetes.client.ApiClient(load_configuration(str(kubeconfig)))
        core = kubernetes.client.CoreV1Api(api)
        kept = core.read_namespaced_config_map("kept", "default")
        assert kept.data == {"a": "1"} and kept.metadata.resource_version == before
        created = core.create_namespaced_config_map(
            "default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new"}}
        )
        # resourceVersions keep growing across restarts.
        assert int(created.metadata.resource_version) > int(before)
        api.close()
    finally:
        _stop(process)
