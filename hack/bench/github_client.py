"""What one GitHub GET costs the caller's CPU: Bowsprit's GitHubClient (its HTTP, retries,
rate-limit bookkeeping, ETag revalidation) against a bare aiohttp session making
the same revalidated request, in the same run, against the fake GitHub in its own process
(in a thread of this one it would share the GIL and the loopback's costs with the caller).

    python hack/bench/github_client.py [--requests 1000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp

from bowsprit.clients.github import GitHubClient, GitHubSettings

ORG, REPO = "acme", "widgets"
SERVE = f"""
import sys, threading
from bowsprit.testing.fakegithub import FakeGitHub
with FakeGitHub() as github:
    github.add_repo({ORG!r}, {REPO!r}, {{"main": "a" * 40}})
    print(github.url, flush=True)
    sys.stdin.read()  # until the benchmark closes it
"""


async def timed(call: Callable[[], Awaitable[object]], requests: int, concurrency: int) -> float:
    """Calling-thread CPU seconds per request."""
    queue = list(range(requests))

    async def worker() -> None:
        while queue:
            queue.pop()
            await call()

    await call()  # connections, caches, imports
    started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.process_time() - started) / requests


async def run(url: str, requests: int, concurrency: int) -> None:
    client = GitHubClient(GitHubSettings(base_url=url))
    path = f"/repos/{ORG}/{REPO}/branches/main"
    try:
        ours = await timed(lambda: client.get_branch_sha(ORG, REPO, "main"), requests, concurrency)
    finally:
        await client.aclose()
    async with aiohttp.ClientSession() as session:
        async with session.get(url + path) as first:
            etag = first.headers.get("ETag", "")

        async def bare() -> None:
            headers = {"If-None-Match": etag, "Accept": "application/vnd.github+json"}
            async with session.get(url + path, headers=headers) as response:
                await response.read()

        lean = await timed(bare, requests, concurrency)
    print(f"{requests} revalidated GETs of a branch, {concurrency} at once, caller's CPU each:")
    print(f"  GitHubClient:                     {ours * 1000:.2f} ms")
    print(f"  bare aiohttp session:             {lean * 1000:.2f} ms (same run)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None and server.stdin is not None
    try:
        asyncio.run(run(server.stdout.readline().strip(), args.requests, args.concurrency))
    finally:
        server.stdin.close()
        server.wait(30)


if __name__ == "__main__":
    main()
