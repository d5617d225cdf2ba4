"""ghproxy against the fake GitHub over real HTTP, counting the requests that reach it:
revalidation costs no token, concurrent identical GETs make one upstream call, a change
is seen at once, credentials never share entries, errors are never kept, the disk cache
outlives a restart. Cases follow Prow's pkg/ghcache tests (TestRoundTrip,
TestCacheModeHeader)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from aiohttp.test_utils import TestServer

from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.ghproxy.cache import GitHubCache
from bowsprit.ghproxy.server import build_app
from bowsprit.ghproxy.store import DiskStore, Entry, MemoryStore, Store
from bowsprit.ghproxy.upstream import HttpUpstream, simplified_path, throttle_wait
from bowsprit.testing.fakegithub import FakeGitHub

HEAD = "b" * 40
A = {"Authorization": "token aaa"}
B = {"Authorization": "token bbb"}


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("org", "repo")
        fake.add_pull("org/repo", 1, "alice", HEAD)
        yield fake


class Proxy:
    def __init__(self, cache: GitHubCache, server: TestServer) -> None:
        self.cache = cache
        self.server = server
        self.http = httpx.AsyncClient(
            base_url=str(server.make_url("/")).rstrip("/"),
            limits=httpx.Limits(max_connections=200),
            timeout=30,
        )

    async def get(self, path: str, headers: dict[str, str]) -> httpx.Response:
        return await self.http.get(path, headers=headers)


async def start(github: FakeGitHub, store: Store) -> tuple[Proxy, HttpUpstream]:
    upstream = HttpUpstream(github.url)
    cache = GitHubCache(upstream, store)
    server = TestServer(build_app(cache))
    await server.start_server()
    return Proxy(cache, server), upstream


@pytest.fixture
async def proxy(github: FakeGitHub) -> AsyncIterator[Proxy]:
    made, upstream = await start(github, MemoryStore(10_000_000))
    yield made
    await made.http.aclose()
    await made.server.close()
    await upstream.aclose()


def upstream_calls(github: FakeGitHub, path: str) -> list[str]:
    return [r.authorization for r in github.requests if r.path == path]


async def test_a_second_identical_get_costs_no_token(proxy: Proxy, github: FakeGitHub) -> None:
    first = await proxy.get("/repos/org/repo/pulls/1", A)
    spent = 5000 - github.remaining
    second = await proxy.get("/repos/org/repo/pulls/1", A)
    assert (first.headers["X-Cache-Mode"], second.headers["X-Cache-Mode"]) == (
        "MISS",
        "REVALIDATED",
    )
    assert second.json() == first.json()
    assert 5000 - github.remaining == spent  # the 304 was free
    assert len(upstream_calls(github, "/repos/org/repo/pulls/1")) == 2
    # The kept answer carries the rate limit of the 304, not the one it was kept with.
    assert second.headers["X-RateLimit-Remaining"] != first.headers["X-RateLimit-Remaining"]


async def test_concurrent_identical_gets_make_one_upstream_call(
    proxy: Proxy, github: FakeGitHub
) -> None:
    held = github.hold("GET", "/repos/org/repo/pulls/1")
    requests = [asyncio.create_task(proxy.get("/repos/org/repo/pulls/1", A)) for _ in range(100)]
    deadline = time.monotonic() + 30
    while sum(proxy.cache.waiting.values()) < 99 or not held.arrived.is_set():
        assert time.monotonic() < deadline, "the requests did not all arrive"
        await asyncio.sleep(0.01)
    # Another resource is not held up by them.
    other = await proxy.get("/repos/org/repo", A)
    assert other.status_code == 200
    held.release()
    answers = await asyncio.gather(*requests)
    modes = sorted(a.headers["X-Cache-Mode"] for a in answers)
    assert modes == ["COALESCED"] * 99 + ["MISS"]
    assert {a.json()["number"] for a in answers} == {1}
    assert len(upstream_calls(github, "/repos/org/repo/pulls/1")) == 1
    # Later, non-concurrent requests each go upstream (revalidated).
    await proxy.get("/repos/org/repo/pulls/1", A)
    assert len(upstream_calls(github, "/repos/org/repo/pulls/1")) == 2


async def test_a_changed_resource_is_seen_on_the_next_request(
    proxy: Proxy, github: FakeGitHub
) -> None:
    await proxy.get("/repos/org/repo/pulls/1", A)
    github.repos["org/repo"].pulls[1].title = "a new title"
    changed = await proxy.get("/repos/org/repo/pulls/1", A)
    assert changed.headers["X-Cache-Mode"] == "CHANGED"
    assert changed.json()["title"] == "a new title"
    again = await proxy.get("/repos/org/repo/pulls/1", A)
    assert (again.headers["X-Cache-Mode"], again.json()["title"]) == ("REVALIDATED", "a new title")


async def test_tokens_never_share_cache_entries(proxy: Proxy, github: FakeGitHub) -> None:
    await proxy.get("/repos/org/repo", A)
    other = await proxy.get("/repos/org/repo", B)
    assert other.headers["X-Cache-Mode"] == "MISS"
    assert upstream_calls(github, "/repos/org/repo") == ["token aaa", "token bbb"]
    assert (await proxy.get("/repos/org/repo", B)).headers["X-Cache-Mode"] == "REVALIDATED"


async def test_errors_are_never_kept(proxy: Proxy, github: FakeGitHub) -> None:
    for _ in range(2):
        missing = await proxy.get("/repos/org/nope", A)
        assert (missing.status_code, missing.headers["X-Cache-Mode"]) == (404, "NO-STORE")
    assert len(upstream_calls(github, "/repos/org/nope")) == 2


async def test_writes_pass_through(proxy: Proxy, github: FakeGitHub) -> None:
    created = await proxy.http.post(
        "/repos/org/repo/issues/1/comments", json={"body": "hi"}, headers=A
    )
    assert (created.status_code, created.headers["X-Cache-Mode"]) == (201, "SKIP")
    assert github.repos["org/repo"].pulls[1].comments[-1].body == "hi"


async def test_a_client_holding_the_answer_gets_a_304(proxy: Proxy, github: FakeGitHub) -> None:
    first = await proxy.get("/repos/org/repo", A)
    again = await proxy.get("/repos/org/repo", {**A, "If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.content) == (304, b"")


async def test_github_unreachable_is_an_error(github: FakeGitHub) -> None:
    upstream = HttpUpstream("http://127.0.0.1:9", timeout=2)
    cache = GitHubCache(upstream, MemoryStore(1000))
    reply = await cache.handle("GET", "/repos/org/repo", A, None)
    assert (reply.status, reply.mode) == (502, "ERROR")
    await upstream.aclose()


async def test_the_disk_cache_survives_a_restart(github: FakeGitHub, tmp_path: Path) -> None:
    for expected in ("MISS", "REVALIDATED"):
        proxy, upstream = await start(github, DiskStore(tmp_path / "cache", 10_000_000))
        answer = await proxy.get("/repos/org/repo/pulls/1", A)
        assert answer.headers["X-Cache-Mode"] == expected
        await proxy.http.aclose()
        await proxy.server.close()
        await upstream.aclose()
        proxy.cache.store.close()


async def test_the_github_layer_works_through_it(
    proxy: Proxy, github: FakeGitHub, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    base = str(proxy.server.make_url("/")).rstrip("/")
    client = GitHubClient(GitHubSettings(base_url=base, token_path=token, max_attempts=1))
    try:
        assert (await client.get_pull("org", "repo", 1))["head"]["sha"] == HEAD
        assert (await client.get_pull("org", "repo", 1))["head"]["sha"] == HEAD
        await client.create_status(
            "org", "repo", HEAD, state="success", context="c", description="d", target_url=None
        )
        assert github.statuses("org/repo", HEAD) == {"c": "success"}
    finally:
        await client.aclose()


def test_the_memory_store_is_bounded() -> None:
    store = MemoryStore(1000)
    entry = Entry(200, (), b"x" * 300, '"e"', 0.0)
    for key in "abcd":
        store.put(key, entry)
    assert store.get("a") is None and store.get("d") is not None
    assert store.size() <= 1000
    store.put("huge", Entry(200, (), b"x" * 2000, '"e"', 0.0))
    assert store.get("huge") is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/repos/org/repo/pulls/12/files?page=2", "/repos/:owner/:repo/pulls/:number/files"),
        (f"/repos/o/r/commits/{HEAD}/status", "/repos/:owner/:repo/commits/:sha/status"),
        ("/orgs/kubernetes/members/alice", "/orgs/:name/members/alice"),
        ("/graphql", "/graphql"),
    ],
)
def test_simplified_paths(path: str, expected: str) -> None:
    assert simplified_path(path) == expected


@pytest.mark.parametrize(
    ("slot", "now", "spacing", "longest", "expected"),
    [
        (None, 10.0, 0.5, 30.0, (0.0, 10.5)),  # first request: at once
        (10.5, 10.1, 0.5, 30.0, (0.4, 11.0)),  # waits for its slot
        (9.0, 10.0, 0.5, 30.0, (0.0, 10.5)),  # slot passed: at once
        (100.0, 10.0, 0.5, 30.0, (30.0, 40.5)),  # a long queue: the longest delay
    ],
)
def test_throttle_wait(
    slot: float | None, now: float, spacing: float, longest: float, expected: tuple[float, float]
) -> None:
    wait, following = throttle_wait(slot, now, spacing, longest)
    assert (round(wait, 6), round(following, 6)) == expected
