"""`bowsprit plank` as it runs in a cluster, with a test kubelet, against every target."""

from __future__ import annotations

import json
from typing import Any

import kubernetes
import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.testing.kubelet import TestKubelet
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, prow_config, running

pytestmark = pytest.mark.usefixtures("crds")


def presubmit(name: str, pull: int = 7, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": name, "labels": {"team": "falco"}},
        "spec": {
            "type": "presubmit",
            "job": "unit",
            "context": "unit",
            "refs": {
                "org": "falcosecurity",
                "repo": "falco",
                "base_ref": "master",
                "base_sha": "abc",
                "pulls": [{"number": pull, "author": "leo", "sha": "def"}],
            },
            "pod_spec": {"containers": [{"image": "busybox", "command": ["true"]}]},
            **spec,
        },
    }


class Jobs:
    def __init__(self, kube: Kube, namespace: str) -> None:
        self.objects = kubernetes.client.CustomObjectsApi(kube.api)
        self.core = kubernetes.client.CoreV1Api(kube.api)
        self.namespace = namespace

    def create(self, body: dict[str, Any]) -> None:
        self.objects.create_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "prowjobs", body
        )

    def status(self, name: str) -> dict[str, Any]:
        body: Any = self.objects.get_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "prowjobs", name
        )
        status: dict[str, Any] = body.get("status") or {}
        return status

    def set_status(self, name: str, status: dict[str, Any]) -> None:
        self.objects.patch_namespaced_custom_object_status(
            GROUP, VERSION, self.namespace, "prowjobs", name, {"status": status}
        )

    def pod(self, name: str) -> dict[str, Any] | None:
        response: Any = self.core.list_namespaced_pod(
            self.namespace, field_selector=f"metadata.name={name}", _preload_content=False
        )
        items: list[dict[str, Any]] = json.loads(response.data)["items"]
        return items[0] if items else None

    def wait_state(self, name: str, state: str, timeout: float = 30.0) -> dict[str, Any]:
        return wait_for(
            lambda: (status := self.status(name)).get("state") == state and status,
            timeout=timeout,
            what=f"{name} to be {state}",
        )

    def events(self, name: str) -> list[str]:
        listed = self.core.list_namespaced_event(
            self.namespace, field_selector=f"involvedObject.name={name}"
        )
        return [event.reason for event in listed.items]


def test_a_job_runs_to_success_and_failure(kube: Kube, namespace: str) -> None:
    jobs, kubelet = Jobs(kube, namespace), TestKubelet(kube.api)
    prow_config(
        kube,
        namespace,
        plank={"job_url_template": "https://ci/{{ spec.job }}/{{ status.build_id }}"},
    )
    with running(kube, "plank", namespace):
        jobs.create(presubmit("ok"))
        jobs.create(presubmit("bad", pull=8))
        status = jobs.wait_state("ok", "pending")
        assert status["pod_name"] == "ok" and status["description"] == "Job triggered."
        assert status["url"] == f"https://ci/unit/{status['build_id']}"
        pod = wait_for(lambda: jobs.pod("ok"), what="the pod")
        labels = pod["metadata"]["labels"]
        assert labels["created-by-prow"] == "true" and labels["team"] == "falco"
        assert labels["prow.k8s.io/refs.pull"] == "7"
        assert labels["prow.k8s.io/build-id"] == status["build_id"]
        container = pod["spec"]["containers"][0]
        assert container["name"] == "test" and pod["spec"]["restartPolicy"] == "Never"
        env = {item["name"]: item.get("value") for item in container["env"]}
        assert env["PULL_NUMBER"] == "7" and env["BUILD_ID"] == status["build_id"]
        assert env["PULL_REFS"] == "master:abc,7:def"
        kubelet.start(namespace, "ok")
        kubelet.finish(namespace, "ok", 0)
        done = jobs.wait_state("ok", "success")
        assert done["completionTime"] and done["description"] == "Job succeeded."
        jobs.wait_state("bad", "pending")
        kubelet.start(namespace, "bad")
        kubelet.finish(namespace, "bad", 1)
        assert jobs.wait_state("bad", "failure")["description"] == "Job failed."
        wait_for(lambda: {"Pending", "Success"} <= set(jobs.events("ok")), what="events")
