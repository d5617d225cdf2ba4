"""crier's blob reporter as a process, on every target, writing to moto's S3 server:
podinfo.json (pod and events, env values removed) when a job completes, finished.json
only for a run whose pod utilities never wrote one; deck then shows the pod."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import kubernetes
import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.cluster import event_body
from bowsprit.emulator import Emulator
from bowsprit.testing import s3
from bowsprit.testing.buildclusters import write_kubeconfig_dir
from bowsprit.testing.fakegithub import FakeGitHub
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, component_argv, operator_process, prow_config
from e2e.deck_harness import credentials, served_deck
from e2e.test_plank import Jobs

pytestmark = pytest.mark.usefixtures("crds")
SECRET = "hunter2-in-env"


@pytest.fixture(scope="module")
def server() -> Iterator[s3.S3Server]:
    running = s3.start()
    yield running
    running.stop()


def job(name: str, bucket: str, build: str) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": name},
        "spec": {
            "type": "periodic",
            "job": "ci-nightly",
            "pod_spec": {"containers": [{"image": "debian", "command": ["true"]}]},
            "decoration_config": {
                "utility_images": {
                    k: "bowsprit" for k in ("clonerefs", "initupload", "entrypoint", "sidecar")
                },
                "gcs_configuration": {"bucket": f"s3://{bucket}", "path_strategy": "explicit"},
            },
        },
    }


def pod(name: str, namespace: str) -> dict[str, Any]:
    env = [
        {"name": "TOKEN", "value": SECRET},
        {"name": "FROM", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"containers": [{"name": "test", "image": "debian", "env": env}]},
    }


def objects(server: s3.S3Server, bucket: str) -> dict[str, Any]:
    client = server.client()
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    found = {
        i["Key"]: json.loads(client.get_object(Bucket=bucket, Key=i["Key"])["Body"].read())
        for i in listed
    }
    client.close()
    return found


def test_podinfo_and_missing_finished_json(
    kube: Kube, namespace: str, server: s3.S3Server, tmp_path: Path
) -> None:
    bucket = server.new_bucket()
    creds = tmp_path / "s3.json"
    creds.write_text(json.dumps(credentials(server)))
    prow_config(kube, namespace)
    jobs = Jobs(kube, namespace)
    core = kubernetes.client.CoreV1Api(kube.api)
    created: Any = core.create_namespaced_pod(
        namespace, pod("ran", namespace), _preload_content=False
    )
    ran = json.loads(created.data)
    core.create_namespaced_event(
        namespace,
        event_body(
            ran,
            "Warning",
            "BackOff",
            "Back-off restarting failed container",
            "kubelet",
            "2026-12-05T10:00:00Z",
        ),
    )
    # The sidecar of "ran" wrote its own finished.json: it must stay as it is.
    client = server.client()
    ran_folder = "logs/ci-nightly/1800000000000000011"
    client.put_object(
        Bucket=bucket,
        Key=f"{ran_folder}/finished.json",
        Body=b'{"result": "FAILURE", "timestamp": 5}',
    )
    client.close()
    argv = [
        *component_argv(kube, "crier", namespace),
        "--kubernetes-blob-storage-workers",
        "1",
        "--s3-credentials-file",
        str(creds),
    ]
    with operator_process(argv):
        for name, build, state in (
            ("ran", "1800000000000000011", "failure"),
            ("never", "1800000000000000012", "aborted"),
        ):
            jobs.create(job(name, bucket, build))
            jobs.set_status(
                name,
                {
                    "state": state,
                    "build_id": build,
                    "startTime": "2026-12-05T10:00:00Z",
                    "completionTime": "2026-12-05T10:01:00Z",
                },
            )
        wait_for(
            lambda: all(
                (jobs.status(n).get("prev_report_states") or {}).get("blob-reporter")
                for n in ("ran", "never")
            ),
            what="the blob reporter's records",
        )
    stored = objects(server, bucket)
    podinfo = stored[f"{ran_folder}/podinfo.json"]
    assert podinfo["pod"]["spec"]["containers"][0]["env"] == [{"name": "TOKEN"}, {"name": "FROM"}]
    assert SECRET not in json.dumps(stored)
    assert [e["reason"] for e in podinfo["events"]] == ["BackOff"]
    assert stored[f"{ran_folder}/finished.json"] == {"result": "FAILURE", "timestamp": 5}
    never = "logs/ci-nightly/1800000000000000012"
    assert stored[f"{never}/finished.json"]["result"] == "ABORTED"
    assert stored[f"{never}/started.json"]["timestamp"] > 0
    assert stored[f"{never}/prowjob.json"]["metadata"]["name"] == "never"

    runs = SimpleNamespace(credentials_file=creds)
    with FakeGitHub() as github, served_deck(kube, namespace, runs, github, tmp_path) as deck:  # type: ignore[arg-type]
        page = httpx.get(f"{deck.url}/view/s3/{bucket}/{ran_folder}", timeout=30).text
        assert "Back-off restarting failed container" in page and "Pod ran" in page
        history = httpx.get(f"{deck.url}/job-history/s3/{bucket}/logs/ci-nightly", timeout=30).text
        assert "ABORTED" in history and "FAILURE" in history


def test_podinfo_comes_from_the_jobs_build_cluster(
    kube: Kube, namespace: str, server: s3.S3Server, tmp_path: Path
) -> None:
    """A job of build cluster `build` (a second API server): its pod and the pod's
    events are read there."""
    bucket = server.new_bucket()
    creds = tmp_path / "s3.json"
    creds.write_text(json.dumps(credentials(server)))
    prow_config(kube, namespace)
    jobs = Jobs(kube, namespace)
    with Emulator() as build:
        remote = kubernetes.client.ApiClient(kubernetes.client.Configuration(host=build.url))
        core = kubernetes.client.CoreV1Api(remote)
        core.create_namespace(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        )
        created: Any = core.create_namespaced_pod(
            namespace, pod("far", namespace), _preload_content=False
        )
        core.create_namespaced_event(
            namespace,
            event_body(
                json.loads(created.data),
                "Warning",
                "Far",
                "far away",
                "kubelet",
                "2026-12-05T10:00:00Z",
            ),
        )
        folder = write_kubeconfig_dir(tmp_path / "clusters", {"build": build.kubeconfig()})
        argv = [
            *component_argv(kube, "crier", namespace),
            "--kubernetes-blob-storage-workers",
            "1",
            "--s3-credentials-file",
            str(creds),
            "--kubeconfig-dir",
            str(folder),
        ]
        with operator_process(argv):
            body = job("far", bucket, "1800000000000000021")
            body["spec"]["cluster"] = "build"
            jobs.create(body)
            jobs.set_status(
                "far",
                {
                    "state": "success",
                    "build_id": "1800000000000000021",
                    "startTime": "2026-12-05T10:00:00Z",
                    "completionTime": "2026-12-05T10:01:00Z",
                },
            )
            wait_for(
                lambda: (jobs.status("far").get("prev_report_states") or {}).get("blob-reporter"),
                what="the blob reporter's record",
            )
        remote.close()
    podinfo = objects(server, bucket)["logs/ci-nightly/1800000000000000021/podinfo.json"]
    assert podinfo["pod"]["metadata"]["name"] == "far"
    assert [e["reason"] for e in podinfo["events"]] == ["Far"]
