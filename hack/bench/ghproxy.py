"""ghproxy on cache hits: requests/s through it, and the latency it adds.

`python hack/bench/ghproxy.py [--requests 2000] [--clients 16]`

The fake GitHub runs in this process's thread; `bowsprit ghproxy` (memory cache) in its
own process, pinned to one core when the machine has more. Every request is the same GET,
so after the first every answer is a hit: revalidated upstream with If-None-Match (a 304
from the fake) and served from the cache. The added latency is the time through ghproxy
minus the time of the same conditional request sent straight to the fake, one request at
a time; the rate is with `--clients` concurrent clients.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procstats import cpu_seconds, rss_mb  # noqa: E402

from bowsprit.testing.envtest import free_port  # noqa: E402
from bowsprit.testing.fakegithub import FakeGitHub  # noqa: E402

PATH = "/repos/org/repo/pulls/1"
HEADERS = {"Authorization": "token bench"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


async def sequential(
    client: httpx.AsyncClient, url: str, count: int, etag: str | None
) -> list[float]:
    headers = dict(HEADERS)
    if etag:
        headers["If-None-Match"] = etag
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = await client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code in (200, 304), response.status_code
    return times


async def concurrent(client: httpx.AsyncClient, url: str, count: int, clients: int) -> float:
    remaining = [count]

    async def worker() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            response = await client.get(url, headers=HEADERS)
            assert response.headers["X-Cache-Mode"] in ("REVALIDATED", "COALESCED")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return count / (time.perf_counter() - started)


async def measure(github: FakeGitHub, proxy: str, count: int, clients: int) -> None:
    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        first = await client.get(github.url + PATH, headers=HEADERS)
        etag = first.headers["ETag"]
        assert (await client.get(proxy + PATH, headers=HEADERS)).headers["X-Cache-Mode"] == "MISS"
        await sequential(client, proxy + PATH, 200, None)  # warm up
        direct = await sequential(client, github.url + PATH, count, etag)
        through = await sequential(client, proxy + PATH, count, None)
        rate = await concurrent(client, proxy + PATH, count, clients)
    ms = 1000
    d50, d99 = statistics.median(direct) * ms, percentile(direct, 0.99) * ms
    t50, t99 = statistics.median(through) * ms, percentile(through, 0.99) * ms
    print(f"direct conditional GET to the fake: p50 {d50:.2f} ms, p99 {d99:.2f} ms")
    print(f"through ghproxy (hits):            p50 {t50:.2f} ms, p99 {t99:.2f} ms")
    print(f"added by ghproxy: p50 {t50 - d50:.2f} ms, p99 {t99 - d99:.2f} ms (target: <= 2 ms)")
    print(f"hits through ghproxy with {clients} concurrent clients: {rate:.0f} requests/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    with FakeGitHub() as github:
        github.add_repo("org", "repo")
        github.add_pull("org/repo", 1, "alice", "b" * 40)
        port, health = free_port(), free_port()
        command = [
            sys.executable,
            "-m",
            "bowsprit",
            "ghproxy",
            f"--upstream={github.url}",
            f"--port={port}",
            f"--health-port={health}",
            "--metrics-port=0",
        ]
        if (os.cpu_count() or 1) > 1:
            command = ["taskset", "-c", "1", *command]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{health}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("ghproxy did not start")
                time.sleep(0.05)
            cpu_before = cpu_seconds(process.pid)
            asyncio.run(measure(github, f"http://127.0.0.1:{port}", args.requests, args.clients))
            used = cpu_seconds(process.pid) - cpu_before
            print(f"ghproxy: {used:.1f} s of CPU, {rss_mb(process.pid):.0f} MB RSS")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
