"""hook's service in-process over real HTTP: dispatch to the plugins a repository has on,
failures kept to one plugin, the bounded queue, and /plugin-help."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bowsprit.hook.apply import Applier
from bowsprit.hook.caches import Caches
from bowsprit.hook.effects import Effect
from bowsprit.hook.events import PushEvent
from bowsprit.hook.plugins import PLUGINS
from bowsprit.hook.plugins.base import Context, Plugin
from bowsprit.hook.server import HANDLE_ERRORS, Hook
from bowsprit.hook.tokens import token_file
from bowsprit.testing.fakegithub import sign

SECRET = b"s3cret"


def push(repo: str = "rocket", after: str = "c" * 40, org: str = "acme") -> bytes:
    return json.dumps(
        {
            "ref": "refs/heads/main",
            "before": "d" * 40,
            "after": after,
            "deleted": False,
            "commits": [],
            "pusher": {"name": "alice"},
            "repository": {"name": repo, "full_name": f"{org}/{repo}", "owner": {"login": org}},
        }
    ).encode()


class Recorder:
    """Plugins that note what they saw; `gate` holds them until opened."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.gate = asyncio.Event()
        self.gate.set()

    def plugin(self, name: str, fail: bool = False) -> Plugin:
        async def on_push(ctx: Context, event: PushEvent) -> list[Effect]:
            await self.gate.wait()
            self.seen.append((name, event.after))
            if fail:
                raise RuntimeError("broken plugin")
            return []

        return Plugin(name, f"{name} for tests", on_push=on_push)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def make_hook(tmp_path: Path, recorder: Recorder, **options: Any) -> Hook:
    (tmp_path / "hmac").write_text(SECRET.decode())
    caches = Caches()
    caches.plugin_configs.replace(
        [
            {
                "metadata": {"namespace": "ci", "name": "acme"},
                "spec": {"repos": ["acme"], "plugins": ["broken", "second", "unknown"]},
            },
            {
                "metadata": {"namespace": "ci", "name": "rocket"},
                "spec": {"repos": ["acme/rocket"], "plugins": ["trigger"]},
            },
        ]
    )
    plugins = {
        "broken": recorder.plugin("broken", fail=True),
        "second": recorder.plugin("second"),
        "trigger": PLUGINS["trigger"],
    }
    return Hook(
        tokens=token_file(tmp_path / "hmac"),
        caches=caches,
        github=cast(Any, None),  # the recording plugins never call GitHub
        applier=Applier(cast(Any, None), cast(Any, None)),
        bot="bot",
        plugins=plugins,
        **options,
    )


@pytest.fixture
async def served(tmp_path: Path, recorder: Recorder) -> AsyncIterator[tuple[Hook, str]]:
    hook = make_hook(tmp_path, recorder, workers=1, queue_size=1)
    server = TestServer(hook.app())
    await server.start_server()
    yield hook, str(server.make_url("/"))
    recorder.gate.set()
    await server.close()


async def post(session: aiohttp.ClientSession, url: str, body: bytes) -> int:
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "d",
        "X-Hub-Signature-256": sign(SECRET, body),
    }
    async with session.post(url + "hook", data=body, headers=headers) as response:
        return response.status


async def wait_until(condition: Any, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_failing_plugin_is_counted_and_the_others_still_run(
    served: tuple[Hook, str], recorder: Recorder
) -> None:
    hook, url = served
    before = HANDLE_ERRORS.labels("broken", "push")._value.get()
    async with aiohttp.ClientSession() as session:
        assert await post(session, url, push("anvil", "1" * 40)) == 200
        assert await post(session, url, push("anvil", "2" * 40, org="nobody")) == 200
        await hook.queue.join()
    # The org's plugins ran in order (the unknown name is skipped); the broken one did
    # not stop the next; a repository without a PluginConfig ran nothing.
    assert recorder.seen == [("broken", "1" * 40), ("second", "1" * 40)]
    assert HANDLE_ERRORS.labels("broken", "push")._value.get() == before + 1


async def test_the_queue_is_bounded_and_requests_wait_for_room(
    served: tuple[Hook, str], recorder: Recorder
) -> None:
    hook, url = served
    recorder.gate.clear()  # the one worker holds the first event
    async with aiohttp.ClientSession() as session:
        assert await post(session, url, push("anvil", "1" * 40)) == 200
        await wait_until(lambda: hook.queue.qsize() == 0)  # taken by the worker
        assert await post(session, url, push("anvil", "2" * 40)) == 200  # fills the queue
        third = asyncio.create_task(post(session, url, push("anvil", "3" * 40)))
        await asyncio.sleep(0.3)
        assert not third.done(), "a full queue makes the request wait, never drops it"
        recorder.gate.set()
        assert await third == 200
        await wait_until(lambda: len(recorder.seen) == 6)
    assert [after[0] for _, after in recorder.seen] == ["1", "1", "2", "2", "3", "3"]


async def test_plugin_help(served: tuple[Hook, str]) -> None:
    _, url = served
    async with aiohttp.ClientSession() as session, session.get(url + "plugin-help") as response:
        assert response.status == 200
        page = await response.json()
    assert page["AllRepos"] == ["acme", "acme/rocket"]
    assert page["RepoPlugins"] == {
        "acme": ["broken", "second", "unknown"],
        "acme/rocket": ["trigger"],
    }
    trigger = page["PluginHelp"]["trigger"]
    assert "trusted" in trigger["Description"]
    assert [command["Usage"] for command in trigger["Commands"]] == [
        "/ok-to-test [cancel]",
        "/test (<job name>|all)",
        "/retest",
        "/retest-required",
    ]
    assert "pull_request" in trigger["Events"]


async def test_draining_on_shutdown_is_bounded_by_the_grace_period(
    tmp_path: Path, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    hook = make_hook(tmp_path, recorder, workers=1, grace_period=0.2)
    server = TestServer(hook.app())
    await server.start_server()
    recorder.gate.clear()  # a plugin that never finishes
    async with aiohttp.ClientSession() as session:
        assert await post(session, str(server.make_url("/")), push("anvil")) == 200
    async with asyncio.timeout(5):
        await server.close()
    assert recorder.seen == []
    assert "stopping after 0 s with events unfinished" in caplog.text


async def test_draining_finishes_accepted_events(tmp_path: Path, recorder: Recorder) -> None:
    hook = make_hook(tmp_path, recorder, workers=1)
    server = TestServer(hook.app())
    await server.start_server()
    recorder.gate.clear()
    async with aiohttp.ClientSession() as session:
        assert await post(session, str(server.make_url("/")), push("anvil", "1" * 40)) == 200
    asyncio.get_running_loop().call_later(0.2, recorder.gate.set)
    await server.close()
    assert recorder.seen == [("broken", "1" * 40), ("second", "1" * 40)]
