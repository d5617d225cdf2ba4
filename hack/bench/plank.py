"""plank throughput: ProwJobs → pods, and pods → finished jobs.

In one run, against the emulator or (--api-server envtest) a real kube-apiserver: the
API server's raw pod-create rate (N pods created directly, as concurrently as plank
creates them), plank's RSS with no ProwJob, then N ProwJobs created before `bowsprit
plank` starts: seconds until every job has its pod, then, once a test kubelet has
finished every pod, seconds until every job is success. Then, with plank stopped, the
same N ProwJobs in another namespace handled by a naive kopf operator (`naive_kopf.py`:
a sync handler, pod create + status patch), timed the same way, and the ratio plank /
naive. Prints the rates, each operator's CPU per job and memory, and with --profile
where plank's CPU went (py-spy); asserts nothing. The ratios (jobs→pods / raw pods,
plank / naive) are the figures that matter: absolute rates move with the machine's
load, the ratios much less.

    python hack/bench/plank.py [--jobs 1000] [--concurrency 16]
        [--api-server emulator|envtest] [--profile] [--no-naive]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import kubernetes
import yaml
from procstats import cpu_seconds, rss_mb  # type: ignore[import-not-found]
from servers import Profile, api_server  # type: ignore[import-not-found]

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.kube import load_configuration
from bowsprit.testing.kubelet import TestKubelet

REPO = Path(__file__).resolve().parents[2]
NAIVE = Path(__file__).resolve().parent / "naive_kopf.py"
POD = {"containers": [{"name": "test", "image": "busybox"}], "restartPolicy": "Never"}


def prowjob(index: int) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": f"job-{index}"},
        "spec": {"type": "periodic", "job": f"bench-{index % 50}", "pod_spec": POD},
    }


def count_events(
    api: kubernetes.client.ApiClient,
    list_call: Callable[..., Any],
    args: tuple[Any, ...],
    want: Callable[[dict[str, Any]], bool],
    expected: int,
) -> tuple[threading.Thread, list[float]]:
    """A watch in a thread; `done` gets the moment the first object matched, then
    (`done[-1]`) the moment `expected` distinct objects had."""
    done: list[float] = []

    def follow() -> None:
        seen: set[str] = set()
        while True:
            stream = kubernetes.watch.Watch().stream(
                list_call, *args, _preload_content=False, timeout_seconds=600
            )
            try:
                for event in stream:
                    body = event["raw_object"]
                    if want(body):
                        if not done:
                            done.append(time.perf_counter())
                        seen.add(body["metadata"]["name"])
                    if len(seen) >= expected:
                        done.append(time.perf_counter())
                        return
            except kubernetes.client.ApiException as error:
                # A loaded API server's watch cache can lag (504 "Too large resource
                # version"), and stay behind once writes stop (every new watch broke
                # the same way, 10,000 jobs done): a list, which falls back to etcd,
                # then a new watch.
                print(f"(watch broke: {error.status}; listing, then watching again)")
                listed = json.loads(list_call(*args, _preload_content=False).data)
                seen.update(item["metadata"]["name"] for item in listed["items"] if want(item))
                if len(seen) >= expected:
                    done.append(time.perf_counter())
                    return

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    return thread, done


def in_parallel(function: Callable[[int], object], count: int, concurrency: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(function, range(count)))
    return time.perf_counter() - started


def setup(api: kubernetes.client.ApiClient) -> None:
    extensions = kubernetes.client.ApiextensionsV1Api(api)
    for path in sorted((REPO / "crds").glob("*.yaml")):
        extensions.create_custom_resource_definition(yaml.safe_load(path.read_text()))
    core = kubernetes.client.CoreV1Api(api)
    for name in ("raw", "bench", "naive"):
        core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    kubernetes.client.CustomObjectsApi(api).create_namespaced_custom_object(
        GROUP,
        VERSION,
        "bench",
        "prowconfigs",
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "ProwConfig",
            "metadata": {"name": "bowsprit"},
            "spec": {"prowjob_namespace": "bench", "pod_namespace": "bench"},
        },
    )


def start_plank(kubeconfig: Path, extra: Iterable[str] = ()) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bowsprit",
            "plank",
            "--kubeconfig",
            str(kubeconfig),
            "--config-namespace",
            "bench",
            "--standalone",
            "--metrics-port",
            "0",
            "--health-port",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "plank started" in line:
            break
    # Keep draining its log so it never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    return process


def all_pending(
    pods: list[float], pending: list[float], started: float, jobs: int
) -> tuple[float, float]:
    """Seconds from an operator's launch until every job had its pod and status pending,
    and its jobs/s from its first pod on (start-up and first list left out: plank lists
    before it says it started, kopf after)."""
    last = max(pods[-1], pending[-1])
    return last - started, jobs / (last - pods[0])


def server_cpu() -> float:
    """CPU seconds used so far by the API server this script started (kube-apiserver and
    etcd, or the emulator): on a shared 2-core machine, the share an operator leaves it
    is what limits both operators."""
    me = os.getpid()
    total = 0.0
    for child in Path(f"/proc/{me}/task/{me}/children").read_text().split():
        command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        if any(part.endswith((b"etcd", b"kube-apiserver", b"emulator")) for part in command):
            total += cpu_seconds(int(child))
    return total


def is_pending(body: dict[str, Any]) -> bool:
    status = body.get("status") or {}
    return status.get("state") == "pending" and bool(status.get("pod_name"))


def start_naive(kubeconfig: Path, log: list[str]) -> subprocess.Popen[str]:
    """The naive kopf operator, as its user would run it: `kopf run`, standalone, on the
    naive namespace; returns once its startup handler has run."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kopf", "run", "--standalone", "--namespace", "naive", str(NAIVE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "KUBECONFIG": str(kubeconfig)},
    )
    assert process.stdout is not None
    for line in process.stdout:
        log.append(line)
        if "naive operator started" in line:
            break
    else:
        raise SystemExit("the naive operator exited:\n" + "".join(log[-20:]))
    threading.Thread(target=drain, args=(process, log), daemon=True).start()
    return process


def drain(process: subprocess.Popen[str], log: list[str]) -> None:
    """Reads the naive operator's log so it never blocks; keeps its warnings and errors."""
    log.clear()
    for line in process.stdout or []:
        if "[WARNING" in line or "[ERROR" in line:
            log.append(line.rstrip())


def create_prowjob(api: kubernetes.client.ApiClient, namespace: str) -> Callable[[int], object]:
    objects = kubernetes.client.CustomObjectsApi(api)
    return lambda i: objects.create_namespaced_custom_object(
        GROUP, VERSION, namespace, "prowjobs", prowjob(i)
    )


Followed = tuple[threading.Thread, list[float]]


def follow_jobs(
    api: kubernetes.client.ApiClient, namespace: str, jobs: int
) -> tuple[Followed, Followed]:
    """Watches of the namespace's pods and of its ProwJobs turning pending (count_events)."""
    core = kubernetes.client.CoreV1Api(api)
    objects = kubernetes.client.CustomObjectsApi(api)
    pods = count_events(api, core.list_namespaced_pod, (namespace,), lambda _: True, jobs)
    pending = count_events(
        api,
        objects.list_namespaced_custom_object,
        (GROUP, VERSION, namespace, "prowjobs"),
        is_pending,
        jobs,
    )
    return pods, pending


def run_naive(
    api: kubernetes.client.ApiClient, kubeconfig: Path, jobs: int, concurrency: int
) -> tuple[float, float]:
    """The same N ProwJobs handled by the naive kopf operator (see all_pending)."""
    in_parallel(create_prowjob(api, "naive"), jobs, concurrency)
    (pods, pods_done), (pending, pending_done) = follow_jobs(api, "naive", jobs)
    started = time.perf_counter()
    warnings: list[str] = []
    naive = start_naive(kubeconfig, warnings)
    try:
        cpu, server = cpu_seconds(naive.pid), server_cpu()
        pods.join(7200)
        pending.join(7200)
        done, rate = all_pending(pods_done, pending_done, started, jobs)
        print(
            f"naive kopf: all {jobs} jobs had pods and were pending {done:.2f} s after its "
            f"launch: {rate:,.0f} jobs/s from its first pod on; "
            f"{(cpu_seconds(naive.pid) - cpu) / jobs * 1000:.2f} ms CPU per job "
            f"(API server: {(server_cpu() - server) / jobs * 1000:.2f} ms); "
            f"RSS {rss_mb(naive.pid):.0f} MB; {len(warnings)} warnings in its log"
            + "".join(f"\n  {line}" for line in warnings[:3])
        )
        return done, rate
    finally:
        naive.terminate()
        naive.wait(60)


def idle_rss(kubeconfig: Path) -> float:
    """plank's memory with no ProwJob at all (its imports and kopf's)."""
    plank = start_plank(kubeconfig)
    try:
        return rss_mb(plank.pid)
    finally:
        plank.terminate()
        plank.wait(30)


def run(kubeconfig: Path, jobs: int, concurrency: int, profile: Path | None, naive: bool) -> None:
    api = kubernetes.client.ApiClient(load_configuration(str(kubeconfig)))
    api.configuration.connection_pool_maxsize = concurrency * 2
    core = kubernetes.client.CoreV1Api(api)
    objects = kubernetes.client.CustomObjectsApi(api)
    setup(api)

    # The yardstick is the official client's generated path (raw JSON, no models), as
    # any client would make these calls; plank's own path is leaner (Cluster._write).
    elapsed = in_parallel(
        lambda i: core.create_namespaced_pod(
            "raw",
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"raw-{i}"}, "spec": POD},
            _preload_content=False,
        ),
        jobs,
        concurrency,
    )
    raw_rate = jobs / elapsed
    print(f"raw pod creates/s: {raw_rate:,.0f}  ({jobs} pods, {concurrency} clients)")
    # Each job also costs the API server a ProwJob status write (CEL-checked).
    in_parallel(
        lambda i: objects.create_namespaced_custom_object(
            GROUP, VERSION, "raw", "prowjobs", prowjob(i)
        ),
        jobs,
        concurrency,
    )
    elapsed = in_parallel(
        lambda i: objects.patch_namespaced_custom_object_status(
            GROUP,
            VERSION,
            "raw",
            "prowjobs",
            f"job-{i}",
            {"status": {"state": "pending", "build_id": str(i)}},
            _content_type="application/merge-patch+json",
            _preload_content=False,
        ),
        jobs,
        concurrency,
    )
    patch_rate = jobs / elapsed
    ceiling = 1 / (1 / raw_rate + 1 / patch_rate)
    print(
        f"raw ProwJob status writes/s: {patch_rate:,.0f}; a pod create and a status write "
        f"per job at these rates: {ceiling:,.0f} jobs/s (this client's limit, not the "
        "server's: plank's leaner writes go past it)"
    )

    print(f"plank RSS: {idle_rss(kubeconfig):.0f} MB with no ProwJob")

    # The ProwJobs exist before plank starts, so what is timed is plank's own work
    # (the emulator evaluates CEL rules in Python and accepts fewer ProwJobs per second
    # than plank turns into pods; a real API server compiles them).
    started = time.perf_counter()
    in_parallel(create_prowjob(api, "bench"), jobs, concurrency)
    print(f"ProwJobs created: {jobs} in {time.perf_counter() - started:.2f} s")
    (pods, pods_done), (pending, pending_done) = follow_jobs(api, "bench", jobs)
    started = time.perf_counter()
    plank = start_plank(kubeconfig)
    try:
        ready = time.perf_counter() - started
        cpu, server = cpu_seconds(plank.pid), server_cpu()
        spy = Profile(plank.pid, profile) if profile else None
        pods.join(600)
        pending.join(600)
        server = server_cpu() - server
        to_pods = pods_done[-1] - started
        rate = jobs / (to_pods - ready)
        print(
            f"plank ready after {ready:.2f} s; all {jobs} jobs had pods after {to_pods:.2f} s: "
            f"{rate:,.0f} jobs/s once ready = {rate / raw_rate:.0%} of raw pod creates, "
            f"{rate / ceiling:.0%} of the client-bound pair rate; "
            f"{(cpu_seconds(plank.pid) - cpu) / jobs * 1000:.2f} ms plank CPU per job"
        )
        plank_done, plank_rate = all_pending(pods_done, pending_done, started, jobs)
        print(
            f"plank: all {jobs} jobs had pods and were pending {plank_done:.2f} s after its "
            f"launch: {plank_rate:,.0f} jobs/s from its first pod on "
            f"(API server CPU: {server / jobs * 1000:.2f} ms per job)"
        )
        if spy is not None:
            print(spy.summary())
        finished, finished_done = count_events(
            api,
            objects.list_namespaced_custom_object,
            (GROUP, VERSION, "bench", "prowjobs"),
            lambda body: (body.get("status") or {}).get("state") == "success",
            jobs,
        )
        kubelet = TestKubelet(api)
        started, cpu = time.perf_counter(), cpu_seconds(plank.pid)
        in_parallel(lambda i: kubelet.finish("bench", f"job-{i}", 0), jobs, concurrency)
        finished.join(600)
        to_success = finished_done[-1] - started
        rate = jobs / to_success
        print(
            f"pods finished → all jobs success after {to_success:.2f} s: {rate:,.0f} jobs/s; "
            f"{(cpu_seconds(plank.pid) - cpu) / jobs * 1000:.2f} ms plank CPU per job"
        )
        print(f"plank RSS: {rss_mb(plank.pid):.0f} MB with {jobs} ProwJobs")
    finally:
        plank.terminate()
        plank.wait(30)
    try:
        if naive:
            naive_done, naive_rate = run_naive(api, kubeconfig, jobs, concurrency)
            print(
                f"plank / naive kopf: {plank_rate / naive_rate:.1f}x from the first pod on, "
                f"{naive_done / plank_done:.1f}x from launch (target: 2.5x)"
            )
    finally:
        api.close()


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--api-server",
        choices=["emulator", "envtest"],
        default="emulator",
        help="envtest: a real kube-apiserver from KUBEBUILDER_ASSETS",
    )
    parser.add_argument(
        "--profile", action="store_true", help="sample plank with py-spy while it starts pods"
    )
    parser.add_argument(
        "--no-naive", action="store_true", help="skip the naive kopf operator's phase"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    with tempfile.TemporaryDirectory() as folder, api_server(args.api_server, Path(folder)) as kc:
        print(f"API server: {args.api_server}")
        profile = Path(folder) if args.profile else None
        run(kc, args.jobs, args.concurrency, profile, not args.no_naive)


if __name__ == "__main__":
    main()
