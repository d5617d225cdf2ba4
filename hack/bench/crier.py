"""crier throughput: finished ProwJobs → commit statuses (and failure comments) in GitHub.

N presubmits on 50 pull requests are created and finished (one in ten failing) before
`bowsprit crier` starts against the emulator (own process) and the fake GitHub (this
process): timed is crier from start to every job's report recorded in
prev_report_states, with the GitHub calls it made and its memory. Prints; asserts nothing.
As measured, every job existed before crier started, so every report is first checked
against the commit's statuses (a lost record is never reported twice): the worst case.

    python hack/bench/crier.py [--jobs 1000] [--workers 8]
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import kubernetes
from procstats import cpu_seconds, rss_mb  # type: ignore[import-not-found]

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.kube import load_configuration
from bowsprit.testing.fakegithub import FakeGitHub
from emulator import start_emulator  # type: ignore[import-not-found]
from plank import count_events, setup  # type: ignore[import-not-found]

PULLS = 50
POD = {"containers": [{"name": "test", "image": "busybox"}]}


def head(pull: int) -> str:
    return f"{pull:040x}"


def presubmit(index: int) -> dict[str, Any]:
    pull = index % PULLS + 1
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": f"job-{index}", "labels": {"prow.k8s.io/is-optional": "false"}},
        "spec": {
            "type": "presubmit",
            "job": f"bench-{index // PULLS}",
            "context": f"bench-{index // PULLS}",
            "report": True,
            "rerun_command": f"/test bench-{index // PULLS}",
            "refs": {
                "org": "org",
                "repo": "repo",
                "base_ref": "main",
                "base_sha": "a" * 40,
                "pulls": [{"number": pull, "author": "alice", "sha": head(pull)}],
            },
            "pod_spec": POD,
        },
    }


def start_crier(kubeconfig: Path, github: FakeGitHub, token: Path, workers: int) -> Any:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bowsprit",
            "crier",
            "--kubeconfig",
            str(kubeconfig),
            "--config-namespace",
            "bench",
            "--standalone",
            "--metrics-port",
            "0",
            "--health-port",
            "0",
            "--github-workers",
            str(workers),
            "--github-endpoint",
            github.url,
            "--github-token-path",
            str(token),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "crier started" in line:
            break
    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    return process


def run(kubeconfig: Path, folder: Path, jobs: int, workers: int) -> None:
    api = kubernetes.client.ApiClient(load_configuration(str(kubeconfig)))
    api.configuration.connection_pool_maxsize = 32
    objects = kubernetes.client.CustomObjectsApi(api)
    setup(api)

    def make(index: int) -> None:
        objects.create_namespaced_custom_object(
            GROUP, VERSION, "bench", "prowjobs", presubmit(index)
        )
        failed = index % 10 == 0
        objects.patch_namespaced_custom_object_status(
            GROUP,
            VERSION,
            "bench",
            "prowjobs",
            f"job-{index}",
            {
                "status": {
                    "state": "failure" if failed else "success",
                    "description": "Job failed." if failed else "Job succeeded.",
                    "completionTime": "2026-11-25T05:00:00Z",
                    "url": f"https://deck/view/{index}",
                }
            },
        )

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(make, range(jobs)))
    token = folder / "token"
    token.write_text("bench")
    with FakeGitHub() as github:
        github.add_repo("org", "repo", {"main": "a" * 40})
        for pull in range(1, PULLS + 1):
            github.add_pull("org/repo", pull, "alice", head(pull))
        recorded, recorded_at = count_events(
            api,
            objects.list_namespaced_custom_object,
            (GROUP, VERSION, "bench", "prowjobs"),
            lambda body: bool((body.get("status") or {}).get("prev_report_states")),
            jobs,
        )
        started = time.perf_counter()
        crier = start_crier(kubeconfig, github, token, workers)
        try:
            ready = time.perf_counter() - started
            recorded.join(600)
            elapsed = recorded_at[0] - started
            calls = collections.Counter(request.method for request in list(github.requests))
            print(
                f"crier ready after {ready:.2f} s; {jobs} jobs reported and recorded after "
                f"{elapsed:.2f} s: {jobs / (elapsed - ready):,.0f} jobs/s once ready "
                f"({workers} workers)"
            )
            print(
                f"GitHub calls: {sum(calls.values())} ({dict(calls)}); "
                f"statuses: {sum(len(s) for s in github.repos['org/repo'].statuses.values())}; "
                f"failure comments: "
                f"{sum(len(p.comments) for p in github.repos['org/repo'].pulls.values())}"
            )
            print(
                f"crier RSS: {rss_mb(crier.pid):.0f} MB with {jobs} ProwJobs; "
                f"CPU: {cpu_seconds(crier.pid):.1f} s"
            )
        finally:
            crier.terminate()
            crier.wait(30)
            api.close()


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(list(argv) if argv is not None else None)
    with tempfile.TemporaryDirectory() as folder:
        emulator, _ = start_emulator(Path(folder))
        try:
            run(Path(folder) / "kubeconfig", Path(folder), args.jobs, args.workers)
        finally:
            emulator.terminate()
            emulator.wait(30)


if __name__ == "__main__":
    main()
