"""hook throughput and latency: signed webhooks in, ProwJobs out.

The emulator (or, with --api-server envtest, a real kube-apiserver) runs in its own
process, `bowsprit hook` in another pinned to one CPU, the fake GitHub in this one.
N `pull_request opened` webhooks (one per pull request, by an org member, one always_run
presubmit) are posted by C concurrent senders; a watch on ProwJobs notes when each one's
ProwJob exists. Prints how many ProwJob creates/s the API server takes without hook,
webhooks/s until the last ProwJob exists, the p50/p99 of the HTTP answer and of
post-to-ProwJob latency at an offered rate, and hook's CPU and memory; asserts nothing
(the project's target: >= 1,000/s on one core, p99 < 20 ms).

    python hack/bench/hook.py [--webhooks 2000] [--concurrency 32] [--rate 50]
        [--api-server emulator|envtest] [--profile] [--plugin-workers 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import kubernetes
import yaml
from procstats import cpu_seconds, rss_mb  # type: ignore[import-not-found]
from servers import Profile, api_server  # type: ignore[import-not-found]

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
    for path in sorted((REPO / "crds").glob("*.yaml")):
        extensions.create_custom_resource_definition(yaml.safe_load(path.read_text()))
    kubernetes.client.CoreV1Api(api).create_namespace(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}
    )
    objects = kubernetes.client.CustomObjectsApi(api)
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
    kubeconfig: Path, github: str, folder: Path, port: int, workers: int = WORKERS_DEFAULT
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
    os.sched_setaffinity(process.pid, {sorted(os.sched_getaffinity(0))[0]})  # one core
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


def watch_prowjobs(
    api: kubernetes.client.ApiClient, prefix: str, expected: int, seen: dict[str, float]
) -> threading.Thread:
    objects = kubernetes.client.CustomObjectsApi(api)

    def follow() -> None:
        stream = kubernetes.watch.Watch().stream(
            objects.list_namespaced_custom_object,
            GROUP,
            VERSION,
            "bench",
            "prowjobs",
            _preload_content=False,
            timeout_seconds=600,
        )
        for event in stream:
            guid = event["raw_object"]["metadata"]["labels"]["event-GUID"]
            if guid.startswith(prefix + "-"):
                seen.setdefault(guid, time.perf_counter())
            if len(seen) >= expected:
                return

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    return thread


async def send_all(
    url: str, bodies: list[bytes], concurrency: int, prefix: str, rate: float = 0.0
) -> tuple[dict[str, float], list[float]]:
    sent: dict[str, float] = {}
    answers: list[float] = []
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for item in enumerate(bodies):
        queue.put_nowait(item)

    begin = time.perf_counter()

    async def sender(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            index, body = queue.get_nowait()
            if rate:  # an offered load, not a backlog: each webhook at its own moment
                await asyncio.sleep(max(begin + index / rate - time.perf_counter(), 0))
            guid = f"{prefix}-{index}"
            headers = {
                "Content-Type": "application/json",
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": guid,
                "X-Hub-Signature-256": sign(SECRET, body),
            }
            started = time.perf_counter()
            sent[guid] = started
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                assert response.status == 200, response.status
            answers.append(time.perf_counter() - started)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(sender(session) for _ in range(concurrency)))
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


async def raw_async_creates(
    api: kubernetes.client.ApiClient, count: int, at_once: int, prefix: str = "a"
) -> float:
    """ProwJobs/s the API server accepts through hook's own create path (AsyncKube, one
    session, `at_once` creates in flight as hook has), no hook: the ceiling
    of any hook here."""
    kube = AsyncKube(api.configuration, connections=at_once)
    bodies = [
        {**body, "metadata": {**body["metadata"], "name": f"{prefix}{body['metadata']['name']}"}}
        for body in raw_bodies(count)
    ]
    queue = list(reversed(bodies))

    async def creator() -> None:
        while queue:
            await kube.create_custom("bench", "prowjobs", queue.pop())

    try:
        started = time.perf_counter()
        await asyncio.gather(*(creator() for _ in range(at_once)))
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


def ceiling_without(api: kubernetes.client.ApiClient, cores: float, count: int) -> float:
    """The ceiling again while busy loops take `cores` of CPU (the share hook and this
    process took during the burst): what the API server can do with the CPU it had then."""
    shares = [min(1.0, cores - whole) for whole in range(int(cores) + 1) if cores - whole > 0]
    burners = [
        subprocess.Popen([sys.executable, "-c", BURNER, f"{share:.3f}", "120"]) for share in shares
    ]
    try:
        return asyncio.run(raw_async_creates(api, count, WORKERS, prefix="c"))
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def phase(
    api: kubernetes.client.ApiClient,
    url: str,
    bodies: list[bytes],
    concurrency: int,
    prefix: str,
    rate: float = 0.0,
) -> tuple[float, float, list[float], list[float]]:
    """Post `bodies`; (seconds until all were answered, seconds until every ProwJob
    existed, answer times, post-to-ProwJob latencies)."""
    seen: dict[str, float] = {}
    watcher = watch_prowjobs(api, prefix, len(bodies), seen)
    time.sleep(0.5)  # let the watch start
    started = time.perf_counter()
    sent, answers = asyncio.run(send_all(url, bodies, concurrency, prefix, rate))
    answered = time.perf_counter() - started
    watcher.join(600)
    latencies = [seen[guid] - at for guid, at in sent.items() if guid in seen]
    finished = max(seen.values()) - started
    return answered, finished, answers, latencies


def ms(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5) * 1000:.1f} ms, p99 {percentile(values, 0.99) * 1000:.1f} ms"
    )


def run(
    folder: Path,
    server: str,
    webhooks: int,
    concurrency: int,
    rate: float,
    profile: bool,
    workers: int = WORKERS_DEFAULT,
) -> None:
    with api_server(server, folder) as kubeconfig:
        measure(folder, kubeconfig, server, webhooks, concurrency, rate, profile, workers)


def measure(
    folder: Path,
    kubeconfig: Path,
    server: str,
    webhooks: int,
    concurrency: int,
    rate: float,
    profile: bool = False,
    workers: int = WORKERS_DEFAULT,
) -> None:
    api = kubernetes.client.ApiClient(load_configuration(str(kubeconfig)))
    setup(api)
    paced = int(rate * 10)
    with FakeGitHub() as github:
        github.add_repo(ORG, NAME, {"main": "a" * 40})
        github.add_member(ORG, "alice")
        github.add_collaborator(f"{ORG}/{NAME}", "alice")
        bodies = payloads(50 + webhooks + paced)
        for number in range(1, len(bodies) + 1):
            github.add_pull(f"{ORG}/{NAME}", number, "alice", f"{number:040x}")
        port = free_port()
        hook = start_hook(kubeconfig, github.url, folder, port, workers)
        url = f"http://127.0.0.1:{port}/hook"
        try:
            blocking = raw_creates(api, min(webhooks, 1000), 6)
            rate_alone = asyncio.run(raw_async_creates(api, min(webhooks, 1000), WORKERS))
            print(
                f"the {server} alone accepts {blocking:,.0f} ProwJob creates/s from 6 blocking "
                f"clients, {rate_alone:,.0f}/s through hook's create path ({WORKERS} at once "
                "on one session): the latter is the ceiling of any hook here"
            )
            # The first requests pay for imports, connections and caches.
            phase(api, url, bodies[:50], 8, "warm")
            spy = Profile(hook.pid, folder) if profile else None
            cpu, own = cpu_seconds(hook.pid), time.process_time()
            answered, finished, answers, _ = phase(
                api, url, bodies[50 : 50 + webhooks], concurrency, "burst"
            )
            cpu, own = cpu_seconds(hook.pid) - cpu, time.process_time() - own
            if spy is not None:
                print(spy.summary())
            print(f"{webhooks} webhooks at once, {concurrency} senders, hook on one core:")
            print(
                f"  all answered in {answered:.2f} s ({webhooks / answered:,.0f}/s); "
                f"answers {ms(answers)}"
            )
            print(
                f"  every ProwJob existed after {finished:.2f} s: "
                f"{webhooks / finished:,.0f} webhooks/s through to a ProwJob "
                f"({webhooks / finished / rate_alone:.0%} of the ceiling); hook used "
                f"{cpu:.2f} s of CPU ({cpu / webhooks * 1000:.2f} ms per webhook)"
            )
            print(
                f"  this process (senders, fake GitHub, ProwJob watch) used {own:.1f} s of CPU "
                f"in those {finished:.1f} s (near {finished:.1f} s: the bench is the limit)"
            )
            taken = (cpu + own) / finished
            contended = ceiling_without(api, taken, min(webhooks, 1000))
            print(
                f"  the ceiling again while busy loops take the {taken:.2f} cores hook and this "
                f"process took: {contended:,.0f}/s; hook reached "
                f"{webhooks / finished / contended:.0%} of that"
            )
            if paced:
                _, _, answers, latencies = phase(
                    api, url, bodies[50 + webhooks :], concurrency, "paced", rate
                )
                print(f"{paced} webhooks offered at {rate:g}/s:")
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
        )


if __name__ == "__main__":
    main()
