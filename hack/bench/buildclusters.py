"""plank throughput with two build clusters versus one, in the same run.

Each scenario gets fresh emulators (each in its own process): N ProwJobs are created
before `bowsprit plank` starts, then the time until every job has its pod is measured
from plank being ready. "one": every pod in the control plane's cluster. "two": half the
jobs name the build cluster `build` (a second emulator), so plank creates and watches
pods on two API servers while it writes every status on the control plane. Prints both
rates, their ratio and plank's CPU per job; asserts nothing. The machine is shared: read
the ratio of the two (taken minutes apart), not the absolute rates.

    python hack/bench/buildclusters.py [--jobs 600] [--concurrency 16] [--rounds 1]
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import kubernetes
import yaml
from procstats import cpu_seconds  # type: ignore[import-not-found]

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.kube import load_configuration
from bowsprit.testing.buildclusters import write_kubeconfig_dir
from emulator import start_emulator  # type: ignore[import-not-found]
from plank import (  # type: ignore[import-not-found]
    POD,
    count_events,
    in_parallel,
    setup,
    start_plank,
)


def prowjob(index: int, cluster: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "periodic", "job": f"bench-{index % 50}", "pod_spec": POD}
    if cluster:
        spec["cluster"] = cluster
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": f"job-{index}"},
        "spec": spec,
    }


@contextlib.contextmanager
def emulators(count: int, folder: Path) -> Iterator[list[Path]]:
    processes: list[subprocess.Popen[str]] = []
    kubeconfigs = []
    try:
        for index in range(count):
            own = folder / f"emulator-{index}"
            own.mkdir()
            process, _ = start_emulator(own)
            processes.append(process)
            kubeconfigs.append(own / "kubeconfig")
        yield kubeconfigs
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)


def scenario(clusters: int, jobs: int, concurrency: int) -> tuple[float, float]:
    """(jobs/s from plank ready to every pod created, plank CPU ms per job)."""
    with tempfile.TemporaryDirectory() as name, emulators(clusters, Path(name)) as kcs:
        folder = Path(name)
        apis = [kubernetes.client.ApiClient(load_configuration(str(kc))) for kc in kcs]
        for api in apis:
            api.configuration.connection_pool_maxsize = concurrency * 2
        setup(apis[0])
        extra = []
        if clusters == 2:
            kubernetes.client.CoreV1Api(apis[1]).create_namespace(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}
            )
            build = yaml.safe_load(kcs[1].read_text())
            extra = [
                "--kubeconfig-dir",
                str(write_kubeconfig_dir(folder / "dir", {"build": build})),
            ]
        objects = kubernetes.client.CustomObjectsApi(apis[0])
        in_parallel(
            lambda i: objects.create_namespaced_custom_object(
                GROUP,
                VERSION,
                "bench",
                "prowjobs",
                prowjob(i, "build" if clusters == 2 and i % 2 else None),
            ),
            jobs,
            concurrency,
        )
        share = [jobs - jobs // 2, jobs // 2] if clusters == 2 else [jobs]
        watchers = [
            count_events(
                api,
                kubernetes.client.CoreV1Api(api).list_namespaced_pod,
                ("bench",),
                lambda _: True,
                expected,
            )
            for api, expected in zip(apis, share, strict=True)
        ]
        started = time.perf_counter()
        plank = start_plank(kcs[0], extra)
        try:
            ready = time.perf_counter()
            cpu = cpu_seconds(plank.pid)
            for thread, _ in watchers:
                thread.join(600)
            last = max(done[0] for _, done in watchers)
            rate = jobs / (last - ready)
            per_job = (cpu_seconds(plank.pid) - cpu) / jobs * 1000
            print(
                f"  {clusters} cluster(s): ready after {ready - started:.2f} s, all {jobs} pods "
                f"after {last - ready:.2f} s more: {rate:,.0f} jobs/s, {per_job:.2f} ms CPU/job"
            )
            return rate, per_job
        finally:
            plank.terminate()
            plank.wait(30)
            for api in apis:
                api.close()


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1, help="alternate one/two this often")
    args = parser.parse_args(list(argv) if argv is not None else None)
    one, two = [], []
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}:")
        one.append(scenario(1, args.jobs, args.concurrency)[0])
        two.append(scenario(2, args.jobs, args.concurrency)[0])
    best_one, best_two = max(one), max(two)
    print(
        f"best of {args.rounds}: one cluster {best_one:,.0f} jobs/s, two clusters "
        f"{best_two:,.0f} jobs/s ({best_two / best_one:.0%} of one)"
    )


if __name__ == "__main__":
    main()
