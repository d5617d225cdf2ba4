"""The loop a contributor sees, with every component a process of its own against every
target: a pull request is opened → hook creates the presubmits → plank runs them as pods
(the test kubelet finishes them) → crier reports statuses and a failure comment on the
fake GitHub → `/retest` reruns only what failed → the comment goes away when all pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes
import pytest

from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import CommentCreated, CommentDeleted, StatusCreated
from bowsprit.testing.kubelet import TestKubelet
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, operator_process, prow_config, running
from e2e.test_crier import crier_argv
from e2e.test_hook import (
    FULL,
    HEAD,
    ORG,
    POD,
    REPO,
    SAMPLES,
    create,
    hook_running,
    jobs_of,
    opened_body,
    pr_comment,
    prowjobs,
)

pytestmark = [
    pytest.mark.usefixtures("crds"),
    pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures"),
]


@pytest.fixture
def github() -> Any:
    with FakeGitHub() as fake:
        fake.add_repo(ORG, REPO, {"master": "f" * 40})
        fake.add_pull(FULL, 2, "Codertocat", HEAD, base="master", head="changes")
        fake.add_member(ORG, "Codertocat")
        yield fake


def statuses(github: FakeGitHub) -> dict[str, str]:
    """The latest state of each context on the pull request's head."""
    latest: dict[str, str] = {}
    for action in github.actions:
        if isinstance(action, StatusCreated) and action.sha == HEAD:
            latest[action.context] = action.state
    return latest


def run_pods(kube: Kube, namespace: str, codes: dict[str, int]) -> None:
    """Play the kubelet for the new pods of the named jobs: start, then exit with a code."""
    kubelet, core = TestKubelet(kube.api), kubernetes.client.CoreV1Api(kube.api)
    for job, code in codes.items():

        def fresh_pod(job: str = job) -> str | None:
            listed = core.list_namespaced_pod(namespace, label_selector=f"prow.k8s.io/job={job}")
            waiting = [pod for pod in listed.items if pod.status.phase == "Pending"]
            return waiting[0].metadata.name if waiting else None

        name = wait_for(fresh_pod, what=f"a pod for {job}")
        kubelet.start(namespace, name)
        kubelet.finish(namespace, name, code)


def test_open_fail_report_retest_pass(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    prow_config(kube, namespace)
    create(
        kube,
        namespace,
        "pluginconfigs",
        "PluginConfig",
        "org",
        {"repos": [ORG], "plugins": ["trigger"]},
    )
    for job in ("unit", "lint"):
        spec = {"org": ORG, "repo": REPO, "pod_spec": POD, "always_run": True}
        create(kube, namespace, "blockingpresubmits", "BlockingPresubmit", job, spec)
    with (
        running(kube, "plank", namespace),
        operator_process(crier_argv(kube, namespace, github, tmp_path)),
        hook_running(kube, namespace, github, tmp_path) as hook,
    ):
        opened = hook.post_and_wait("pull_request", opened_body())
        assert jobs_of(kube, namespace, opened) == ["lint", "unit"]
        wait_for(lambda: statuses(github) == {"unit": "pending", "lint": "pending"}, what="pending")

        run_pods(kube, namespace, {"unit": 1, "lint": 0})
        wait_for(lambda: statuses(github) == {"unit": "failure", "lint": "success"}, what="results")
        failure = wait_for(
            lambda: [a for a in github.actions if isinstance(a, CommentCreated)],
            what="the failure comment",
        )[-1]
        assert failure.number == 2 and "unit" in failure.body and "/retest" in failure.body
        assert "lint" not in failure.body.split("<details>")[0]

        retest = hook.post_and_wait("issue_comment", pr_comment("/retest", "Codertocat", 2))
        assert jobs_of(kube, namespace, retest) == ["unit"]  # only what failed
        wait_for(lambda: statuses(github)["unit"] == "pending", what="the rerun pending")
        run_pods(kube, namespace, {"unit": 0})
        wait_for(lambda: statuses(github) == {"unit": "success", "lint": "success"}, what="green")
        wait_for(
            lambda: any(isinstance(a, CommentDeleted) for a in github.actions),
            what="the failure comment deleted",
        )
    runs = [item["spec"]["job"] for item in prowjobs(kube, namespace)]
    assert sorted(runs) == ["lint", "unit", "unit"]
    # Each state of each run reported exactly once (triggered and pending both read
    # "pending" on GitHub, as in Prow): nothing doubled, nothing lost.
    reported = [(a.context, a.state) for a in github.actions if isinstance(a, StatusCreated)]
    by_context = {
        context: [state for name, state in reported if name == context]
        for context in ("unit", "lint")
    }
    assert by_context == {
        "unit": ["pending", "pending", "failure", "pending", "pending", "success"],
        "lint": ["pending", "pending", "success"],
    }
