"""AsyncKube against a scripted API server: retries on 429, 5xx and lost answers, a retried
create that meets its own object, errors the caller sees, and the token it sends."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import kubernetes
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from kubernetes.client.exceptions import ApiException

from bowsprit.clients import kube_async
from bowsprit.clients.kube_async import AsyncKube, backoff

PATH = "/apis/bowsprit.dev/v1/namespaces/ci/prowjobs"
JOB = {"apiVersion": "bowsprit.dev/v1", "kind": "ProwJob", "metadata": {"name": "j1"}}


@dataclass
class Scripted:
    """Answers POST/GET/PATCH from `script` (one status per request; 0 drops the
    connection after storing a POSTed object), then 201/200; records what arrived."""

    script: list[int] = field(default_factory=list)
    stored: dict[str, Any] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    retry_after: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        self.requests.append((request.method, request.path_qs, auth))
        body = await request.read()
        status = self.script.pop(0) if self.script else None
        if request.method == "POST" and status in (None, 0):
            created = json.loads(body)
            name = created["metadata"]["name"]
            if name in self.stored:
                return web.json_response({"reason": "AlreadyExists"}, status=409)
            self.stored[name] = created
            if status == 0:  # made, but the answer is lost
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            return web.json_response(created, status=201)
        if status is not None:
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return web.json_response(
                {"message": f"scripted {status}"}, status=status, headers=headers
            )
        if request.method == "GET" and request.path.endswith("/prowjobs"):
            return web.json_response({"items": list(self.stored.values())})
        if request.method == "GET":
            return web.json_response(self.stored[request.path.rsplit("/", 1)[1]])
        return web.json_response({"patched": json.loads(body)})


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kube_async, "FIRST_BACKOFF", 0.001)


@pytest.fixture
async def server() -> AsyncIterator[tuple[Scripted, AsyncKube]]:
    scripted = Scripted()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", scripted.handle)
    async with TestServer(app) as test_server:
        configuration = kubernetes.client.Configuration()
        configuration.host = str(test_server.make_url("")).rstrip("/")
        configuration.api_key = {"BearerToken": "sekret"}
        configuration.api_key_prefix = {"BearerToken": "Bearer"}
        kube = AsyncKube(configuration, attempts=4)
        yield scripted, kube
        await kube.aclose()


async def test_a_create_is_sent_once_with_the_token(server: tuple[Scripted, AsyncKube]) -> None:
    scripted, kube = server
    created = await kube.create_custom("ci", "prowjobs", JOB)
    assert created == JOB
    assert scripted.requests == [("POST", PATH, "Bearer sekret")]


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_a_create_refused_for_now_is_retried(
    server: tuple[Scripted, AsyncKube], status: int
) -> None:
    scripted, kube = server
    scripted.script = [status, status]
    assert await kube.create_custom("ci", "prowjobs", JOB) == JOB
    assert [method for method, _, _ in scripted.requests] == ["POST"] * 3
    assert list(scripted.stored) == ["j1"]


async def test_a_create_whose_answer_was_lost_is_not_made_twice(
    server: tuple[Scripted, AsyncKube],
) -> None:
    """The first attempt stored the object and the connection dropped: the retry's 409
    AlreadyExists is that object, returned as it is, never a second one."""
    scripted, kube = server
    scripted.script = [0]
    assert await kube.create_custom("ci", "prowjobs", JOB) == JOB
    assert [method for method, _, _ in scripted.requests] == ["POST", "POST", "GET"]
    assert list(scripted.stored) == ["j1"]


async def test_a_name_already_taken_on_the_first_attempt_is_an_error(
    server: tuple[Scripted, AsyncKube],
) -> None:
    scripted, kube = server
    scripted.stored["j1"] = JOB
    with pytest.raises(ApiException) as raised:
        await kube.create_custom("ci", "prowjobs", JOB)
    assert raised.value.status == 409 and "AlreadyExists" in str(raised.value.body)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ([400], 400),  # refused for good: not retried
        ([403], 403),
        ([404], 404),
        ([503] * 4, 503),  # still failing after every attempt
    ],
)
async def test_errors_reach_the_caller_with_the_server_message(
    server: tuple[Scripted, AsyncKube], script: list[int], expected: int
) -> None:
    scripted, kube = server
    scripted.script = list(script)
    with pytest.raises(ApiException) as raised:
        await kube.create_custom("ci", "prowjobs", JOB)
    assert raised.value.status == expected
    assert f"scripted {expected}" in str(raised.value.body)
    assert len(scripted.requests) == len(script)


async def test_a_stale_status_patch_is_a_conflict_for_the_caller(
    server: tuple[Scripted, AsyncKube],
) -> None:
    """409 on a write other than a create is not retried here: the caller looks again."""
    scripted, kube = server
    scripted.script = [409]
    with pytest.raises(ApiException) as raised:
        await kube.patch_custom_status("ci", "prowjobs", "j1", {"state": "aborted"}, "7")
    assert raised.value.status == 409 and len(scripted.requests) == 1
    patched = await kube.patch_custom_status("ci", "prowjobs", "j1", {"state": "aborted"}, "8")
    assert patched == {
        "patched": {"status": {"state": "aborted"}, "metadata": {"resourceVersion": "8"}}
    }


async def test_a_list_sends_its_selector_and_is_retried(server: tuple[Scripted, AsyncKube]) -> None:
    scripted, kube = server
    scripted.stored["j1"] = JOB
    scripted.script = [500]
    assert await kube.list_custom("ci", "prowjobs", "a=b,c=d") == [JOB]
    assert [path for _, path, _ in scripted.requests] == [f"{PATH}?labelSelector=a%3Db,c%3Dd"] * 2


async def test_an_unreachable_server_is_an_error_after_the_attempts() -> None:
    configuration = kubernetes.client.Configuration()
    configuration.host = "http://127.0.0.1:9"  # discard: nothing listens
    kube = AsyncKube(configuration, attempts=2)
    try:
        with pytest.raises(ApiException) as raised:
            await kube.create_custom("ci", "prowjobs", JOB)
    finally:
        await kube.aclose()
    assert raised.value.status == 0 and "no answer" in str(raised.value.reason)


@pytest.mark.parametrize(
    ("attempt", "retry_after", "low", "high"),
    [
        (1, None, 0.05, 0.1),
        (3, None, 0.2, 0.4),
        (20, None, 2.5, 5.0),  # capped
        (1, "2", 2.0, 2.0),  # the server's word
        (1, "600", 5.0, 5.0),  # but never longer than the cap
        (2, "soon", 0.1, 0.2),  # not a number of seconds: ours
    ],
)
def test_backoff(
    attempt: int, retry_after: str | None, low: float, high: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kube_async, "FIRST_BACKOFF", 0.1)
    delay: Callable[[], float] = lambda: backoff(attempt, retry_after)  # noqa: E731
    assert all(low <= delay() <= high for _ in range(50))


async def test_a_refused_token_is_asked_for_again_once(server: tuple[Scripted, AsyncKube]) -> None:
    """Auth headers are reused for a while; a 401 (a token rotated meanwhile) makes the
    configuration's refresh hook run again before the one retry."""
    scripted, kube = server
    tokens = iter(["old", "new", "newer"])

    def refresh(configuration: kubernetes.client.Configuration) -> None:
        configuration.api_key = {"BearerToken": next(tokens)}

    kube.configuration.refresh_api_key_hook = refresh
    scripted.script = [401]
    await kube.create_custom("ci", "prowjobs", JOB)
    await kube.list_custom("ci", "prowjobs")
    assert [auth for _, _, auth in scripted.requests] == ["Bearer old", "Bearer new", "Bearer new"]
    scripted.script = [401, 401]
    with pytest.raises(ApiException) as raised:
        await kube.list_custom("ci", "prowjobs")
    assert raised.value.status == 401


async def test_a_conflict_after_a_rate_limit_is_a_real_one(
    server: tuple[Scripted, AsyncKube],
) -> None:
    """429 means nothing was done: a 409 after it is a name already taken, not our own."""
    scripted, kube = server
    scripted.stored["j1"] = {"metadata": {"name": "j1"}, "someone": "else"}
    scripted.script = [429]
    with pytest.raises(ApiException) as raised:
        await kube.create_custom("ci", "prowjobs", JOB)
    assert raised.value.status == 409
