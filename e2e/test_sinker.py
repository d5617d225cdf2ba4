"""`bowsprit sinker` as it runs in a cluster, against every target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import kubernetes
import pytest
from kubernetes.client.exceptions import ApiException

from bowsprit.api import GROUP, VERSION
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, prow_config, running

pytestmark = pytest.mark.usefixtures("crds")
LONG_AGO = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")


def prowjob(name: str) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": name},
        "spec": {
            "type": "periodic",
            "job": name,
            "pod_spec": {"containers": [{"image": "busybox"}]},
        },
    }


def job_pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"created-by-prow": "true", "prow.k8s.io/id": name}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "test", "image": "busybox"}]},
    }


def test_sinker_deletes_what_prow_would(
    kube: Kube, namespace: str, request: pytest.FixtureRequest
) -> None:
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    core = kubernetes.client.CoreV1Api(kube.api)
    prow_config(
        kube,
        namespace,
        sinker={"resync_period": "1s", "max_prowjob_age": "1h", "max_pod_age": "1h"},
    )

    def status(name: str, body: dict[str, Any]) -> None:
        objects.patch_namespaced_custom_object_status(
            GROUP, VERSION, namespace, "prowjobs", name, {"status": body}
        )

    for name in ("old-done", "old-running", "fresh-done"):
        objects.create_namespaced_custom_object(
            GROUP, VERSION, namespace, "prowjobs", prowjob(name)
        )
    status("old-done", {"state": "success", "startTime": LONG_AGO, "completionTime": LONG_AGO})
    status("old-running", {"state": "pending", "startTime": LONG_AGO})
    status("fresh-done", {"state": "failure", "completionTime": LONG_AGO})
    for name in ("old-running", "fresh-done"):
        core.create_namespaced_pod(namespace, job_pod(name))
        pod: Any = core.read_namespaced_pod(name, namespace)
        pod.status.phase = "Running"
        pod.status.start_time = datetime.now(UTC) - timedelta(hours=2)
        core.replace_namespaced_pod_status(name, namespace, pod)

    with running(kube, "sinker", namespace):
        _wait_for_cleanup(objects, core, namespace)


def _wait_for_cleanup(objects: Any, core: Any, namespace: str) -> None:
    def gone(get: Any) -> bool:
        try:
            get()
        except ApiException as error:
            return error.status == 404
        return False

    wait_for(
        lambda: gone(
            lambda: objects.get_namespaced_custom_object(
                GROUP, VERSION, namespace, "prowjobs", "old-done"
            )
        ),
        what="old-done to be deleted",
    )
    # The pod of a completed job, started more than max_pod_age ago, goes too.
    wait_for(
        lambda: gone(lambda: core.read_namespaced_pod("fresh-done", namespace)),
        what="the old pod of a finished job to be deleted",
    )
    # Never the pod of an incomplete job, however old; never a young or incomplete ProwJob.
    assert core.read_namespaced_pod("old-running", namespace)
    for name in ("old-running", "fresh-done"):
        assert objects.get_namespaced_custom_object(GROUP, VERSION, namespace, "prowjobs", name)
