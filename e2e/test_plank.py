"""`bowsprit plank` as it runs in a cluster, with a test kubelet, against every target."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import kubernetes
import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.testing.kubelet import TestKubelet
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, component_argv, prow_config, running

pytestmark = pytest.mark.usefixtures("crds")
POD_SPEC = {"containers": [{"image": "busybox", "command": ["true"]}]}


def presubmit(name: str, pull: int = 7, job: str = "unit", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": name, "labels": {"team": "falco"}},
        "spec": {
            "type": "presubmit",
            "job": job,
            "context": "unit",
            "refs": {
                "org": "falcosecurity",
                "repo": "falco",
                "base_ref": "master",
                "base_sha": "abc",
                "pulls": [{"number": pull, "author": "leo", "sha": "def"}],
            },
            "pod_spec": POD_SPEC,
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


def test_timeouts_evictions_oom_and_deleted_pods(kube: Kube, namespace: str) -> None:
    jobs, kubelet = Jobs(kube, namespace), TestKubelet(kube.api)
    prow_config(kube, namespace, plank={"pod_unscheduled_timeout": "2s", "max_revivals": 1})
    with running(kube, "plank", namespace):
        for name, pull in (("unscheduled", 1), ("evicted", 2), ("oom", 3), ("deleted", 4)):
            jobs.create(presubmit(name, pull=pull))
        jobs.create(presubmit("strict", pull=5, error_on_eviction=True))
        for name in ("evicted", "oom", "deleted", "strict"):
            jobs.wait_state(name, "pending")
            kubelet.start(namespace, name)
        status = jobs.wait_state("unscheduled", "error", timeout=20)
        assert status["description"] == "Pod scheduling timeout."
        wait_for(lambda: jobs.pod("unscheduled") is None, what="the unscheduled pod to go")

        first = jobs.pod("evicted")
        assert first is not None
        kubelet.evict(namespace, "evicted")
        wait_for(
            lambda: (
                (pod := jobs.pod("evicted")) and pod["metadata"]["uid"] != first["metadata"]["uid"]
            ),
            what="a new pod for the evicted job",
        )
        revived = jobs.wait_state("evicted", "pending")
        wait_for(lambda: jobs.status("evicted").get("pod_revival_count") == 1, what="a revival")
        kubelet.start(namespace, "evicted")
        kubelet.evict(namespace, "evicted")  # the second time is one too many
        assert jobs.wait_state("evicted", "error")["description"].startswith(
            "Job pod reached max revivals"
        )
        assert revived["build_id"]

        kubelet.evict(namespace, "strict")
        assert jobs.wait_state("strict", "error")["description"] == (
            "Job pod was evicted by the cluster."
        )
        kubelet.oom_kill(namespace, "oom")
        assert jobs.wait_state("oom", "error")["description"] == (
            "Job pod was OOM killed by the cluster."
        )
        # A finalizer keeps the deleted pod visible, as a real kubelet's grace period does.
        jobs.core.patch_namespaced_pod(
            "deleted", namespace, {"metadata": {"finalizers": ["e2e.bowsprit.dev/hold"]}}
        )
        jobs.core.delete_namespaced_pod("deleted", namespace)
        assert jobs.wait_state("deleted", "error")["description"] == "Pod got deleted unexpectedly"
        jobs.core.patch_namespaced_pod("deleted", namespace, {"metadata": {"finalizers": None}})


def test_aborted_and_superseded_runs(kube: Kube, namespace: str) -> None:
    jobs = Jobs(kube, namespace)
    prow_config(kube, namespace)
    with running(kube, "plank", namespace):
        jobs.create(presubmit("user-abort", pull=1))
        jobs.wait_state("user-abort", "pending")
        jobs.set_status("user-abort", {"state": "aborted", "description": "Aborted by a user."})
        wait_for(lambda: jobs.status("user-abort").get("completionTime"), what="completion")
        wait_for(lambda: jobs.pod("user-abort") is None, what="the aborted job's pod to go")

        jobs.create(presubmit("older", pull=2))
        jobs.wait_state("older", "pending")
        jobs.create(presubmit("newer", pull=2))
        older = jobs.wait_state("older", "aborted")
        assert older["prev_report_states"] == {"github-reporter": "aborted"}
        wait_for(lambda: jobs.status("older").get("completionTime"), what="the abort to finish")
        assert jobs.wait_state("newer", "pending")


def test_concurrency_limits_and_queues(kube: Kube, namespace: str) -> None:
    jobs, kubelet = Jobs(kube, namespace), TestKubelet(kube.api)
    prow_config(kube, namespace, plank={"job_queue_capacities": {"gpu": 1}})
    with running(kube, "plank", namespace):
        for index in range(3):
            jobs.create(presubmit(f"limited-{index}", pull=10 + index, max_concurrency=1))
        jobs.create(presubmit("queued-0", pull=20, job="gpu-a", job_queue_name="gpu"))
        jobs.create(presubmit("queued-1", pull=21, job="gpu-b", job_queue_name="gpu"))
        jobs.create(presubmit("lost", pull=22, job="other", job_queue_name="nowhere"))
        assert "job_queue_capacities" in jobs.wait_state("lost", "error")["description"]
        for first, rest in (("limited-0", ["limited-1", "limited-2"]), ("queued-0", ["queued-1"])):
            jobs.wait_state(first, "pending")
            assert all(jobs.status(name).get("state") == "triggered" for name in rest)
            assert all(jobs.pod(name) is None for name in rest)
            kubelet.start(namespace, first)
            kubelet.finish(namespace, first, 0)
            jobs.wait_state(rest[0], "pending")  # in creation order
            assert all(jobs.status(name).get("state") == "triggered" for name in rest[1:])


def pods_of(jobs: Jobs) -> dict[str, list[str]]:
    """Build IDs of the pods of every job, by job: more than one would be a duplicate."""
    response: Any = jobs.core.list_namespaced_pod(
        jobs.namespace, label_selector="created-by-prow=true", _preload_content=False
    )
    found: dict[str, list[str]] = {}
    for pod in json.loads(response.data)["items"]:
        labels = pod["metadata"]["labels"]
        found.setdefault(labels["prow.k8s.io/id"], []).append(labels["prow.k8s.io/build-id"])
    return found


def test_killed_at_any_point_loses_nothing_and_starts_nothing_twice(
    kube: Kube, namespace: str
) -> None:
    jobs = Jobs(kube, namespace)
    prow_config(kube, namespace)
    names = [f"run-{index}" for index in range(40)]
    for index, name in enumerate(names):
        jobs.create(presubmit(name, pull=100 + index))
    argv = component_argv(kube, "plank", namespace)
    first = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(pods_of(jobs)) >= 5, what="plank to start a few pods")
    finally:
        first.kill()  # no goodbye: mid-create, mid-patch, wherever it was
        first.wait(timeout=30)
    with running(kube, "plank", namespace):
        for name in names:
            status = jobs.wait_state(name, "pending")
            assert pods_of(jobs)[name] == [status["build_id"]]
    assert all(len(builds) == 1 for builds in pods_of(jobs).values())


def test_api_errors_are_retried(kube: Kube, namespace: str) -> None:
    if kube.emulator is None:
        pytest.skip("faults are injected by the emulator")
    jobs = Jobs(kube, namespace)
    prow_config(kube, namespace)
    pods = f"^/api/v1/namespaces/{namespace}/pods$"
    statuses = f"^/apis/{GROUP}/{VERSION}/namespaces/{namespace}/prowjobs/[^/]+/status$"
    kube.emulator.inject_fault("POST", pods, 500, times=3)
    kube.emulator.inject_fault("PATCH", statuses, 409, times=2)
    kube.emulator.inject_fault("PATCH", statuses, 503, times=2)
    with running(kube, "plank", namespace):
        jobs.create(presubmit("flaky", pull=1))
        status = jobs.wait_state("flaky", "pending")
        assert pods_of(jobs) == {"flaky": [status["build_id"]]}
        # A refusal (4xx) is final: the job ends as error with the API server's message.
        kube.emulator.inject_fault("POST", pods, 403, times=1)
        jobs.create(presubmit("refused", pull=2))
        failed = jobs.wait_state("refused", "error")
        assert failed["description"] == "Pod can not be created: injected fault: Forbidden"
        # Never a pod, yet a build ID (as Prow gives one first), so crier's blob reporter
        # writes its finished.json and deck's histories show the run.
        assert failed["build_id"].isdigit() and failed["build_id"] != status["build_id"]


def test_periodics_run_end_to_end_with_horologium_plank_and_sinker(
    kube: Kube, namespace: str
) -> None:
    """horologium starts a run, plank runs its pod, the kubelet ends it; with
    minimum_interval the next run starts only then, and sinker keeps the newest run."""
    jobs, kubelet = Jobs(kube, namespace), TestKubelet(kube.api)
    prow_config(kube, namespace, sinker={"resync_period": "1s", "max_prowjob_age": "1s"})
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Periodic",
        "metadata": {"name": "nightly"},
        "spec": {"minimum_interval": "1s", "pod_spec": POD_SPEC},
    }
    jobs.objects.create_namespaced_custom_object(GROUP, VERSION, namespace, "periodics", body)

    def runs() -> list[str]:
        listed: Any = jobs.objects.list_namespaced_custom_object(
            GROUP,
            VERSION,
            namespace,
            "prowjobs",
            # This namespace's Periodic only: horologium runs every namespace's namesakes.
            label_selector=f"bowsprit.dev/periodic=nightly,bowsprit.dev/periodic-namespace={namespace}",
        )
        return sorted(item["metadata"]["name"] for item in listed["items"])

    with (
        running(kube, "horologium", namespace),
        running(kube, "plank", namespace),
        running(kube, "sinker", namespace),
    ):
        finished: list[str] = []
        for _ in range(2):
            current = wait_for(
                lambda: [name for name in runs() if name not in finished],
                what="horologium to start the next run",
            )
            (run,) = current
            jobs.wait_state(run, "pending")
            assert jobs.pod(run) is not None
            kubelet.start(namespace, run)
            kubelet.finish(namespace, run, 0)
            jobs.wait_state(run, "success")
            finished.append(run)
        # The first run is old and complete: sinker deletes it, never the newest run.
        wait_for(lambda: finished[0] not in runs(), what="sinker to delete the older run")
        assert runs(), "sinker keeps the newest run of a Periodic that exists"


UTILITY_IMAGES = {
    name: "ghcr.io/bowsprit-ci/bowsprit:test"
    for name in ("clonerefs", "initupload", "entrypoint", "sidecar")
}


def test_a_decorated_job_gets_its_defaults_from_the_prow_config(kube: Kube, namespace: str) -> None:
    jobs, kubelet = Jobs(kube, namespace), TestKubelet(kube.api)
    defaults = {
        "*": {
            "timeout": "1h",
            "utility_images": UTILITY_IMAGES,
            "gcs_configuration": {"bucket": "s3://logs", "path_strategy": "explicit"},
            "s3_credentials_secret": "s3-credentials",
        }
    }
    plank = {
        "default_decoration_configs": defaults,
        "job_url_prefix_config": {"*": "https://deck/view/"},
    }
    prow_config(kube, namespace, plank=plank)
    with running(kube, "plank", namespace):
        jobs.create(presubmit("decorated", decoration_config={"grace_period": "20s"}))
        status = jobs.wait_state("decorated", "pending")
        assert status["url"] == (
            f"https://deck/view/s3/logs/pr-logs/pull/falcosecurity_falco/7/unit/{status['build_id']}"
        )
        pod = wait_for(lambda: jobs.pod("decorated"), what="the pod")["spec"]
        assert [c["name"] for c in pod["initContainers"]] == [
            "clonerefs",
            "initupload",
            "place-entrypoint",
        ]
        assert [c["name"] for c in pod["containers"]] == ["test", "sidecar"]
        env = {item["name"]: item.get("value") for item in pod["containers"][0]["env"]}
        options = json.loads(env["ENTRYPOINT_OPTIONS"])
        assert options["timeout"] == 3600 * 10**9 and options["grace_period"] == 20 * 10**9
        assert pod["terminationGracePeriodSeconds"] == 25
        kubelet.start(namespace, "decorated")
        kubelet.finish(namespace, "decorated", 0)
        jobs.wait_state("decorated", "success")


def test_a_job_that_cannot_be_decorated_errors_with_the_field(kube: Kube, namespace: str) -> None:
    jobs = Jobs(kube, namespace)
    prow_config(kube, namespace)
    with running(kube, "plank", namespace):
        jobs.create(presubmit("undecoratable", decoration_config={"timeout": "1h"}))
        status = jobs.wait_state("undecoratable", "error")
        assert "decoration_config.utility_images.clonerefs" in status["description"]
        assert jobs.pod("undecoratable") is None
        # Other jobs go on (and plank is fully up before it is stopped).
        jobs.create(presubmit("plain", pull=9))
        jobs.wait_state("plain", "pending")
        wait_for(lambda: "Error" in jobs.events("undecoratable"), what="the Error event")
