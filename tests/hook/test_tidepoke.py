"""hook's tide notifier: events that poke, coalescing (one in flight + one pending),
failures logged at most once a minute and never raised."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bowsprit.hook.tidepoke import TidePoker, pokes_tide
from bowsprit.lib.secretfile import SecretFile
from bowsprit.testing.fakegithub import sign, webhook_samples
from bowsprit.testing.secretvolume import write_secret
from tests.hook.test_server import SECRET, Recorder, make_hook, push


@dataclass
class FakeTide:
    """A /poke that holds each request until `release` is set, to observe coalescing."""

    status: int = 202
    release: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    auths: list[str] = field(default_factory=list)

    async def poke(self, request: web.Request) -> web.Response:
        self.auths.append(request.headers.get("Authorization", ""))
        self.arrived.set()
        await self.release.wait()
        return web.Response(status=self.status)


@pytest.fixture
async def tide() -> AsyncIterator[tuple[FakeTide, str]]:
    fake = FakeTide()
    app = web.Application()
    app.router.add_post("/poke", fake.poke)
    server = TestServer(app)
    await server.start_server()
    yield fake, str(server.make_url("/poke"))
    await server.close()


@pytest.mark.parametrize(
    ("event", "action", "pokes"),
    [
        ("pull_request", "labeled", True),
        ("pull_request", "unlabeled", True),
        ("pull_request", "synchronize", True),
        ("pull_request", "reopened", True),
        ("pull_request", "ready_for_review", True),
        ("pull_request_review", "submitted", True),
        ("pull_request", "opened", False),
        ("pull_request", "edited", False),
        ("pull_request_review", "dismissed", False),
        ("issue_comment", "created", False),
        ("push", "", False),
    ],
)
def test_pokes_tide(event: str, action: str, pokes: bool) -> None:
    assert pokes_tide(event, {"action": action}) is pokes
    assert not pokes_tide(event, ["not", "a", "dict"])


async def test_coalesces_to_one_in_flight_and_one_pending(tide: tuple[FakeTide, str]) -> None:
    fake, url = tide
    poker = TidePoker(url, "tok")
    try:
        poker.poke()
        await asyncio.wait_for(fake.arrived.wait(), 5)
        for _ in range(10):  # while the first is in flight: folded into one pending
            poker.poke()
        fake.release.set()
        await asyncio.wait_for(poker.idle(), 5)
        assert fake.auths == ["Bearer tok", "Bearer tok"]
        assert (poker.sent, poker.failed) == (2, 0)
        poker.poke()  # idle again: a new POST at once
        await asyncio.wait_for(poker.idle(), 5)
        assert len(fake.auths) == 3
    finally:
        await poker.aclose()


async def test_failures_warn_once_a_minute(
    tide: tuple[FakeTide, str], caplog: pytest.LogCaptureFixture
) -> None:
    fake, url = tide
    fake.status = 401
    fake.release.set()
    now = [1000.0]
    poker = TidePoker(url, "bad", clock=lambda: now[0])
    try:
        with caplog.at_level(logging.WARNING, "bowsprit.hook"):
            for step in (0.0, 30.0, 31.0):  # at 0 s, 30 s, 61 s
                now[0] += step
                poker.poke()
                await asyncio.wait_for(poker.idle(), 5)
        assert poker.failed == 3
        warnings = [r for r in caplog.records if "could not poke tide" in r.getMessage()]
        assert len(warnings) == 2
        assert "HTTP 401" in warnings[0].getMessage()
    finally:
        await poker.aclose()


async def test_unreachable_tide_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    poker = TidePoker("http://127.0.0.1:1/poke", "tok")
    try:
        poker.poke()
        await asyncio.wait_for(poker.idle(), 5)
        assert (poker.sent, poker.failed) == (0, 1)
    finally:
        await poker.aclose()


def _labeled() -> bytes:
    sample = next(
        s for s in webhook_samples() if s.event == "pull_request" and s.name == "opened.payload"
    )
    body = json.loads(sample.body)
    body["action"] = "labeled"
    body["label"] = {"name": "lgtm"}
    return json.dumps(body).encode()


async def test_hook_answers_at_once_and_pokes_only_for_merge_relevant_events(
    tmp_path: Path, tide: tuple[FakeTide, str]
) -> None:
    fake, url = tide  # holds every poke: the webhook's answer must not wait for it
    poker = TidePoker(url, "tok")
    hook = make_hook(tmp_path, Recorder(), tide=poker)
    server = TestServer(hook.app())
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            for event, body in (("push", push()), ("pull_request", _labeled())):
                headers = {
                    "Content-Type": "application/json",
                    "X-GitHub-Event": event,
                    "X-GitHub-Delivery": event,
                    "X-Hub-Signature-256": sign(SECRET, body),
                }
                async with session.post(
                    server.make_url("/hook"), data=body, headers=headers
                ) as response:
                    assert response.status == 200
        await asyncio.wait_for(fake.arrived.wait(), 5)
        assert fake.auths == ["Bearer tok"]  # the push did not poke
        fake.release.set()
        await asyncio.wait_for(poker.idle(), 5)
        assert poker.sent == 1
    finally:
        fake.release.set()
        await server.close()


async def test_a_rotated_token_is_sent_without_a_restart(
    tmp_path: Path, tide: tuple[FakeTide, str]
) -> None:
    fake, url = tide
    fake.release.set()
    volume = write_secret(tmp_path / "tide-poke", {"token": "old"})
    poker = TidePoker(url, SecretFile(volume / "token").load())
    try:
        poker.poke()
        await asyncio.wait_for(poker.idle(), 5)
        write_secret(volume, {"token": "new"})  # the kubelet's update of the Secret
        poker.poke()
        await asyncio.wait_for(poker.idle(), 5)
        assert fake.auths == ["Bearer old", "Bearer new"]
    finally:
        await poker.aclose()
