"""deck with many ProwJobs: job list and /prowjobs.js times, answer sizes and memory.

The emulator runs in its own process, `bowsprit deck` in another; N ProwJobs (a mix of
states, repositories, authors and pull requests, each with a pod spec and decoration) are
created first, then deck starts and lists them once through its watch-backed cache. The
job list (`/`, unfiltered and filtered), its poll (`/joblist.json`, unchanged and changed)
and `/prowjobs.js` (full and with Prow's usual omit) are each fetched R times in a row;
prints p50/p99 of the round trip over loopback (deck's own time plus a few hundred µs of
HTTP), the answers' sizes, deck's RSS before and after, and how long its first list took.
Asserts nothing.

    python hack/bench/deck.py [--jobs 10000] [--requests 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import kubernetes
import yaml
from procstats import rss_mb  # type: ignore[import-not-found]

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.kube import load_configuration
from bowsprit.testing.envtest import free_port
from emulator import start_emulator  # type: ignore[import-not-found]

REPO = Path(__file__).resolve().parents[2]
STATES = ("success", "success", "success", "failure", "pending", "triggered", "aborted", "error")
NAMESPACE = "bench"


def setup(api: kubernetes.client.ApiClient) -> None:
    extensions = kubernetes.client.ApiextensionsV1Api(api)
    for path in sorted((REPO / "crds").glob("*.yaml")):
        extensions.create_custom_resource_definition(yaml.safe_load(path.read_text()))
    kubernetes.client.CoreV1Api(api).create_namespace(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
    )
    kubernetes.client.CustomObjectsApi(api).create_namespaced_custom_object(
        GROUP,
        VERSION,
        NAMESPACE,
        "prowconfigs",
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ProwConfig",
            "metadata": {"name": "bowsprit"},
            "spec": {"prowjob_namespace": NAMESPACE},
        },
    )


def prowjob(index: int) -> dict[str, Any]:
    org, repo = f"org{index % 5}", f"repo{index % 20}"
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {
            "name": f"pj-{index:06d}",
            "labels": {"prow.k8s.io/job": f"pull-unit-{index % 50}", "created-by-prow": "true"},
            "annotations": {"prow.k8s.io/job": f"pull-unit-{index % 50}"},
        },
        "spec": {
            "type": "presubmit",
            "job": f"pull-unit-{index % 50}",
            "report": True,
            "context": f"pull-unit-{index % 50}",
            "refs": {
                "org": org,
                "repo": repo,
                "base_ref": "main",
                "base_sha": f"{index:040x}",
                "pulls": [
                    {
                        "number": index % 400,
                        "author": f"dev{index % 30}",
                        "sha": f"{index + 1:040x}",
                    }
                ],
            },
            "pod_spec": {
                "containers": [
                    {
                        "image": "golang:1.23",
                        "command": ["make", "test"],
                        "env": [{"name": "A", "value": "b"}] * 5,
                    }
                ]
            },
            "decoration_config": {
                "timeout": "2h",
                "utility_images": {
                    k: "bowsprit" for k in ("clonerefs", "initupload", "entrypoint", "sidecar")
                },
                "gcs_configuration": {"bucket": "s3://logs", "path_strategy": "explicit"},
            },
        },
    }


def create_all(api: kubernetes.client.ApiClient, count: int) -> None:
    objects = kubernetes.client.CustomObjectsApi(api)

    def one(index: int) -> None:
        objects.create_namespaced_custom_object(
            GROUP, VERSION, NAMESPACE, "prowjobs", prowjob(index)
        )
        state = STATES[index % len(STATES)]
        status: dict[str, Any] = {
            "state": state,
            "startTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_780_000_000 + index)),
            "build_id": str(1_800_000_000_000_000_000 + index),
            "url": f"/view/s3/logs/pr-logs/pull/x/{index}",
        }
        if state not in ("pending", "triggered"):
            status["completionTime"] = time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_780_000_600 + index)
            )
        objects.patch_namespaced_custom_object_status(
            GROUP, VERSION, NAMESPACE, "prowjobs", f"pj-{index:06d}", {"status": status}
        )

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(count)))


def timed(client: httpx.Client, path: str, requests: int) -> tuple[float, float, int]:
    times, size = [], 0
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        response.raise_for_status()
        size = len(response.content)
    times.sort()
    return (
        statistics.median(times) * 1000,
        times[int(len(times) * 0.99) - 1 if len(times) >= 100 else -1] * 1000,
        size,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        emulator, _ = start_emulator(Path(folder))
        kubeconfig = Path(folder) / "kubeconfig"
        api = kubernetes.client.ApiClient(load_configuration(str(kubeconfig)))
        try:
            setup(api)
            started = time.monotonic()
            create_all(api, args.jobs)
            print(f"created {args.jobs} ProwJobs in {time.monotonic() - started:.1f} s")
            port = free_port()
            deck = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bowsprit",
                    "deck",
                    "--kubeconfig",
                    str(kubeconfig),
                    "--config-namespace",
                    NAMESPACE,
                    "--port",
                    str(port),
                    "--metrics-port",
                    "0",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                run(deck, port, args, api)
            finally:
                deck.terminate()
                deck.wait(30)
        finally:
            api.close()
            emulator.terminate()
            emulator.wait(30)


def run(deck: subprocess.Popen[bytes], port: int, args: argparse.Namespace, api: Any) -> None:
    started = time.monotonic()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        while True:
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        took = time.monotonic() - started
        print(f"deck up (its first list of {args.jobs} ProwJobs included) in {took:.1f} s")
        print(f"deck RSS: {rss_mb(deck.pid):.0f} MB")
        version = client.get("/joblist.json").json()["version"]
        cases = [
            ("/ (newest 500 of all)", "/"),
            ("/?state=failure&repo=org1/repo1", "/?state=failure&repo=org1/repo1"),
            ("/joblist.json unchanged", f"/joblist.json?v={version}"),
            ("/joblist.json changed", "/joblist.json?v=0"),
            ("/prowjobs.js", "/prowjobs.js"),
            (
                "/prowjobs.js?omit=...",
                "/prowjobs.js?omit=annotations,labels,decoration_config,pod_spec",
            ),
            ("/badge.svg?jobs=pull-*", "/badge.svg?jobs=pull-*"),
        ]
        print(f"{'request':40} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>11}")
        for label, path in cases:
            requests = (
                max(args.requests // 5, 3) if path.startswith("/prowjobs.js") else args.requests
            )
            p50, p99, size = timed(client, path, requests)
            print(f"{label:40} {p50:8.1f} {p99:8.1f} {size:11,d}")
        print(f"deck RSS after: {rss_mb(deck.pid):.0f} MB (cpus: {os.cpu_count()}, shared machine)")


if __name__ == "__main__":
    main()
