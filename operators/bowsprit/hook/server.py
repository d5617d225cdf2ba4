"""hook's HTTP service: POST /hook takes GitHub webhooks, GET /plugin-help describes the
plugins, /healthz and /metrics as every component.

A webhook is checked (method, headers, size, JSON, HMAC signature, the event's shape),
acknowledged, and queued; a fixed pool of workers runs the plugins enabled for its
repository and carries out what they decide. The queue is bounded: when it is full the
request waits for room (GitHub's 10 s delivery timeout then applies) instead of growing
memory or dropping the event. On shutdown the queue is drained before exiting.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.hook import events, quickparse
from bowsprit.hook.apply import Applier
from bowsprit.hook.caches import Caches
from bowsprit.hook.effects import Effect
from bowsprit.hook.external import Forwarder, in_process, matching
from bowsprit.hook.plugins import PLUGINS
from bowsprit.hook.plugins.base import Context, GitHub, Plugin
from bowsprit.hook.plugins.owners.cache import OwnersCache
from bowsprit.hook.quickparse import Webhook
from bowsprit.hook.resync import resync_forever, resync_once
from bowsprit.hook.tidepoke import TidePoker, pokes_tide
from bowsprit.hook.tokens import TokenFile, signature_valid, tokens_for
from bowsprit.hook.trustcache import MEMBERSHIP_EVENTS, TrustCache
from bowsprit.lib.clock import NewName, random_name

logger = logging.getLogger("bowsprit.hook")

MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB

WEBHOOKS = Counter(
    "hook_webhooks", "Webhooks received, by event type and answer", ["event", "code"]
)
HANDLE_SECONDS = Histogram(
    "hook_plugin_handle_duration_seconds", "Time a plugin took on an event", ["plugin", "event"]
)
HANDLE_ERRORS = Counter("hook_plugin_handle_errors", "Plugin runs that failed", ["plugin", "event"])
QUEUED = Gauge("hook_queued_events", "Accepted events waiting for a worker")
HANDLED = Counter("hook_events_handled", "Accepted events whose plugins have all finished")


@dataclass
class Hook:
    """Everything the service needs; built by main, or by tests around fakes."""

    tokens: TokenFile
    caches: Caches
    github: GitHub
    applier: Applier
    bot: str
    workers: int = 16
    queue_size: int = 1000
    max_body: int = MAX_BODY_BYTES
    grace_period: float = 30.0
    new_name: NewName = random_name
    plugins: dict[str, Plugin] = field(default_factory=lambda: dict(PLUGINS))
    forwarder: Forwarder = field(default_factory=Forwarder)  # external plugins
    resync_period: float = 0.0  # seconds between plugins' periodic re-checks; 0: none
    owners: OwnersCache = field(default_factory=OwnersCache)  # OWNERS files by commit
    tide: TidePoker | None = None  # pokes tide on events that may change a merge decision
    # One item per webhook: its events are handled in order by one worker.
    queue: asyncio.Queue[tuple[events.Event, ...]] = field(init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)

    # The HTTP side ---------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/hook", self.hook)
        app.router.add_get("/plugin-help", self.plugin_help)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        app.on_startup.append(self._start_workers)
        app.on_shutdown.append(self._drain)
        return app

    async def hook(self, request: web.Request) -> web.Response:
        status, text = await self._check(request)
        _counted(WEBHOOKS, _event_label(request.headers.get("X-GitHub-Event", "")), status).inc()
        return web.Response(status=status, text=text + "\n")

    async def _check(self, request: web.Request) -> tuple[int, str]:
        if request.method != "POST":
            return 405, "405 Method not allowed: POST webhooks to /hook"
        event_type = request.headers.get("X-GitHub-Event", "")
        guid = request.headers.get("X-GitHub-Delivery", "")
        signature = request.headers.get("X-Hub-Signature-256", "")
        if not event_type or not guid:
            return 400, "400 Bad Request: missing X-GitHub-Event or X-GitHub-Delivery"
        if not signature:
            return 401, "401 Unauthorized: missing X-Hub-Signature-256"
        if request.content_type != "application/json":
            return 400, "400 Bad Request: hook only accepts content-type: application/json"
        body = await self._read(request)
        if body is None:
            return 413, f"413 Payload Too Large: the limit is {self.max_body} bytes"
        read = self._parse(event_type, guid, body, signature)
        if isinstance(read, tuple):
            return read
        self._forward_external(event_type, read.org, read.repo, request, body)
        self._poke_tide(event_type, read.action)
        parsed = read.events
        if not parsed:
            return 200, f"Event received (nothing in this {event_type} for plugins)"
        await self.queue.put(tuple(parsed))
        QUEUED.set(self.queue.qsize())
        return 200, "Event received. Have a nice day."

    def _parse(
        self, event_type: str, guid: str, body: bytes, signature: str
    ) -> Webhook | tuple[int, str]:
        """The webhook read and its signature checked, or the answer refusing it."""
        # The common webhook read straight into its events; any other, or one the quick
        # read is not sure of, parsed whole and checked field by field.
        quick = quickparse.pull_request(guid, body) if event_type == "pull_request" else None
        payload: Any = None
        if quick is None:
            try:
                payload = parse_json(body)
            except (ValueError, RecursionError):
                return 400, "400 Bad Request: the payload is not JSON"
            org, repo = events.repo_of(payload)
        else:
            org, repo = quick.org, quick.repo
        if not signature_valid(tokens_for(self.tokens(), org, repo), body, signature):
            return 403, "403 Forbidden: invalid X-Hub-Signature-256"
        self._membership_may_change(event_type)
        if quick is not None:
            return quick
        try:
            parsed = events.parse(event_type, guid, payload)
        except events.BadPayload as error:
            return 400, f"400 Bad Request: not a {event_type} event: {error}"
        action = payload.get("action", "") if isinstance(payload, dict) else ""
        return Webhook(org, repo, action if isinstance(action, str) else "", parsed)

    def _forward_external(
        self, event_type: str, org: str | None, repo: str | None, request: web.Request, body: bytes
    ) -> None:
        """Hand the webhook as received to the external plugins of its repository."""
        if org is None:
            return
        config = self.caches.config_for(org, repo or "")
        if config is None or not config.external_plugins:
            return
        plugins = matching(config.external_plugins, event_type)
        if plugins:
            self.forwarder.forward(plugins, request.headers, body)

    def _poke_tide(self, event_type: str, action: str) -> None:
        if self.tide is not None and pokes_tide(event_type, {"action": action}):
            self.tide.poke()  # fire and forget: never delays this answer

    def _membership_may_change(self, event_type: str) -> None:
        if event_type in MEMBERSHIP_EVENTS and isinstance(self.github, TrustCache):
            self.github.forget()  # someone may have left: trust is asked again

    async def _read(self, request: web.Request) -> bytes | None:
        """The body, or None when it is larger than allowed (read no further than that)."""
        if request.content_length is not None and request.content_length > self.max_body:
            return None
        chunks, size = [], 0
        while chunk := await request.content.read(65536):
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def plugin_help(self, request: web.Request) -> web.Response:
        return web.json_response(plugin_help(self.plugins, self.caches))

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="OK")

    async def metrics(self, request: web.Request) -> web.Response:
        response = web.Response(body=generate_latest())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    # The plugin side -------------------------------------------------------------------

    async def _start_workers(self, app: web.Application) -> None:
        self.queue = asyncio.Queue(self.queue_size)
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self.workers)]
        if self.resync_period > 0:
            self._tasks.append(asyncio.create_task(resync_forever(self.resync_period, self.resync)))

    async def resync(self) -> None:
        """One round of the plugins' periodic re-checks (needs-rebase)."""
        await resync_once(self.plugins, self.caches.all_configs(), self._context_for, self.applier)

    def _context_for(self, config: PluginConfigSpec, org: str = "", repo: str = "") -> Context:
        return Context(
            github=self.github,
            config=config,
            presubmits=self.caches.presubmits(org, repo),
            postsubmits=self.caches.postsubmits(org, repo),
            bot=self.bot,
            namespace=self.caches.prowjob_namespace(),
            new_name=self.new_name,
            owners=self.owners,
        )

    async def _drain(self, app: web.Application) -> None:
        """Finish the accepted events (for `grace_period` at most), then stop the workers."""
        try:
            await asyncio.wait_for(self.queue.join(), self.grace_period)
        except TimeoutError:
            logger.warning(
                "stopping after %.0f s with events unfinished (%d not started)",
                self.grace_period,
                self.queue.qsize(),
            )
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.forwarder.drain(self.grace_period)
        if self.tide is not None:
            await self.tide.aclose()

    async def _work(self) -> None:
        while True:
            item = await self.queue.get()
            QUEUED.set(self.queue.qsize())
            try:
                for event in item:
                    await self.dispatch(event)
            finally:
                HANDLED.inc()
                self.queue.task_done()

    async def dispatch(self, event: events.Event) -> None:
        """Run every plugin enabled for the event's repository; one failing plugin never
        stops the others nor the worker."""
        repo = event.repo
        config = self.caches.config_for(repo.org, repo.name)
        if config is None:
            return  # Prow: repositories without plugins are ignored
        context = self._context_for(config, repo.org, repo.name)
        names = list(config.plugins or [])
        names += [n for n in in_process(config.external_plugins, event) if n not in names]
        runs = [
            self._run_plugin(self.plugins[name], context, event)
            for name in names
            if name in self.plugins
        ]
        if len(runs) == 1:  # alone: awaited here, without a task and a gather around it
            await runs[0]
            return
        # Side by side, as Prow runs each plugin in its own goroutine: a plugin that waits
        # (needs-rebase for GitHub's mergeability, require-matching-label's grace period)
        # never delays trigger's jobs or the others' labels.
        await asyncio.gather(*runs)

    async def _run_plugin(self, plugin: Plugin, context: Context, event: events.Event) -> None:
        kind = _kind(event)
        started = time.monotonic()
        try:
            effects = await _handle(plugin, context, event)
            if effects:
                await self.applier.apply(effects)
        except Exception:  # noqa: BLE001 - a plugin failure is logged and counted
            _counted(HANDLE_ERRORS, plugin.name, kind).inc()
            logger.exception(
                "plugin %s failed on %s %s (%s)",
                plugin.name,
                kind,
                event.repo.full_name,
                event.guid,
            )
        finally:
            _counted(HANDLE_SECONDS, plugin.name, kind).observe(time.monotonic() - started)


def parse_json(body: bytes) -> Any:
    """A webhook's JSON: orjson's parse (a third of json's CPU), json's where orjson is
    stricter (lone surrogates), so what hook accepts is unchanged. Integers past 64 bits
    come out as floats (orjson's rule); GitHub's ids and numbers are far below."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


_CHILDREN: dict[tuple[Any, ...], Any] = {}


def _counted(metric: Any, *values: str | int) -> Any:
    """`metric.labels(*values)`, remembered: prometheus_client checks the values and takes
    a lock on every labels() call, once per webhook and plugin otherwise. The label values
    are few (event types are bounded by _event_label, plugins by the registry)."""
    key = (metric, *values)
    child = _CHILDREN.get(key)
    if child is None:
        child = _CHILDREN[key] = metric.labels(*(str(value) for value in values))
    return child


def _kind(event: events.Event) -> str:
    if isinstance(event, events.PullRequestEvent):
        return "pull_request"
    if isinstance(event, events.GenericCommentEvent):
        return "generic_comment"
    if isinstance(event, events.ReviewEvent):
        return "pull_request_review"
    if isinstance(event, events.IssueEvent):
        return "issues"
    return "push"


async def _handle(plugin: Plugin, context: Context, event: events.Event) -> list[Effect]:
    if isinstance(event, events.PullRequestEvent) and plugin.on_pull_request:
        return await plugin.on_pull_request(context, event)
    if isinstance(event, events.GenericCommentEvent) and plugin.on_generic_comment:
        return await plugin.on_generic_comment(context, event)
    if isinstance(event, events.PushEvent) and plugin.on_push:
        return await plugin.on_push(context, event)
    if isinstance(event, events.ReviewEvent) and plugin.on_review:
        return await plugin.on_review(context, event)
    if isinstance(event, events.IssueEvent) and plugin.on_issue:
        return await plugin.on_issue(context, event)
    return []


_KNOWN_EVENTS = frozenset(
    {
        "pull_request",
        "issue_comment",
        "pull_request_review",
        "pull_request_review_comment",
        "push",
        "status",
        "issues",
        "ping",
        "create",
        "delete",
        "check_run",
        "check_suite",
        "installation",
    }
)


def _event_label(event_type: str) -> str:
    """Metric label values stay few whatever a client sends."""
    return event_type if event_type in _KNOWN_EVENTS else "other"


def plugin_help(plugins: dict[str, Plugin], caches: Caches) -> dict[str, Any]:
    """Prow's /plugin-help: where each plugin is on, and each plugin's help."""
    repo_plugins: dict[str, list[str]] = {}
    for spec in caches.all_configs():
        for target in spec.repos:
            names = repo_plugins.setdefault(target, [])
            names.extend(name for name in spec.plugins or [] if name not in names)
    return {
        "AllRepos": sorted(repo_plugins),
        "RepoPlugins": {target: sorted(names) for target, names in sorted(repo_plugins.items())},
        "RepoExternalPlugins": {
            target: sorted(plugin.name for plugin in spec.external_plugins or [])
            for spec in caches.all_configs()
            for target in spec.repos
            if spec.external_plugins
        },
        "PluginHelp": {name: plugin.help_json() for name, plugin in sorted(plugins.items())},
    }
