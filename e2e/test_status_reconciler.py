"""`bowsprit status-reconciler` as it runs in a cluster, against every target and the fake
GitHub: a new BlockingPresubmit starts ProwJobs on exactly the matching open pull
requests of trusted authors; a renamed context moves its statuses; a BlockingPresubmit
deleted and another added while status-reconciler is down are both handled once it is
back (the deleted one waits for it, held by its finalizer)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest
from kubernetes.client.exceptions import ApiException

from bowsprit.api import GROUP, VERSION
from bowsprit.statusreconciler.records import ANNOTATION, FINALIZER
from bowsprit.testing.fakegithub import FakeGitHub
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, component_argv, operator_process, prow_config

pytestmark = pytest.mark.usefixtures("crds")
BASE = "a" * 40
POD_SPEC = {"containers": [{"image": "busybox", "command": ["true"]}]}
RETIRED = "Context retired without replacement."


def head(number: int) -> str:
    return f"{number:040d}"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("org", "repo", {"main": BASE, "dev": "d" * 40})
        fake.add_member("org", "member")
        fake.add_pull("org/repo", 1, "member", head(1))
        fake.add_pull("org/repo", 2, "stranger", head(2))  # untrusted: left for /ok-to-test
        fake.add_pull("org/repo", 3, "member", head(3), base="dev")  # not a branch of the job
        fake.add_pull("org/repo", 4, "member", head(4), draft=True)
        for number in (1, 2, 3, 4):
            fake.add_status("org/repo", head(number), "lint", "failure", "Job failed.")
        yield fake


class Definitions:
    def __init__(self, kube: Kube, namespace: str) -> None:
        self.objects = kubernetes.client.CustomObjectsApi(kube.api)
        self.namespace = namespace

    def apply(self, name: str, **spec: Any) -> None:
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "BlockingPresubmit",
            "metadata": {"name": name},
            "spec": {"org": "org", "repo": "repo", "pod_spec": POD_SPEC, **spec},
        }
        self.objects.create_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "blockingpresubmits", body
        )

    def get(self, name: str) -> dict[str, Any] | None:
        try:
            found: Any = self.objects.get_namespaced_custom_object(
                GROUP, VERSION, self.namespace, "blockingpresubmits", name
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return dict(found)

    def patch(self, name: str, patch: dict[str, Any]) -> None:
        self.objects.patch_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "blockingpresubmits", name, patch
        )

    def delete(self, name: str) -> None:
        self.objects.delete_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "blockingpresubmits", name
        )

    def recorded(self, name: str, context: str) -> bool:
        found = self.get(name) or {}
        metadata = found.get("metadata") or {}
        records = json.loads((metadata.get("annotations") or {}).get(ANNOTATION) or "{}")
        spec = (records.get("org/repo") or {}).get("spec") or {}
        return FINALIZER in (metadata.get("finalizers") or []) and spec.get("context") == context

    def release_all(self) -> None:
        """Let go of the finalizers and delete the definitions: envtest never finishes
        deleting a namespace, and later tests' cluster-wide components must not see them."""
        listed: Any = self.objects.list_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "blockingpresubmits"
        )
        for item in listed["items"]:
            self.patch(item["metadata"]["name"], {"metadata": {"finalizers": None}})
            with contextlib.suppress(ApiException):
                self.delete(item["metadata"]["name"])

    def prowjobs(self) -> dict[str, list[str]]:
        """The ProwJobs there are: job name → pull numbers."""
        listed: Any = self.objects.list_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "prowjobs"
        )
        found: dict[str, list[str]] = {}
        for item in listed["items"]:
            labels = item["metadata"]["labels"]
            found.setdefault(labels["prow.k8s.io/job"], []).append(labels["prow.k8s.io/refs.pull"])
        return {job: sorted(pulls) for job, pulls in found.items()}


def argv(kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path) -> list[str]:
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    return [
        *component_argv(kube, "status-reconciler", namespace),
        "--watch-namespace",
        namespace,
        "--debounce",
        "0.2",
        "--github-endpoint",
        github.url,
        "--github-token-path",
        str(token),
    ]


def test_added_renamed_and_removed_contexts_across_a_restart(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    prow_config(kube, namespace)
    jobs = Definitions(kube, namespace)
    jobs.apply("lint", always_run=True)  # there before status-reconciler: its baseline
    command = argv(kube, namespace, github, tmp_path)
    try:
        with operator_process(command):
            wait_for(lambda: jobs.recorded("lint", "lint"), what="lint's baseline record")
            assert jobs.prowjobs() == {} and github.actions == []

            # Added: ProwJobs for exactly the matching open pull requests of trusted authors.
            jobs.apply("unit", always_run=True, branches=["main"])
            wait_for(lambda: jobs.prowjobs() == {"unit": ["1"]}, what="unit on #1")
            wait_for(lambda: jobs.recorded("unit", "unit"), what="unit's record")

            # Renamed: each pull request's status moves to the new context.
            jobs.patch("lint", {"spec": {"context": "ci/lint"}})
            moved = 'Context retired. Status moved to "ci/lint".'
            for number in (1, 2, 3, 4):
                wait_for(
                    lambda n=number: (
                        github.statuses("org/repo", head(n))
                        == {"lint": "success", "ci/lint": "failure"}
                    ),
                    what=f"lint moved on #{number}",
                )
            status = github.repos["org/repo"].statuses[head(1)][-1]
            assert (status.context, status.description) == ("lint", moved)
            wait_for(lambda: jobs.recorded("lint", "ci/lint"), what="lint's new record")
            wait_for(
                lambda: (
                    (jobs.get("lint") or {}).get("status", {}).get("reconciledContext") == "ci/lint"
                ),
                what="lint's status",
            )
            # crier would now report unit's run on #1:
            github.add_status("org/repo", head(1), "unit", "pending", "Job triggered.")

        # While status-reconciler is down: unit is deleted (its finalizer holds it) and
        # e2e is added.
        jobs.delete("unit")
        assert (jobs.get("unit") or {}).get("metadata", {}).get("deletionTimestamp")
        jobs.apply("e2e", always_run=True)
        with operator_process(command):
            wait_for(lambda: jobs.get("unit") is None, what="unit to be let go")
            assert github.statuses("org/repo", head(1))["unit"] == "success"
            assert github.repos["org/repo"].statuses[head(1)][-1].description == RETIRED
            wait_for(
                lambda: jobs.prowjobs() == {"unit": ["1"], "e2e": ["1", "3"]},
                what="e2e on #1 and #3",
            )
            wait_for(lambda: jobs.recorded("e2e", "e2e"), what="e2e's record")
        # Nothing was done twice.
        retired = [s for s in github.repos["org/repo"].statuses[head(1)] if s.context == "unit"]
        assert [s.state for s in retired] == ["pending", "success"]
    finally:
        jobs.release_all()


def test_status_reconciler_works_with_exactly_the_chart_rbac(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    """Run as the chart's ServiceAccount (a token of it), reading one namespace: recording,
    starting ProwJobs and letting go of a deleted definition are all allowed, and nothing
    it does is refused."""
    if kube.name != "envtest":
        pytest.skip("runs status-reconciler locally with the chart's token; on envtest only")
    from e2e.test_chart import RELEASE, _env, _install, _token_kubeconfig, helm

    home = tmp_path / "helm"
    tool = helm("v4", home)
    _install(
        tool,
        kube,
        namespace,
        f"{namespace}-pods",
        "--set",
        f"statusReconciler.watchNamespace={namespace}",
    )
    jobs = Definitions(kube, namespace)
    try:
        jobs.apply("lint", always_run=True)
        kubeconfig = _token_kubeconfig(
            kube, namespace, f"{RELEASE}-status-reconciler", tmp_path / "sr.kubeconfig"
        )
        command = argv(kube, namespace, github, tmp_path)
        command[command.index("--kubeconfig") + 1] = str(kubeconfig)
        forbidden = ("Forbidden", "forbidden", "Not enough permissions")
        with operator_process(command, forbidden=forbidden):
            wait_for(lambda: jobs.recorded("lint", "lint"), what="lint's baseline record")
            jobs.apply("unit", always_run=True)
            wait_for(lambda: jobs.prowjobs() == {"unit": ["1", "3"]}, what="unit's runs")
            wait_for(lambda: jobs.recorded("unit", "unit"), what="unit's record")
            jobs.delete("unit")
            wait_for(lambda: jobs.get("unit") is None, what="unit to be let go")
    finally:
        jobs.release_all()
        tool.run("uninstall", RELEASE, "--namespace", namespace, env=_env(kube), check=False)
