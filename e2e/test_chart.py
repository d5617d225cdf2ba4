"""The chart installed with real Helm on real API servers.

- envtest (every CI run): `helm install`, `upgrade` and `uninstall` with Helm 4 and Helm 3,
  so the real API server validates every object (CRDs from the chart's templates, RBAC,
  Deployments, the ProwConfig hook), and the all-components scenario installed; the GitOps
  job repository is applied with kustomize;
  and plank, horologium and sinker run as local processes with the tokens of the chart's
  own ServiceAccounts, so the chart's RBAC is proven sufficient, not only well formed: a
  Periodic starts a run, plank runs its pod (moved by the test kubelet) to success.
- cluster (BOWSPRIT_E2E_KUBECONFIG and BOWSPRIT_E2E_IMAGE, an image the cluster can pull):
  the chart's pods run for real; `helm test` passes; an undecorated busybox ProwJob ends
  in success; uninstall.
- emulator: skipped, it serves no Deployments, RBAC or Services.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import kubernetes
import pytest
import yaml
from kubernetes.client.exceptions import ApiException
from tests.chart.helmtools import CHART, MAJORS, Helm, helm

from bowsprit.api import GROUP, VERSION
from bowsprit.cli import BUILT
from bowsprit.testing import envtest
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import CommitStatus
from bowsprit.testing.gitrepos import Remote
from bowsprit.testing.kubelet import TestKubelet
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, component_argv, kubectl, operator_process

RELEASE = "bowsprit"
# Unlike the examples' echo-hi: horologium sees Periodics of every namespace, and names
# runs after the Periodic alone.
PERIODIC = "chart-rbac-hi"
BUSYBOX = {"containers": [{"image": "busybox:1.36", "command": ["sh", "-c", "echo hi"]}]}


@pytest.fixture
def real(kube: Kube) -> Kube:
    if kube.name == "emulator":
        pytest.skip("the emulator serves no Deployments, RBAC or Services")
    return kube


@pytest.fixture
def release(
    real: Kube, crds: None, namespace: str, tmp_path: Path
) -> Iterator[tuple[Kube, str, str, Path]]:
    """(kube, release namespace, job pod namespace, helm home); uninstalls afterwards.

    The CRDs exist beforehand (and are adopted): on a first install the chart runs a Job
    that waits until they are served, and envtest runs no pods."""
    yield real, namespace, f"{namespace}-pods", tmp_path / "helm"
    for major in MAJORS:
        helm(major, tmp_path / "helm").run(
            "uninstall", RELEASE, "--namespace", namespace, env=_env(real), check=False
        )


def _env(kube: Kube) -> dict[str, str]:
    return {"KUBECONFIG": str(kube.kubeconfig)}


def _adopt_crds(kube: Kube, namespace: str) -> None:
    """Let this release take over CRDs other tests (or an earlier release whose CRDs were
    kept) created: Helm adopts an object carrying its ownership label and annotations, as a
    user does after `kubectl apply -f crds/`."""
    extensions = kubernetes.client.ApiextensionsV1Api(kube.api)
    patch = {
        "metadata": {
            "labels": {"app.kubernetes.io/managed-by": "Helm"},
            "annotations": {
                "meta.helm.sh/release-name": RELEASE,
                "meta.helm.sh/release-namespace": namespace,
            },
        }
    }
    for path in sorted((CHART.parents[1] / "crds").glob("*.yaml")):
        name = yaml.safe_load(path.read_text())["metadata"]["name"]
        try:
            extensions.patch_custom_resource_definition(name, patch)
        except ApiException as error:
            if error.status != 404:
                raise


def _install(tool: Helm, kube: Kube, namespace: str, pods: str, *args: str) -> str:
    _adopt_crds(kube, namespace)
    result = tool.run(
        "upgrade",
        "--install",
        RELEASE,
        str(CHART),
        "--namespace",
        namespace,
        "--set",
        f"testPods.namespace={pods}",
        *args,
        env=_env(kube),
    )
    return result.stdout


def _prowconfig(kube: Kube, namespace: str) -> dict[str, Any]:
    body: Any = kubernetes.client.CustomObjectsApi(kube.api).get_namespaced_custom_object(
        GROUP, VERSION, namespace, "prowconfigs", "bowsprit"
    )
    spec: dict[str, Any] = body["spec"]
    return spec


@pytest.mark.parametrize("major", MAJORS)
def test_install_upgrade_uninstall(release: tuple[Kube, str, str, Path], major: str) -> None:
    kube, namespace, pods, home = release
    tool = helm(major, home)
    notes = _install(tool, kube, namespace, pods)
    assert "Configure it on GitHub" in notes
    apps = kubernetes.client.AppsV1Api(kube.api)
    names = {item.metadata.name for item in apps.list_namespaced_deployment(namespace).items}
    assert names == {
        f"{RELEASE}-{c}"
        for c in (
            "plank",
            "horologium",
            "sinker",
            "crier",
            "hook",
            "status-reconciler",
            "ghproxy",
            "tide",
            "deck",
        )
    }
    spec = _prowconfig(kube, namespace)
    assert (spec["prowjob_namespace"], spec["pod_namespace"]) == (namespace, pods)
    assert spec["plank"]["max_concurrency"] == 0

    # The GitOps job repository, as Argo CD or Flux would apply it.
    kubectl(kube, "apply", "-k", str(CHART / "examples" / "jobs"), "-n", namespace)
    assert "echo-hi" in kubectl(kube, "get", "periodics", "-n", namespace, "-o", "name")

    _install(tool, kube, namespace, pods, "--set", "config.plank.maxConcurrency=5")
    assert _prowconfig(kube, namespace)["plank"]["max_concurrency"] == 5

    tool.run("uninstall", RELEASE, "--namespace", namespace, env=_env(kube))
    assert not apps.list_namespaced_deployment(namespace).items
    # crds.keep: the CRDs, and so the job definitions, outlive the release.
    assert "echo-hi" in kubectl(kube, "get", "periodics", "-n", namespace, "-o", "name")
    # envtest never finishes deleting a namespace: remove the jobs so no later test's
    # cluster-wide horologium sees them.
    kubectl(kube, "delete", "-k", str(CHART / "examples" / "jobs"), "-n", namespace)


def _token_kubeconfig(kube: Kube, namespace: str, account: str, path: Path) -> Path:
    """A kubeconfig that acts as the ServiceAccount (a TokenRequest, as the kubelet mounts)."""
    core = kubernetes.client.CoreV1Api(kube.api)
    request = core.create_namespaced_service_account_token(
        account, namespace, {"spec": {"expirationSeconds": 3600}}
    )
    config = yaml.safe_load(kube.kubeconfig.read_text())
    for user in config["users"]:
        user["user"] = {"token": request.status.token}
    path.write_text(yaml.safe_dump(config))
    return path


def _as(kube: Kube, namespace: str, component: str, tmp_path: Path) -> list[str]:
    kubeconfig = _token_kubeconfig(
        kube, namespace, f"{RELEASE}-{component}", tmp_path / f"{component}.kubeconfig"
    )
    return component_argv(kube, component, namespace, kubeconfig)


def test_operators_work_with_exactly_the_chart_rbac(
    release: tuple[Kube, str, str, Path], tmp_path: Path
) -> None:
    kube, namespace, pods, home = release
    if kube.name != "envtest":
        pytest.skip("runs the operators locally with the chart's tokens; on envtest only")
    _install(helm("v4", home), kube, namespace, pods)
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    objects.create_namespaced_custom_object(
        GROUP,
        VERSION,
        namespace,
        "periodics",
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "Periodic",
            "metadata": {"name": PERIODIC},
            "spec": {"interval": "1h", "pod_spec": BUSYBOX},
        },
    )
    # A refusal is often only a warning that kopf retries: none may appear at all.
    forbidden = ("Forbidden", "forbidden", "Not enough permissions")
    with (
        operator_process(_as(kube, namespace, "horologium", tmp_path), forbidden=forbidden),
        operator_process(_as(kube, namespace, "plank", tmp_path), forbidden=forbidden),
        operator_process(_as(kube, namespace, "sinker", tmp_path), forbidden=forbidden),
    ):
        run = wait_for(
            lambda: _runs(objects, namespace),
            timeout=60,
            what=f"horologium to start {PERIODIC}'s run",
        )[0]
        name = run["metadata"]["name"]
        core = kubernetes.client.CoreV1Api(kube.api)
        wait_for(lambda: _exists(core, pods, name), timeout=60, what="plank to create the pod")
        kubelet = TestKubelet(kube.api)
        kubelet.start(pods, name)
        kubelet.finish(pods, name, 0)
        wait_for(
            lambda: _state(objects, namespace, name) == "success",
            timeout=60,
            what=f"{name} to succeed",
        )
    # envtest never finishes deleting a namespace: later tests' horologium must not see it.
    objects.delete_namespaced_custom_object(GROUP, VERSION, namespace, "periodics", PERIODIC)


def test_tide_works_with_exactly_the_chart_rbac(
    release: tuple[Kube, str, str, Path], tmp_path: Path
) -> None:
    """tide as its ServiceAccount: watches TidePools, job definitions and ProwJobs,
    starts a batch in the ProwJob namespace and writes the pool's status."""
    kube, namespace, pods, home = release
    if kube.name != "envtest":
        pytest.skip("runs tide locally with the chart's token; on envtest only")
    _install(helm("v4", home), kube, namespace, pods)
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    for plural, kind, name, spec in (
        ("tidepools", "TidePool", "chart-rbac", {"repos": ["rbac/r"], "labels": ["lgtm"]}),
        (
            "blockingpresubmits",
            "BlockingPresubmit",
            "chart-rbac-unit",
            {"org": "rbac", "repo": "r", "always_run": True, "pod_spec": BUSYBOX},
        ),
    ):
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": kind, "metadata": {"name": name}}
        objects.create_namespaced_custom_object(
            GROUP, VERSION, namespace, plural, {**body, "spec": spec}
        )
    token = tmp_path / "github-token"
    token.write_text("t")
    forbidden = ("Forbidden", "forbidden", "Not enough permissions")
    # Real git: tide merges a batch's candidates in a clone before starting it.
    remote = Remote(tmp_path / "git", "rbac", "r")
    remote.commit({"README": "base"}, branch="master")
    with FakeGitHub() as github:
        github.add_repo("rbac", "r", {"master": remote.head("master")})
        for number in (1, 2):
            sha = remote.pull_request(number, {f"{number}.go": "change"}, base="master")
            github.add_pull("rbac/r", number, "alice", sha, base="master", labels=["lgtm"])
            passed = CommitStatus("chart-rbac-unit", "success", "", None, "bot", github.now())
            github.repos["rbac/r"].statuses[sha] = [passed]
        argv = [
            *_as(kube, namespace, "tide", tmp_path),
            f"--github-endpoint={github.url}",
            f"--github-token-path={token}",
            f"--git-url-template={(tmp_path / 'git').as_uri()}/remotes/{{org}}/{{repo}}.git",
            f"--git-work-dir={tmp_path / 'tide-git'}",
        ]
        with operator_process(argv, forbidden=forbidden):
            wait_for(
                lambda: (
                    objects.get_namespaced_custom_object(
                        GROUP, VERSION, namespace, "tidepools", "chart-rbac"
                    ).get("status")
                    or {}
                ).get("lastSyncTime"),
                timeout=60,
                what="tide to sync the pool and record it",
            )
            batch = wait_for(
                lambda: [
                    job
                    for job in objects.list_namespaced_custom_object(
                        GROUP, VERSION, namespace, "prowjobs"
                    )["items"]
                    if job["spec"]["type"] == "batch"
                ],
                timeout=60,
                what="tide to start a batch",
            )[0]
            assert [p["number"] for p in batch["spec"]["refs"]["pulls"]] == [1, 2]
    for plural, name in (("tidepools", "chart-rbac"), ("blockingpresubmits", "chart-rbac-unit")):
        objects.delete_namespaced_custom_object(GROUP, VERSION, namespace, plural, name)


def _runs(objects: Any, namespace: str) -> list[dict[str, Any]]:
    listed = objects.list_namespaced_custom_object(
        GROUP, VERSION, namespace, "prowjobs", label_selector=f"bowsprit.dev/periodic={PERIODIC}"
    )
    items: list[dict[str, Any]] = listed["items"]
    return items


def _exists(core: Any, namespace: str, name: str) -> bool:
    return bool(core.list_namespaced_pod(namespace, field_selector=f"metadata.name={name}").items)


def _state(objects: Any, namespace: str, name: str) -> str | None:
    body = objects.get_namespaced_custom_object(GROUP, VERSION, namespace, "prowjobs", name)
    state: str | None = (body.get("status") or {}).get("state")
    return state


def test_jobs_run_in_the_installed_chart(release: tuple[Kube, str, str, Path]) -> None:
    kube, namespace, pods, home = release
    if kube.name != "cluster":
        pytest.skip("needs a cluster that runs pods (BOWSPRIT_E2E_KUBECONFIG)")
    image = os.environ.get("BOWSPRIT_E2E_IMAGE")
    if not image:
        pytest.skip("BOWSPRIT_E2E_IMAGE names no image the cluster can run (see README)")
    repository, _, tag = image.rpartition(":")
    # Components whose command does not exist in this version would never become ready.
    missing = [f"--set={key}.enabled=false" for key in ("crier", "hook") if key not in BUILT]
    tool = helm("v4", home)
    _install(
        tool,
        kube,
        namespace,
        pods,
        "--set",
        f"global.image.repository={repository}",
        "--set",
        f"global.image.tag={tag}",
        *missing,
        "--wait",
        "--timeout",
        "5m",
    )
    tool.run("test", RELEASE, "--namespace", namespace, "--timeout", "3m", env=_env(kube))
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    objects.create_namespaced_custom_object(
        GROUP,
        VERSION,
        namespace,
        "prowjobs",
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ProwJob",
            "metadata": {"name": "echo-hi-once"},
            "spec": {"type": "periodic", "job": "echo-hi", "pod_spec": BUSYBOX},
        },
    )
    wait_for(
        lambda: _state(objects, namespace, "echo-hi-once") == "success",
        timeout=300,
        what="echo-hi-once to succeed in the cluster",
    )
    log = kubectl(kube, "logs", "--namespace", pods, "echo-hi-once")
    assert log.strip() == "hi"


def test_every_component_and_option_is_accepted_by_the_api_server(
    release: tuple[Kube, str, str, Path],
) -> None:
    """The all-components scenario, installed: the real API server validates every object
    (not only against the OpenAPI schema, as kubernetes-validate does offline)."""
    kube, namespace, pods, home = release
    _install(
        helm("v4", home),
        kube,
        namespace,
        pods,
        "--values",
        str(CHART / "ci" / "all-components-values.yaml"),
        # Kinds of operators the API server does not serve here, and a namespace it has.
        "--set",
        "metrics.serviceMonitor.enabled=false",
        "--set",
        "httpRoute.enabled=false",
        "--set",
        f"config.prowjobNamespace={namespace}",
    )
    apps = kubernetes.client.AppsV1Api(kube.api)
    assert len(apps.list_namespaced_deployment(namespace).items) == 9
    policies = kubernetes.client.PolicyV1Api(kube.api)
    assert len(policies.list_namespaced_pod_disruption_budget(namespace).items) == 2
    networking = kubernetes.client.NetworkingV1Api(kube.api)
    assert len(networking.list_namespaced_ingress(namespace).items) == 1


def _deck_argv(kube: Kube, namespace: str, tmp_path: Path, port: int) -> list[str]:
    kubeconfig = _token_kubeconfig(kube, namespace, f"{RELEASE}-deck", tmp_path / "deck.kubeconfig")
    return [
        sys.executable,
        "-m",
        "bowsprit",
        "deck",
        "--kubeconfig",
        str(kubeconfig),
        "--config-namespace",
        namespace,
        "--port",
        str(port),
        "--metrics-port",
        "0",
    ]


def test_deck_reruns_and_aborts_with_exactly_the_chart_rbac(
    release: tuple[Kube, str, str, Path], tmp_path: Path
) -> None:
    kube, namespace, pods, home = release
    if kube.name != "envtest":
        pytest.skip("runs deck locally with the chart's token; on envtest only")
    _install(helm("v4", home), kube, namespace, pods)
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    anyone = {"spec": {"deck": {"rerun_auth_configs": {"*": {"allow_anyone": True}}}}}
    objects.patch_namespaced_custom_object(
        GROUP, VERSION, namespace, "prowconfigs", "bowsprit", anyone
    )
    job = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": "deck-rbac"},
        "spec": {"type": "periodic", "job": "deck-rbac", "pod_spec": BUSYBOX},
    }
    objects.create_namespaced_custom_object(GROUP, VERSION, namespace, "prowjobs", job)
    objects.patch_namespaced_custom_object_status(
        GROUP, VERSION, namespace, "prowjobs", "deck-rbac", {"status": {"state": "pending"}}
    )
    port = envtest.free_port()
    forbidden = ("Forbidden", "forbidden")
    with (
        operator_process(_deck_argv(kube, namespace, tmp_path, port), forbidden=forbidden),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as browser,
    ):
        page = wait_for(
            lambda: _page(browser, "/abort?prowjob=deck-rbac"), timeout=60, what="deck to serve"
        )
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None, page
        for action in ("rerun", "abort"):
            done = browser.post(f"/{action}?prowjob=deck-rbac", data={"csrf": token.group(1)})
            assert done.status_code == 303, done.text
    assert _state(objects, namespace, "deck-rbac") == "aborted"
    reruns = [
        item
        for item in objects.list_namespaced_custom_object(GROUP, VERSION, namespace, "prowjobs")[
            "items"
        ]
        if (item["metadata"].get("annotations") or {}).get("bowsprit.dev/rerun-of") == "deck-rbac"
    ]
    assert len(reruns) == 1


def _page(browser: httpx.Client, path: str) -> str | None:
    try:
        response = browser.get(path)
    except httpx.TransportError:
        return None
    return response.text if response.status_code == 200 else None
