"""hook throughput and latency: signed webhooks in, ProwJobs out.

The emulator (or, with --api-server envtest, a real kube-apiserver) runs in its own
processes, `bowsprit hook` in another pinned to one CPU, the fake GitHub and the senders
in this one, a ProwJob watch in a fourth. Where each may run is the layout:
  split (default): the API server on CPUs of its own, hook and this bench on the first
    CPU: as in a cluster, where the control plane does not share hook's CPU, with the
    load generator and GitHub charged to hook's side;
  hook-alone: hook alone on the first CPU, the API server and this bench on the rest;
  shared: only hook pinned; the API server competes with hook and the bench for CPU it
    had to itself during the ceiling.
The ceiling is the rate at which the API server takes copies of hook's own ProwJobs
through hook's create path (AsyncKube, 16 at once on one session) with no hook running,
measured before and after the burst (its pace drifts); then N `pull_request opened`
webhooks (one per pull request, by an org member, one always_run presubmit) are posted
by C kept-alive connections at once, and then offered at a steady rate. Prints
webhooks/s until the last ProwJob exists and its share of the ceiling, the CPU hook and
the API server used, the p50/p99 of the HTTP answer and of post-to-ProwJob latency at
the offered rate, and hook's memory; asserts nothing (the project's targets: <= 1 ms of
hook CPU per webhook, >= 90 % of the ceiling, p99 < 20 ms at 50/s).

    python hack/bench/hook.py [--webhooks 2000] [--concurrency 32] [--rate 50]
        [--api-server emulator|envtest] [--layout split|hook-alone|shared]
        [--profile] [--plugin-workers 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import kubernetes
import yaml
from procstats import busy_cpu_seconds, cpu_seconds, pin, rss_mb  # type: ignore[import-not-found]
from servers import APIServer, Profile, running_api_server  # type: ignore[import-not-found]

from bowsprit.api import GROUP, VERSION
from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.clients.cluster import Cluster
from bowsprit.clients.kube import load_configuration
from bowsprit.clients.kube_async import AsyncKube
from bowsprit.jobpod.jobs import Job
from bowsprit.jobpod.newjob import prowjob
from bowsprit.testing.envtest import free_port
from bowsprit.testing.fakegithub import FakeGitHub, sign, webhook_samples

REPO = Path(__file__).resolve().parents[2]
ORG, NAME = "acme", "rocket"
SECRET = b"bench-secret"
POD = {"containers": [{"image": "busybox"}]}
WORKERS = 16  # creates hook has in flight at once (its API connections)
WORKERS_DEFAULT = 64  # hook's --plugin-workers default


def setup(api: kubernetes.client.ApiClient) -> None:
    extensions = kubernetes.client.ApiextensionsV1Api(api)
    objects = kubernetes.client.CustomObjectsApi(api)
    plurals = []
    for path in sorted((REPO / "crds").glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        extensions.create_custom_resource_definition(crd)
        plurals.append(crd["spec"]["names"]["plural"])
    kubernetes.client.CoreV1Api(api).create_namespace(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}
    )
    deadline = time.monotonic() + 60
    for plural in plurals:  # a new CRD's resource answers 404 for a moment after creation
        while True:
            try:
                objects.list_namespaced_custom_object(GROUP, VERSION, "bench", plural, limit=1)
                break
            except kubernetes.client.exceptions.ApiException as error:
                if error.status != 404 or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    for plural, kind, name, spec in (
        ("prowconfigs", "ProwConfig", "bowsprit", {"prowjob_namespace": "bench"}),
        ("pluginconfigs", "PluginConfig", "acme", {"repos": [ORG], "plugins": ["trigger"]}),
        (
            "blockingpresubmits",
            "BlockingPresubmit",
            "unit",
            {"org": ORG, "repo": NAME, "pod_spec": POD, "always_run": True},
        ),
    ):
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": kind, "metadata": {"name": name}}
        objects.create_namespaced_custom_object(
            GROUP, VERSION, "bench", plural, {**body, "spec": spec}
        )


def start_hook(
    kubeconfig: Path,
    github: str,
    folder: Path,
    port: int,
    cpu: int,
    workers: int = WORKERS_DEFAULT,
) -> subprocess.Popen[str]:
    (folder / "hmac").write_text(SECRET.decode())
    (folder / "token").write_text("bench")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bowsprit",
            "hook",
            "--kubeconfig",
            str(kubeconfig),
            "--config-namespace",
            "bench",
            "--port",
            str(port),
            "--hmac-secret-file",
            str(folder / "hmac"),
            "--github-endpoint",
            github,
            "--github-token-path",
            str(folder / "token"),
            "--plugin-workers",
            str(workers),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    pin(process.pid, {cpu})  # one core
    assert process.stdout is not None
    for line in process.stdout:
        if "hook serving" in line:
            break
    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    return process


def payloads(count: int) -> list[bytes]:
    """`opened` webhooks for pull requests 1..count, from the octokit sample."""
    sample = next(s for s in webhook_samples() if s.event == "pull_request" and "opened" in s.name)
    template: dict[str, Any] = json.loads(sample.body)
    bodies = []
    for number in range(1, count + 1):
        body = json.loads(json.dumps(template))
        body["repository"].update(name=NAME, full_name=f"{ORG}/{NAME}")
        body["repository"]["owner"]["login"] = ORG
        body["pull_request"].update(
            number=number, user={**body["pull_request"]["user"], "login": "alice"}
        )
        body["pull_request"]["base"]["ref"] = "main"
        bodies.append(json.dumps(body).encode())
    return bodies


def follow_prowjobs(
    kubeconfig: str, prefix: str, expected: int, ready: Any, answer: Connection
) -> None:
    """In a process of its own (a watch thread here would take the GIL from the senders):
    when each ProwJob whose event-GUID starts with `prefix` appeared, sent back at the end.
    Watches from a listed version, so nothing made after `ready` is missed."""
    api = kubernetes.client.ApiClient(load_configuration(kubeconfig))
    objects = kubernetes.client.CustomObjectsApi(api)
    listed = objects.list_namespaced_custom_object(GROUP, VERSION, "bench", "prowjobs", limit=1)
    ready.set()
    seen: dict[str, float] = {}
    stream = kubernetes.watch.Watch().stream(
        objects.list_namespaced_custom_object,
        GROUP,
        VERSION,
        "bench",
        "prowjobs",
        resource_version=listed["metadata"]["resourceVersion"],
        _preload_content=False,
        timeout_seconds=600,
    )
    for event in stream:
        guid = event["raw_object"]["metadata"]["labels"]["event-GUID"]
        if guid.startswith(prefix + "-"):
            seen.setdefault(guid, time.perf_counter())  # CLOCK_MONOTONIC: one clock for all
        if len(seen) >= expected:
            break
    answer.send(seen)


class Watcher:
    """`follow_prowjobs` running; `seen()` waits for its answer."""

    def __init__(self, kubeconfig: Path, prefix: str, expected: int) -> None:
        context = multiprocessing.get_context("spawn")
        ready = context.Event()
        self.answer, child_end = context.Pipe(duplex=False)
        self.process = context.Process(
            target=follow_prowjobs,
            args=(str(kubeconfig), prefix, expected, ready, child_end),
            daemon=True,
        )
        self.process.start()
        if not ready.wait(60):
            raise RuntimeError("the ProwJob watch did not start")

    def seen(self, timeout: float = 600) -> dict[str, float]:
        if not self.answer.poll(timeout):
            raise RuntimeError(f"not every ProwJob appeared in {timeout:.0f} s")
        seen: dict[str, float] = self.answer.recv()
        self.process.join(30)
        return seen


def requests(host: str, port: int, bodies: list[bytes], prefix: str) -> list[tuple[str, bytes]]:
    """Each webhook as its delivery GUID and the whole HTTP/1.1 request, signed, made
    before the clock starts: the senders should cost as little CPU as GitHub's do here."""
    made = []
    for index, body in enumerate(bodies):
        guid = f"{prefix}-{index}"
        head = (
            f"POST /hook HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: application/json\r\nX-GitHub-Event: pull_request\r\n"
            f"X-GitHub-Delivery: {guid}\r\nX-Hub-Signature-256: {sign(SECRET, body)}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        made.append((guid, head.encode() + body))
    return made


async def send_all(
    port: int, bodies: list[bytes], concurrency: int, prefix: str, rate: float = 0.0
) -> tuple[dict[str, float], list[float]]:
    """Post the webhooks from `concurrency` kept-alive connections (raw HTTP/1.1: an HTTP
    client library would cost more CPU than hook on the core they share)."""
    sent: dict[str, float] = {}
    answers: list[float] = []
    queue = list(reversed(list(enumerate(requests("127.0.0.1", port, bodies, prefix)))))
    begin = time.perf_counter()

    async def sender() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                index, (guid, request) = queue.pop()
                if rate:  # an offered load, not a backlog: each webhook at its own moment
                    await asyncio.sleep(max(begin + index / rate - time.perf_counter(), 0))
                started = time.perf_counter()
                sent[guid] = started
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.lower().split(b"\r\n")
                    if line.startswith(b"content-length:")
                )
                await reader.readexactly(length)
                assert status == 200, head
                answers.append(time.perf_counter() - started)
        finally:
            writer.close()

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return sent, answers


def percentile(values: list[float], fraction: float) -> float:
    return (
        statistics.quantiles(values, n=100)[int(fraction * 100) - 1]
        if len(values) > 1
        else values[0]
    )


def raw_bodies(count: int) -> list[dict[str, Any]]:
    job = Job(
        "BlockingPresubmit",
        "bench",
        "unit",
        BlockingPresubmitSpec.model_validate(
            {"org": ORG, "repo": NAME, "pod_spec": POD, "always_run": True}
        ),
    )
    refs = {
        "org": ORG,
        "repo": NAME,
        "base_ref": "main",
        "base_sha": "a" * 40,
        "pulls": [{"number": 1, "author": "alice", "sha": "b" * 40}],
    }
    return [
        prowjob(job, "presubmit", refs, name=f"raw-{i}", namespace="bench", guid=f"raw-{i}")
        for i in range(count)
    ]


def raw_creates(api: kubernetes.client.ApiClient, count: int, threads: int) -> float:
    """ProwJobs/s the API server accepts from `threads` blocking clients, no hook."""
    cluster = Cluster(api)
    bodies = raw_bodies(count)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda body: cluster.create_custom("bench", "prowjobs", body), bodies))
    return count / (time.perf_counter() - started)


def made_by_hook(api: kubernetes.client.ApiClient, guid: str) -> dict[str, Any]:
    """A ProwJob hook created, as hook sent it (no status, no server-set metadata): the
    ceiling creates copies of it, so the API server does the same work per create."""
    listed = kubernetes.client.CustomObjectsApi(api).list_namespaced_custom_object(
        GROUP, VERSION, "bench", "prowjobs", label_selector=f"event-GUID={guid}"
    )
    made: dict[str, Any] = listed["items"][0]
    metadata = made["metadata"]
    kept = {key: metadata[key] for key in ("namespace", "labels", "annotations") if key in metadata}
    return {
        "apiVersion": made["apiVersion"],
        "kind": made["kind"],
        "metadata": kept,
        "spec": made["spec"],
    }


async def async_creates(
    api: kubernetes.client.ApiClient, like: dict[str, Any], count: int, prefix: str
) -> float:
    """ProwJobs/s the API server accepts through hook's own create path (AsyncKube, one
    session, as many creates in flight as hook has), copies of `like`, no hook: the
    ceiling of any hook here."""
    kube = AsyncKube(api.configuration, connections=WORKERS)
    metadata, labels = like["metadata"], like["metadata"]["labels"]
    queue = [
        {
            **like,
            "metadata": {
                **metadata,
                "name": f"{prefix}-{index}",
                "labels": {**labels, "event-GUID": f"{prefix}-{index}"},
            },
        }
        for index in range(count)
    ]

    async def creator() -> None:
        while queue:
            await kube.create_custom("bench", "prowjobs", queue.pop())

    try:
        started = time.perf_counter()
        await asyncio.gather(*(creator() for _ in range(WORKERS)))
        return count / (time.perf_counter() - started)
    finally:
        await kube.aclose()


BURNER = """
import sys, time
share, end = float(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    busy = time.monotonic() + share * 0.01
    while time.monotonic() < busy:
        pass
    time.sleep((1 - share) * 0.01)
"""


def ceiling_without(
    api: kubernetes.client.ApiClient, like: dict[str, Any], cores: float, count: int
) -> float:
    """The ceiling again while busy loops take `cores` of CPU (the share hook and this
    process took during the burst): what the API server can do with the CPU it had then."""
    shares = [min(1.0, cores - whole) for whole in range(int(cores) + 1) if cores - whole > 0]
    burners = [
        subprocess.Popen([sys.executable, "-c", BURNER, f"{share:.3f}", "120"]) for share in shares
    ]
    try:
        return asyncio.run(async_creates(api, like, count, "contended"))
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def phase(
    kubeconfig: Path,
    port: int,
    bodies: list[bytes],
    concurrency: int,
    prefix: str,
    rate: float = 0.0,
) -> tuple[float, float, list[float], list[float]]:
    """Post `bodies`; (seconds until all were answered, seconds until every ProwJob
    existed, answer times, post-to-ProwJob latencies)."""
    watcher = Watcher(kubeconfig, prefix, len(bodies))
    started = time.perf_counter()
    sent, answers = asyncio.run(send_all(port, bodies, concurrency, prefix, rate))
    answered = time.perf_counter() - started
    seen = watcher.seen()
    latencies = [seen[guid] - at for guid, at in sent.items() if guid in seen]
    finished = max(seen.values()) - started
    return answered, finished, answers, latencies


def ms(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5) * 1000:.1f} ms, p99 {percentile(values, 0.99) * 1000:.1f} ms"
    )


@dataclass(frozen=True)
class Layout:
    """Which CPUs the API server, hook and this bench (senders, fake GitHub, ProwJob
    watch, ceiling client) may use."""

    name: str
    hook: int
    server: frozenset[int] | None  # None: any
    bench: frozenset[int] | None
    every: frozenset[int]

    @classmethod
    def choose(cls, name: str) -> Layout:
        cpus = sorted(os.sched_getaffinity(0))
        first, rest, every = cpus[0], frozenset(cpus[1:]), frozenset(cpus)
        if name == "shared" or not rest:
            return cls("shared", first, None, None, every)
        bench = frozenset({first}) if name == "split" else rest
        return cls(name, first, rest, bench, every)

    def describe(self) -> str:
        if self.server is None:
            return (
                f"layout shared: hook on CPU {self.hook}, the API server and this bench on "
                "any (in the burst the API server loses to hook and the bench CPU it has "
                "for the ceiling)"
            )
        where = ",".join(str(cpu) for cpu in sorted(self.server))
        if self.name == "split":
            return (
                f"layout split: the API server on CPU {where}; hook and this bench on CPU "
                f"{self.hook}: the control plane does not share hook's CPU, as in a cluster"
            )
        return (
            f"layout hook-alone: hook alone on CPU {self.hook}; the API server and this "
            f"bench on CPU {where} (the bench's senders and fake GitHub there in the burst, "
            "its ceiling client in the ceiling)"
        )


def run(
    folder: Path,
    server: str,
    webhooks: int,
    concurrency: int,
    rate: float,
    profile: bool,
    workers: int = WORKERS_DEFAULT,
    layout_name: str = "split",
) -> None:
    layout = Layout.choose(layout_name)
    with running_api_server(server, folder, layout.server) as api_server:
        if layout.bench is not None:
            # Before hook and any thread start, so that they inherit it (hook is pinned).
            os.sched_setaffinity(0, layout.bench)
        print(layout.describe())
        measure(folder, api_server, server, webhooks, concurrency, rate, profile, workers, layout)


def measure(
    folder: Path,
    server: APIServer,
    kind: str,
    webhooks: int,
    concurrency: int,
    rate: float,
    profile: bool = False,
    workers: int = WORKERS_DEFAULT,
    layout: Layout | None = None,
) -> None:
    layout = layout or Layout.choose("split")
    split = layout.server is not None
    api = kubernetes.client.ApiClient(load_configuration(str(server.kubeconfig)))
    setup(api)
    paced = int(rate * 10)
    cores = len(os.sched_getaffinity(server.pids[-1]))

    def server_load(seconds: float, cpu: float) -> str:
        return f"the API server used {cpu / seconds:.2f} of the {cores} cores it may use"

    with FakeGitHub() as github:
        github.add_repo(ORG, NAME, {"main": "a" * 40})
        github.add_member(ORG, "alice")
        github.add_collaborator(f"{ORG}/{NAME}", "alice")
        bodies = payloads(50 + webhooks + paced * 2)
        for number in range(1, len(bodies) + 1):
            github.add_pull(f"{ORG}/{NAME}", number, "alice", f"{number:040x}")
        port = free_port()
        hook = start_hook(server.kubeconfig, github.url, folder, port, layout.hook, workers)
        try:
            blocking = raw_creates(api, min(webhooks, 1000), 6)
            print(
                f"the {kind} alone accepts {blocking:,.0f} ProwJob creates/s "
                "from 6 blocking clients"
            )
            # The first requests pay for imports, connections and caches.
            phase(server.kubeconfig, port, bodies[:50], 8, "warm")
            like = made_by_hook(api, "warm-0")

            def ceiling(prefix: str) -> float:
                # With the same ProwJob watch open as in the burst: it costs the API server
                # (and this process) the same here as there.
                watcher = Watcher(server.kubeconfig, prefix, min(webhooks, 1000))
                spent, started = busy_cpu_seconds(server.pids), time.perf_counter()
                rate = asyncio.run(async_creates(api, like, min(webhooks, 1000), prefix))
                watcher.seen()
                load = server_load(
                    time.perf_counter() - started, busy_cpu_seconds(server.pids) - spent
                )
                print(
                    f"ceiling {prefix}: {rate:,.0f} creates/s of hook's ProwJobs through hook's "
                    f"create path ({WORKERS} at once on one session), no hook; {load}"
                )
                return rate

            before = ceiling("before")
            spy = Profile(hook.pid, folder) if profile else None
            cpu, own = cpu_seconds(hook.pid), time.process_time()
            spent = busy_cpu_seconds(server.pids)
            answered, finished, answers, _ = phase(
                server.kubeconfig, port, bodies[50 : 50 + webhooks], concurrency, "burst"
            )
            cpu, own = cpu_seconds(hook.pid) - cpu, time.process_time() - own
            spent = busy_cpu_seconds(server.pids) - spent
            if spy is not None:
                print(spy.summary())
            after = ceiling("after")
            top = (before + after) / 2  # the server's pace drifts: the mean of both sides
            print(f"{webhooks} webhooks at once, {concurrency} senders, hook on one core:")
            print(
                f"  all answered in {answered:.2f} s ({webhooks / answered:,.0f}/s); "
                f"answers {ms(answers)}"
            )
            print(
                f"  every ProwJob existed after {finished:.2f} s: "
                f"{webhooks / finished:,.0f} webhooks/s through to a ProwJob, "
                f"{webhooks / finished / top:.0%} of the ceiling ({top:,.0f}/s, the mean "
                f"of before and after); {server_load(finished, spent)}"
            )
            print(
                f"  hook used {cpu:.2f} s of CPU ({cpu / webhooks * 1000:.2f} ms per webhook); "
                f"this process (senders, fake GitHub, ProwJob watch) {own:.1f} s"
            )
            # A shared VM's speed can swing by a third within an hour, and every CPU figure
            # with it: the API server's CPU over the same webhooks is a yardstick taken in
            # the same seconds.
            print(
                f"  the API server used {spent / webhooks * 1000:.2f} ms of CPU per ProwJob "
                f"meanwhile: hook's CPU per webhook is {cpu / spent:.2f} of that"
            )
            if not split:
                taken = (cpu + own) / finished
                contended = ceiling_without(api, like, taken, min(webhooks, 1000))
                print(
                    f"  the ceiling again while busy loops take the {taken:.2f} cores hook and "
                    f"this process took: {contended:,.0f}/s; hook reached "
                    f"{webhooks / finished / contended:.0%} of that"
                )
            rounds = ["on its own CPUs", "on every CPU"] if split else ["anywhere"]
            for turn, where in enumerate(rounds if paced else []):
                if turn:  # on one CPU its own pauses (Go GC, etcd) weigh on the p99
                    for pid in server.pids:
                        pin(pid, layout.every)
                first = 50 + webhooks + turn * paced
                _, _, answers, latencies = phase(
                    server.kubeconfig,
                    port,
                    bodies[first : first + paced],
                    concurrency,
                    f"paced{turn}",
                    rate,
                )
                print(f"{paced} webhooks offered at {rate:g}/s, the API server {where}:")
                print(f"  answers {ms(answers)}; webhook to ProwJob {ms(latencies)}")
            print(f"GitHub requests: {len(github.requests)}; hook RSS {rss_mb(hook.pid):.0f} MB")
        finally:
            hook.terminate()
            hook.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--webhooks", type=int, default=2000)
    parser.add_argument(
        "--api-server",
        choices=["emulator", "envtest"],
        default="emulator",
        help="envtest: a real kube-apiserver from KUBEBUILDER_ASSETS",
    )
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--rate", type=float, default=50.0, help="offered webhooks/s of the latency phase; 0: none"
    )
    parser.add_argument(
        "--profile", action="store_true", help="sample hook with py-spy during the burst"
    )
    parser.add_argument(
        "--plugin-workers", type=int, default=WORKERS_DEFAULT, help="hook's --plugin-workers"
    )
    parser.add_argument(
        "--layout",
        choices=["split", "hook-alone", "shared"],
        default="split",
        help="split: the API server on CPUs of its own, hook and the bench on another; "
        "hook-alone: hook on a CPU of its own, the API server and the bench on the rest; "
        "shared: only hook pinned, the API server competing with the bench",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(
            Path(folder),
            args.api_server,
            args.webhooks,
            args.concurrency,
            args.rate,
            args.profile,
            args.plugin_workers,
            args.layout,
        )


if __name__ == "__main__":
    main()
