"""Memory of the operators with 0, 1,000 and 10,000 ProwJobs in the cluster.

For each size, in one run against the emulator or (--api-server envtest) a real
kube-apiserver: the ProwJobs are created (runs of 50 Periodics, half of them finished), then crier,
sinker, horologium and plank are started one at a time as their own processes; each one's
RSS is read once it has gone through every ProwJob (it has run MIN_SECONDS and its CPU
time has stopped growing), beside a bare Python process importing kopf and the Kubernetes
client (the same-run baseline). Each figure is "RSS then/peak RSS" (VmHWM). Prints
figures; asserts nothing (the project's target: <= 120 MB each at 10,000).

    python hack/bench/memory.py [--sizes 0,1000,10000] [--api-server emulator|envtest]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import kubernetes
from procstats import cpu_seconds, rss_mb  # type: ignore[import-not-found]
from servers import api_server  # type: ignore[import-not-found]

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.kube import load_configuration
from bowsprit.horologium.build import PERIODIC_LABEL, PERIODIC_NAMESPACE_LABEL
from bowsprit.testing.fakegithub import FakeGitHub
from plank import setup  # type: ignore[import-not-found]

COMPONENTS = ("crier", "sinker", "horologium", "plank")
BARE = "import kopf, kubernetes, time; print('ready', flush=True); time.sleep(600)"
POD = {"containers": [{"name": "test", "image": "busybox"}], "restartPolicy": "Never"}
SETTLE_SECONDS = 3.0  # CPU time unchanged this long: the process has gone through its input
# ...but never sooner: a 10,000-object list from a busy API server takes seconds in which
# the process waits without using CPU (read as settled, it gave figures from before it).
MIN_SECONDS = 20.0
SETTLE_DEADLINE = 300.0


def prowjob(index: int) -> dict[str, Any]:
    status: dict[str, Any] = {"state": "triggered", "startTime": "2026-01-01T00:00:00Z"}
    if index % 2:
        status = {
            "state": "success",
            "startTime": "2026-01-01T00:00:00Z",
            "completionTime": "2026-01-01T00:01:00Z",
        }
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {
            "name": f"job-{index}",
            # Labelled as horologium labels its runs, so horologium follows every one.
            "labels": {PERIODIC_LABEL: f"bench-{index % 50}", PERIODIC_NAMESPACE_LABEL: "bench"},
        },
        "spec": {"type": "periodic", "job": f"bench-{index % 50}", "pod_spec": POD},
        "status": status,
    }


def create(api: kubernetes.client.ApiClient, start: int, stop: int) -> None:
    objects = kubernetes.client.CustomObjectsApi(api)

    def one(index: int) -> None:
        body = prowjob(index)
        status = body["status"]
        created = objects.create_namespaced_custom_object(GROUP, VERSION, "bench", "prowjobs", body)
        if created.get("status") != status:  # the status subresource ignores it on create
            objects.patch_namespaced_custom_object_status(
                GROUP, VERSION, "bench", "prowjobs", body["metadata"]["name"], {"status": status}
            )

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(start, stop)))


def settled_rss(process: subprocess.Popen[str]) -> tuple[float, float]:
    """RSS and peak RSS once the process has run MIN_SECONDS and its CPU time has stopped
    growing (deadline SETTLE_DEADLINE)."""
    began = time.monotonic()
    deadline = began + SETTLE_DEADLINE
    last, since = cpu_seconds(process.pid), began
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(process.pid)
        if now - last > 0.02:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= SETTLE_SECONDS and time.monotonic() - began >= MIN_SECONDS:
            break
    return rss_mb(process.pid), rss_mb(process.pid, "VmHWM")


def start(argv: list[str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Keep draining its log so it never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    return process


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def component_argv(component: str, kubeconfig: Path, github: str, token: Path) -> list[str]:
    argv = [sys.executable, "-m", "bowsprit", component, "--kubeconfig", str(kubeconfig)]
    argv += ["--config-namespace", "bench", "--standalone"]
    # A port of its own: kopf reads port 0 as "the default", 80, which a second run of
    # this bench (the other API server) would also take, and one of them fails to start.
    argv += ["--metrics-port", "0", "--health-port", str(free_port())]
    if component == "crier":
        argv += ["--github-endpoint", github, "--github-token-path", str(token)]
        argv += ["--github-workers", "4"]
    return argv


def measure(argv: list[str]) -> tuple[float, float]:
    process = start(argv)
    try:
        figures = settled_rss(process)
        if process.poll() is not None:
            raise SystemExit(f"{' '.join(argv)} exited with {process.returncode}")
        return figures
    finally:
        process.terminate()
        process.wait(30)


def run(folder: Path, kind: str, sizes: list[int]) -> None:
    token = folder / "token"
    token.write_text("bench-token\n")
    with api_server(kind, folder) as kubeconfig, FakeGitHub() as fake:
        github = fake.url
        api = kubernetes.client.ApiClient(load_configuration(str(kubeconfig)))
        setup(api)
        made = 0
        print(f"RSS/peak RSS in MB ({kind}); bare = python importing kopf and kubernetes, idle")
        print(f"{'ProwJobs':>9} {'bare':>9} " + " ".join(f"{c:>10}" for c in COMPONENTS))
        for size in sizes:
            create(api, made, size)
            made = max(made, size)
            bare = measure([sys.executable, "-c", BARE])
            figures = [measure(component_argv(c, kubeconfig, github, token)) for c in COMPONENTS]
            cells = [f"{now:.0f}/{peak:.0f}" for now, peak in [bare, *figures]]
            print(f"{size:>9,} {cells[0]:>9} " + " ".join(f"{cell:>10}" for cell in cells[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0,1000,10000")
    parser.add_argument("--api-server", choices=["emulator", "envtest"], default="emulator")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    with tempfile.TemporaryDirectory() as folder:
        run(Path(folder), args.api_server, sizes)


if __name__ == "__main__":
    main()
