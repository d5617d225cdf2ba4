"""External plugins: hook forwards each accepted webhook, body and GitHub's headers
unchanged (so the same HMAC signature verifies), to every external plugin configured for
the repository and event type, as Prow's hook does.

Forwarding never delays plugins nor the webhook's answer: each delivery is its own task,
at most `concurrency` run at once, and each is retried with backoff on connection errors
and 5xx answers. Memory stays bounded: beyond `max_pending` deliveries waiting (endpoints
down for long under heavy traffic) new ones are dropped, logged and counted."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import aiohttp
from prometheus_client import Counter

from bowsprit.api.pluginconfig import ExternalPlugin
from bowsprit.hook import events

logger = logging.getLogger("bowsprit.hook")

FORWARDED = Counter(
    "hook_external_plugin_deliveries",
    "Webhooks forwarded to external plugins, by plugin and outcome",
    ["plugin", "outcome"],
)
# GitHub's headers an external plugin needs to verify and route the webhook.
FORWARDED_HEADERS = (
    "X-GitHub-Event",
    "X-GitHub-Delivery",
    "X-Hub-Signature",
    "X-Hub-Signature-256",
    "X-GitHub-Hook-ID",
    "X-GitHub-Hook-Installation-Target-ID",
    "X-GitHub-Hook-Installation-Target-Type",
    "Content-Type",
)


# Prow's external plugins Bowsprit has built in: configured as external plugins without an
# endpoint (Prow's default http://<name>, a service Bowsprit does not ship), they run in
# hook's process instead of being forwarded.
BUILT_IN = frozenset({"needs-rebase"})
# The GitHub event types each typed event comes from.
EVENT_TYPES: dict[type, frozenset[str]] = {
    events.PullRequestEvent: frozenset({"pull_request"}),
    events.PushEvent: frozenset({"push"}),
    events.IssueEvent: frozenset({"issues"}),
    events.GenericCommentEvent: frozenset(
        {
            "issue_comment",
            "issues",
            "pull_request",
            "pull_request_review",
            "pull_request_review_comment",
        }
    ),
}


def built_in(plugin: ExternalPlugin) -> bool:
    return plugin.endpoint is None and plugin.name in BUILT_IN


def in_process(plugins: list[ExternalPlugin] | None, event: events.Event) -> list[str]:
    """Names of the built-in external plugins configured to take this event."""
    kinds = EVENT_TYPES.get(type(event), frozenset())
    return [
        plugin.name
        for plugin in plugins or []
        if built_in(plugin) and (not plugin.events or kinds & set(plugin.events))
    ]


def endpoint(plugin: ExternalPlugin) -> str:
    return plugin.endpoint or f"http://{plugin.name}"


def matching(plugins: list[ExternalPlugin], event_type: str) -> list[ExternalPlugin]:
    """Plugins to forward this event type to (no events listed: every event); built-in
    ones run in process instead."""
    return [
        plugin
        for plugin in plugins
        if not built_in(plugin) and (not plugin.events or event_type in plugin.events)
    ]


def forwarded_headers(headers: Mapping[str, str]) -> dict[str, str]:
    found = {name: headers[name] for name in FORWARDED_HEADERS if name in headers}
    found["User-Agent"] = "ProwHook"
    return found


@dataclass
class Forwarder:
    concurrency: int = 32
    max_pending: int = 10000
    attempts: int = 5
    backoff: float = 0.1  # doubled after each failed attempt, as Prow's hook
    timeout: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _session: aiohttp.ClientSession | None = field(default=None, init=False)
    _slots: asyncio.Semaphore | None = field(default=None, init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    def forward(
        self, plugins: list[ExternalPlugin], headers: Mapping[str, str], body: bytes
    ) -> None:
        """Start delivering to each plugin; returns at once."""
        sent = forwarded_headers(headers)
        for plugin in plugins:
            if len(self._tasks) >= self.max_pending:
                FORWARDED.labels(plugin.name, "dropped").inc()
                logger.error(
                    "external plugin %s: %d deliveries waiting, dropped one",
                    plugin.name,
                    len(self._tasks),
                )
                continue
            task = asyncio.create_task(self._deliver(plugin, sent, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, plugin: ExternalPlugin, headers: dict[str, str], body: bytes) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        url, delay, problem = endpoint(plugin), self.backoff, ""
        async with self._slots:
            for attempt in range(self.attempts):
                try:
                    async with self._session.post(url, data=body, headers=headers) as response:
                        text = await response.text(errors="replace")
                        if 200 <= response.status < 300:
                            FORWARDED.labels(plugin.name, "delivered").inc()
                            return
                        problem = f"status {response.status}: {text[:200]}"
                        if response.status < 500:
                            break  # the plugin refused it; sending again would not help
                except (aiohttp.ClientError, TimeoutError) as error:
                    problem = str(error) or type(error).__name__
                if attempt + 1 < self.attempts:
                    await self.sleep(delay)
                    delay *= 2
        FORWARDED.labels(plugin.name, "failed").inc()
        logger.error("external plugin %s at %s: %s", plugin.name, url, problem)

    async def drain(self, timeout: float) -> None:
        """Let deliveries in flight finish (at most `timeout` seconds), then close."""
        if self._tasks:
            done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in pending:
                task.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None
