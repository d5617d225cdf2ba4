"""External plugins: hook forwards the webhook as received (body, GitHub's headers, the
same HMAC signature) to each plugin configured for the repository and event type, retries
failures, and never makes plugins or the webhook's answer wait for a slow endpoint."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bowsprit.api.pluginconfig import ExternalPlugin
from bowsprit.hook.apply import Applier
from bowsprit.hook.caches import Caches
from bowsprit.hook.events import PushEvent, RepoRef, parse
from bowsprit.hook.external import (
    Forwarder,
    endpoint,
    forwarded_headers,
    in_process,
    matching,
)
from bowsprit.hook.resync import targets
from bowsprit.hook.server import Hook
from bowsprit.hook.tokens import signature_valid, token_file
from bowsprit.testing.fakegithub import sign
from tests.hook.test_server import SECRET, Recorder, push


@dataclass
class Endpoint:
    """A small external plugin: records what it got; answers `statuses` in turn (then
    200); holds its answers while `gate` is closed."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.gate.set()

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        self.arrived.set()
        await self.gate.wait()
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok")


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Endpoint, str]]:
    found = Endpoint()
    app = web.Application()
    app.router.add_post("/hook", found.handle)
    server = TestServer(app)
    await server.start_server()
    yield found, str(server.make_url("/hook"))
    found.gate.set()
    await server.close()


def test_matching_and_endpoint() -> None:
    every = ExternalPlugin(name="cherrypicker")
    pushes = ExternalPlugin(name="needs-rebase", endpoint="http://nr:8888", events=["push"])
    assert matching([every, pushes], "push") == [every, pushes]
    assert matching([every, pushes], "issue_comment") == [every]
    assert endpoint(every) == "http://cherrypicker"  # Prow's default
    assert endpoint(pushes) == "http://nr:8888"


def test_forwarded_headers() -> None:
    given = {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "guid",
        "X-Hub-Signature-256": "sha256=ab",
        "Content-Type": "application/json",
        "Authorization": "not forwarded",
        "Host": "hook",
    }
    assert forwarded_headers(given) == {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "guid",
        "X-Hub-Signature-256": "sha256=ab",
        "Content-Type": "application/json",
        "User-Agent": "ProwHook",
    }


async def no_sleep(seconds: float) -> None:
    pass


async def test_retries_server_errors(receiver: tuple[Endpoint, str]) -> None:
    found, url = receiver
    found.statuses = [502, 500]
    forwarder = Forwarder(sleep=no_sleep)
    forwarder.forward([ExternalPlugin(name="x", endpoint=url)], {"X-GitHub-Event": "push"}, b"{}")
    await forwarder.drain(10)
    assert len(found.received) == 3


async def test_refusals_are_not_retried(receiver: tuple[Endpoint, str]) -> None:
    found, url = receiver
    found.statuses = [400]
    forwarder = Forwarder(sleep=no_sleep)
    forwarder.forward([ExternalPlugin(name="x", endpoint=url)], {}, b"{}")
    await forwarder.drain(10)
    assert len(found.received) == 1


async def test_unreachable_endpoint_gives_up(receiver: tuple[Endpoint, str]) -> None:
    forwarder = Forwarder(sleep=no_sleep, attempts=3)
    forwarder.forward([ExternalPlugin(name="x", endpoint="http://127.0.0.1:9/")], {}, b"{}")
    await forwarder.drain(10)  # returns: the failure is logged and counted, not raised


def make_hook(tmp_path: Path, recorder: Recorder, url: str, **options: Any) -> Hook:
    (tmp_path / "hmac").write_text(SECRET.decode())
    caches = Caches()
    caches.plugin_configs.replace(
        [
            {
                "metadata": {"namespace": "ci", "name": "acme"},
                "spec": {
                    "repos": ["acme"],
                    "plugins": ["second"],
                    "external_plugins": [
                        {"name": "pushes", "endpoint": url, "events": ["push"]},
                        {"name": "comments", "endpoint": url, "events": ["issue_comment"]},
                    ],
                },
            },
        ]
    )
    return Hook(
        tokens=token_file(tmp_path / "hmac"),
        caches=caches,
        github=cast(Any, None),
        applier=Applier(cast(Any, None), cast(Any, None)),
        bot="bot",
        plugins={"second": recorder.plugin("second")},
        **options,
    )


async def test_hook_forwards_signed_webhook_without_waiting(
    tmp_path: Path, receiver: tuple[Endpoint, str]
) -> None:
    found, url = receiver
    found.gate.clear()  # the endpoint is slow: it answers only when the test says so
    recorder = Recorder()
    hook = make_hook(tmp_path, recorder, url)
    server = TestServer(hook.app())
    await server.start_server()
    body = push(after="e" * 40)
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "delivery-1",
        "X-Hub-Signature-256": sign(SECRET, body),
    }
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(server.make_url("/hook"), data=body, headers=headers) as got,
        ):
            assert got.status == 200
        await asyncio.wait_for(found.arrived.wait(), 10)
        await asyncio.wait_for(hook.queue.join(), 10)  # plugins finished meanwhile
        assert recorder.seen == [("second", "e" * 40)]
        sent_headers, sent_body = found.received[0]
        assert sent_body == body
        assert sent_headers["X-GitHub-Event"] == "push"
        assert sent_headers["X-GitHub-Delivery"] == "delivery-1"
        assert sent_headers["User-Agent"] == "ProwHook"
        assert signature_valid((SECRET,), sent_body, sent_headers["X-Hub-Signature-256"])
        assert len(found.received) == 1  # only the plugin that takes pushes
        assert json.loads(sent_body)["after"] == "e" * 40
    finally:
        found.gate.set()
        await server.close()


def test_built_in_external_plugins_run_in_process() -> None:
    """Falco's plugins.yaml lists needs-rebase as an external plugin without an endpoint:
    Bowsprit has it built in, so it runs in hook rather than at http://needs-rebase."""
    nr = ExternalPlugin(name="needs-rebase", events=["pull_request"])
    served = ExternalPlugin(name="needs-rebase", endpoint="http://nr", events=["push"])
    push_event = PushEvent("g", RepoRef("a", "b"), "refs/heads/main", "", "", False, (), "", "")
    assert in_process([nr, served], push_event) == []
    assert in_process([ExternalPlugin(name="needs-rebase")], push_event) == ["needs-rebase"]
    assert matching([nr, served], "pull_request") == []
    assert matching([nr, served], "push") == [served]


async def test_hook_runs_built_in_external_plugin(tmp_path: Path) -> None:
    recorder = Recorder()
    (tmp_path / "hmac").write_text(SECRET.decode())
    caches = Caches()
    caches.plugin_configs.replace(
        [
            {
                "metadata": {"namespace": "ci", "name": "acme"},
                "spec": {
                    "repos": ["acme"],
                    "external_plugins": [{"name": "needs-rebase", "events": ["push"]}],
                },
            }
        ]
    )
    hook = Hook(
        tokens=token_file(tmp_path / "hmac"),
        caches=caches,
        github=cast(Any, None),
        applier=Applier(cast(Any, None), cast(Any, None)),
        bot="bot",
        plugins={"needs-rebase": recorder.plugin("needs-rebase")},
    )
    for event in parse("push", "g", json.loads(push(after="f" * 40))):
        await hook.dispatch(event)
    assert recorder.seen == [("needs-rebase", "f" * 40)]
    assert [target for target, _ in targets(caches.all_configs(), "needs-rebase")] == ["acme"]


async def test_a_waiting_plugin_delays_no_other(tmp_path: Path) -> None:
    """Plugins of one event run side by side (Prow: a goroutine each): needs-rebase
    waiting for GitHub does not hold back trigger."""
    slow, fast = Recorder(), Recorder()
    slow.gate.clear()
    (tmp_path / "hmac").write_text(SECRET.decode())
    caches = Caches()
    caches.plugin_configs.replace(
        [
            {
                "metadata": {"namespace": "ci", "name": "a"},
                "spec": {"repos": ["acme"], "plugins": ["a-slow", "b-fast"]},
            }
        ]
    )
    hook = Hook(
        tokens=token_file(tmp_path / "hmac"),
        caches=caches,
        github=cast(Any, None),
        applier=Applier(cast(Any, None), cast(Any, None)),
        bot="bot",
        plugins={"a-slow": slow.plugin("a-slow"), "b-fast": fast.plugin("b-fast")},
    )
    (event,) = parse("push", "g", json.loads(push(after="1" * 40)))
    running = asyncio.create_task(hook.dispatch(event))
    for _ in range(100):
        if fast.seen:
            break
        await asyncio.sleep(0)
    assert fast.seen == [("b-fast", "1" * 40)] and slow.seen == []
    slow.gate.set()
    await asyncio.wait_for(running, 10)
    assert slow.seen == [("a-slow", "1" * 40)]


async def test_pending_deliveries_are_bounded(receiver: tuple[Endpoint, str]) -> None:
    found, url = receiver
    found.gate.clear()  # the endpoint hangs
    forwarder = Forwarder(sleep=no_sleep, concurrency=1, max_pending=2)
    plugin = ExternalPlugin(name="x", endpoint=url)
    for _ in range(5):
        forwarder.forward([plugin], {}, b"{}")
    await asyncio.wait_for(found.arrived.wait(), 10)
    found.gate.set()
    await forwarder.drain(10)
    assert len(found.received) == 2  # the other three were dropped, not queued
