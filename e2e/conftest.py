"""The three targets every API-level test runs against.

1. `emulator`: Bowsprit's Kubernetes API emulator (always).
2. `envtest`: a kube-apiserver + etcd started here from KUBEBUILDER_ASSETS
   (export KUBEBUILDER_ASSETS=$(../shared/envtest/setup)); skipped when unset.
3. `cluster`: the cluster of BOWSPRIT_E2E_KUBECONFIG; skipped when unset.

The same test must pass on all three: when they disagree, the real API server is right.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import kubernetes
import pytest
import yaml
from kubernetes.client.exceptions import ApiException

from bowsprit.clients.kube import load_configuration
from bowsprit.emulator import Emulator
from bowsprit.testing import envtest

REPO = Path(__file__).resolve().parent.parent
TARGETS = ("emulator", "envtest", "cluster")


@dataclass(frozen=True)
class Kube:
    """A reachable API server: its kubeconfig, a client, kubectl, and what it runs."""

    name: str
    kubeconfig: Path
    api: kubernetes.client.ApiClient
    kubectl: Path | None
    # A real cluster runs kube-controller-manager; envtest has no garbage collector.
    garbage_collector: bool
    emulator: Emulator | None = None


def _kubectl() -> Path | None:
    assets = envtest.assets_dir()
    if assets is not None:
        return assets / "kubectl"
    found = shutil.which("kubectl")
    return Path(found) if found else None


@pytest.fixture(scope="session", params=TARGETS)
def kube(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Kube]:
    if request.param == "emulator":
        with Emulator(bookmark_interval=1.0) as emulator:
            path = emulator.write_kubeconfig(tmp_path_factory.mktemp("emulator") / "kubeconfig")
            api = kubernetes.client.ApiClient(load_configuration(str(path)))
            yield Kube("emulator", path, api, _kubectl(), True, emulator)
            api.close()
        return
    if request.param == "cluster":
        kubeconfig = os.environ.get("BOWSPRIT_E2E_KUBECONFIG")
        if not kubeconfig:
            pytest.skip("BOWSPRIT_E2E_KUBECONFIG is not set")
        api = kubernetes.client.ApiClient(load_configuration(kubeconfig))
        yield Kube("cluster", Path(kubeconfig), api, _kubectl(), True)
        api.close()
        return
    assets = envtest.assets_dir()
    if assets is None and os.environ.get(envtest.ASSETS_VARIABLE):
        pytest.fail(f"{envtest.ASSETS_VARIABLE} does not hold {', '.join(envtest.BINARIES)}")
    if assets is None:
        pytest.skip("no envtest binaries: export KUBEBUILDER_ASSETS=$(../shared/envtest/setup)")
    plane = envtest.start(assets)
    api = kubernetes.client.ApiClient(load_configuration(str(plane.kubeconfig)))
    try:
        yield Kube("envtest", plane.kubeconfig, api, plane.kubectl, False)
    finally:
        api.close()
        plane.stop()


@pytest.fixture(scope="session")
def crds(kube: Kube) -> Iterator[None]:
    """Install (or update) every CRD from crds/ and wait until each is Established."""
    extensions = kubernetes.client.ApiextensionsV1Api(kube.api)
    names = []
    for path in sorted((REPO / "crds").glob("*.yaml")):
        body = yaml.safe_load(path.read_text())
        names.append(body["metadata"]["name"])
        try:
            extensions.create_custom_resource_definition(body)
        except ApiException as error:
            if error.status != 409:
                raise
            current = extensions.read_custom_resource_definition(body["metadata"]["name"])
            body["metadata"]["resourceVersion"] = current.metadata.resource_version
            extensions.replace_custom_resource_definition(body["metadata"]["name"], body)
    deadline = time.monotonic() + 30
    pending = set(names)
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            conditions = extensions.read_custom_resource_definition(name).status.conditions or []
            if any(c.type == "Established" and c.status == "True" for c in conditions):
                pending.discard(name)
        if pending:
            time.sleep(0.1)
    assert not pending, f"CRDs not established: {pending}"
    yield


def kubectl(kube: Kube, *args: str, stdin: str | None = None) -> str:
    """Run kubectl against the target; fail with its stderr, skip when there is no kubectl."""
    if kube.kubectl is None:
        pytest.skip("no kubectl")
    result = subprocess.run(
        [str(kube.kubectl), "--kubeconfig", str(kube.kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
    )
    assert result.returncode == 0, f"kubectl {' '.join(args)}: {result.stderr}"
    return result.stdout


def prow_config(kube: Kube, namespace: str, **spec: object) -> None:
    """A ProwConfig named bowsprit in `namespace` whose jobs and pods live there too."""
    kubernetes.client.CustomObjectsApi(kube.api).create_namespaced_custom_object(
        "bowsprit.dev",
        "v1",
        namespace,
        "prowconfigs",
        {
            "apiVersion": "bowsprit.dev/v1",
            "kind": "ProwConfig",
            "metadata": {"name": "bowsprit"},
            "spec": {"prowjob_namespace": namespace, "pod_namespace": namespace, **spec},
        },
    )


@contextlib.contextmanager
def operator_process(
    argv: list[str], env: dict[str, str] | None = None, forbidden: tuple[str, ...] = ()
) -> Iterator[None]:
    """An operator as its own process (never a thread of the test process, whose sockets
    would outlive the test). Stopped with SIGTERM, which it must survive with exit status 0
    and a log without errors (nor any of the `forbidden` texts): kopf logs and retries many
    failures instead of exiting."""
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    # Read while it runs: an operator watching a busy API server cluster-wide logs more
    # than a pipe holds, and would block on its next log line (tide once stopped syncing
    # so in the full suite on envtest).
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    try:
        _wait_healthy(process, argv, lines)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
        output = "".join(lines)
        # Shown by pytest with a failing test, whatever failed: the operator's side of it.
        print(f"--- {' '.join(argv[2:4])} output ---\n{output}")
    assert process.returncode == 0, output
    assert "Traceback" not in output and " ERROR " not in output, output
    for text in forbidden:
        assert text not in output, output


def _wait_healthy(process: subprocess.Popen[str], argv: list[str], lines: list[str]) -> None:
    """Until the operator answers /healthz on its --health-port (kopf answers once the
    startup handlers are done and its watches start): a test acting before then races
    the operator's start, which a loaded machine makes seconds long (crier once came up
    after plank had made the jobs pending, and never saw them triggered)."""
    if "--health-port" not in argv:
        return
    url = f"http://127.0.0.1:{argv[argv.index('--health-port') + 1]}/healthz"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None:
            return  # ended at start: the exit status and output checks say why
        if time.monotonic() > deadline:
            raise AssertionError(f"{' '.join(argv[2:4])} not healthy after 90 s:\n{''.join(lines)}")
        time.sleep(0.05)


def component_argv(
    kube: Kube, component: str, config_namespace: str, kubeconfig: Path | None = None
) -> list[str]:
    """The command line of `bowsprit <component>` against the target (as the identity of
    `kubeconfig` when given, else the target's admin)."""
    return [
        sys.executable,
        "-m",
        "bowsprit",
        component,
        "--kubeconfig",
        str(kubeconfig or kube.kubeconfig),
        "--config-namespace",
        config_namespace,
        "--standalone",
        "--metrics-port",
        "0",
        "--health-port",
        str(envtest.free_port()),
    ]


def running(
    kube: Kube, component: str, config_namespace: str
) -> contextlib.AbstractContextManager[None]:
    """`bowsprit <component>` as a process against the target."""
    return operator_process(component_argv(kube, component, config_namespace))


@pytest.fixture
def namespace(kube: Kube) -> Iterator[str]:
    """A fresh namespace, deleted after the test."""
    name = f"e2e-{uuid.uuid4().hex[:10]}"
    core = kubernetes.client.CoreV1Api(kube.api)
    core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    yield name
    core.delete_namespace(name)
