"""`bowsprit hook`: GitHub webhooks to plugins and ProwJobs, as Prow's hook (flags keep
Prow's names: --port, --hmac-secret-file, --github-endpoint, --github-token-path,
--github-app-id, --github-app-private-key-path, --dry-run, --kubeconfig)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvloop
from aiohttp import web

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.cluster import Cluster, event_body
from bowsprit.clients.github import GitHubClient, GitHubError, add_github_flags, settings_from_args
from bowsprit.clients.informer import Informer, stop_all
from bowsprit.clients.kube import add_config_flags, add_kube_flags, api_client
from bowsprit.clients.kube_async import AsyncKube
from bowsprit.hook.apply import Applier
from bowsprit.hook.caches import Caches
from bowsprit.hook.configstatus import AcceptedStatus
from bowsprit.hook.plugins import PLUGINS
from bowsprit.hook.server import MAX_BODY_BYTES, Hook
from bowsprit.hook.tidepoke import TidePoker
from bowsprit.hook.tokens import TokenFile, token_file
from bowsprit.hook.trustcache import TrustCache
from bowsprit.jobpod.jobs import PLURALS
from bowsprit.lib import logs
from bowsprit.lib.clock import rfc3339, utc_now
from bowsprit.lib.secretfile import SecretFile, SecretFileError
from bowsprit.lib.shutdown import exit_now_if_threads_linger

logger = logging.getLogger("bowsprit.hook")
SYNC_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0  # for the informers' threads to end after the last event was handled


def add_flags(parser: argparse.ArgumentParser) -> None:
    add_kube_flags(parser)
    add_config_flags(parser)
    add_github_flags(parser)
    parser.add_argument(
        "--port", type=int, default=8888, help="port of /hook, /plugin-help, /healthz and /metrics"
    )
    parser.add_argument(
        "--hmac-secret-file",
        type=Path,
        default=Path("/etc/webhook/hmac.yaml"),
        help="webhook secrets: Prow's YAML map ('*', org or org/repo to a list of "
        "{value, created_at}) or a single token; re-read when it changes",
    )
    parser.add_argument(
        "--watch-namespace",
        default="",
        help="read PluginConfigs and job definitions from this namespace only "
        "(default: every namespace)",
    )
    parser.add_argument(
        "--health-port",
        type=int,
        default=None,
        help="also answer /healthz on this port (default: --port only)",
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help="also answer /metrics on this port (default: --port only; 0: no other port)",
    )
    parser.add_argument("--plugin-workers", type=int, default=64, help="events handled at once")
    parser.add_argument(
        "--queue-size", type=int, default=1000, help="accepted events waiting for a worker, at most"
    )
    parser.add_argument(
        "--max-body-bytes", type=int, default=MAX_BODY_BYTES, help="larger webhooks get 413"
    )
    logs.add_log_flags(parser)
    parser.add_argument(
        "--resync-period",
        type=float,
        default=3600.0,
        help="seconds between plugins' periodic re-checks of open pull requests "
        "(needs-rebase); 0 turns them off",
    )
    parser.add_argument(
        "--grace-period",
        type=float,
        default=30.0,
        help="seconds to finish accepted events after SIGTERM",
    )
    parser.add_argument(
        "--tide-url",
        default="",
        help="tide's poke URL (http://tide:8081/poke): pull request label, push and review "
        "events make tide sync at once (default: off, tide waits for its sync period)",
    )
    parser.add_argument(
        "--tide-token-file",
        type=Path,
        default=None,
        help="file holding the token tide's --poke-token-file holds",
    )


def run(args: argparse.Namespace) -> int:
    logs.setup("hook", args.log_format)
    try:
        tokens = token_file(args.hmac_secret_file)
    except SecretFileError as error:
        print(f"bowsprit hook: --hmac-secret-file: {error}", file=sys.stderr)
        return 2
    try:
        args.tide_token = _tide_token(args.tide_url, args.tide_token_file)
    except SecretFileError as error:
        print(f"bowsprit hook: --tide-token-file: {error}", file=sys.stderr)
        return 2
    # serve() stops and joins the informers' threads. uvloop's loop: asyncio's own loop,
    # handles and transports were a tenth of hook's CPU per webhook.
    return exit_now_if_threads_linger(uvloop.run(serve(args, tokens)))


def _tide_token(url: str, path: Path | None) -> Callable[[], str]:
    """The poke token, followed as its file changes (a rotated Secret); none without."""
    if url and path is not None:
        return SecretFile(path).load()
    return lambda: ""


def _informers(args: argparse.Namespace, cluster: Cluster, caches: Caches) -> list[Informer]:
    namespace = args.watch_namespace or None
    informers = [
        Informer(cluster.api, "prowconfigs", caches.prow_configs, args.config_namespace),
        Informer(cluster.api, "pluginconfigs", caches.plugin_configs, namespace),
    ]
    informers += [
        Informer(cluster.api, PLURALS[kind], store, namespace)
        for kind, store in caches.jobs.items()
    ]
    return informers


async def serve(args: argparse.Namespace, tokens: TokenFile) -> int:
    # The blocking client serves the informers' watches (one connection each), the rare
    # Event and PluginConfig status; ProwJob creates and aborts go on the loop's own
    # session (AsyncKube), one kept-alive connection per plugin worker.
    cluster = Cluster(api_client(args.kubeconfig, pool_size=len(PLURALS) + 4))
    prowjobs = AsyncKube(cluster.api.configuration, connections=min(args.plugin_workers, 16))
    # PluginConfigs naming a plugin hook does not have are refused (logged, an Event, the
    # Accepted condition False); the others are marked Accepted.
    caches = Caches(args.config_name, known_plugins=frozenset(PLUGINS))
    refusals, status = RefusalEvents(cluster), AcceptedStatus(cluster)

    def refused(item: dict[str, Any], error: Exception) -> None:
        refusals.post(item, error)
        status.refused(item, error)

    caches.plugin_configs.on_refused = refused
    caches.plugin_configs.on_accepted = status.took
    informers = [informer.start() for informer in _informers(args, cluster, caches)]
    github = GitHubClient(settings_from_args(args))
    try:
        for informer in informers:
            if not await asyncio.to_thread(informer.synced.wait, SYNC_TIMEOUT):
                print(f"bowsprit hook: could not list {informer.plural}", file=sys.stderr)
                return 1
        try:
            bot = await github.bot_login()
        except GitHubError as error:
            print(f"bowsprit hook: cannot log in to GitHub: {error}", file=sys.stderr)
            return 1
        hook = Hook(
            tokens=tokens,
            caches=caches,
            github=TrustCache(github),  # plugins' trust checks remembered a while
            applier=Applier(github, prowjobs, dry_run=args.dry_run),
            bot=bot,
            workers=args.plugin_workers,
            queue_size=args.queue_size,
            max_body=args.max_body_bytes,
            grace_period=args.grace_period,
            resync_period=args.resync_period,
            tide=TidePoker(args.tide_url, args.tide_token) if args.tide_url else None,
        )
        extra = extra_ports(args.port, args.health_port, args.metrics_port)
        # What exists now (modules, caches as listed) lives as long as hook: out of the
        # collector's way, so its full passes over the heap do not stall webhooks.
        gc.freeze()
        # A young-generation pass every 10,000 net allocations rather than 700: each
        # webhook leaves objects alive for a while (queued events, requests in flight), and
        # at 700 the collector ran about once per 8 webhooks and took 2 % of hook's CPU.
        gc.set_threshold(10_000, 10, 10)
        await _serve_until_stopped(hook, args.port, args.grace_period, extra)
        return 0
    finally:
        # Joined, not just told to stop: a daemon thread still running when Python
        # finalises can kill the process with SIGABRT (see bowsprit.lib.shutdown).
        running = await asyncio.to_thread(stop_all, informers, STOP_TIMEOUT)
        if running:
            logger.warning("informers still running after %.0fs: %s", STOP_TIMEOUT, running)
        await github.aclose()
        await prowjobs.aclose()
        cluster.api.close()  # type: ignore[no-untyped-call]


class RefusalEvents:
    """A Warning Event on each version of a PluginConfig hook refuses, so `kubectl describe`
    shows why its plugins do not run (once per generation: re-lists and hook's own status
    writes repeat nothing)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.posted: set[tuple[str, str]] = set()

    def post(self, item: dict[str, Any], why: Exception) -> None:
        metadata = item.get("metadata") or {}
        version = metadata.get("generation") or metadata.get("resourceVersion")
        seen = (str(metadata.get("uid")), str(version))
        if seen in self.posted or not metadata.get("uid"):
            return
        self.posted.add(seen)
        body = event_body(
            {"apiVersion": f"{GROUP}/{VERSION}", "kind": "PluginConfig", "metadata": metadata},
            "Warning",
            "Refused",
            f"hook ignores this PluginConfig: {why}",
            "hook",
            rfc3339(utc_now()),
        )
        try:
            self.cluster.post_event(body)
        except Exception:  # noqa: BLE001 - the log already says it; an Event is a courtesy
            logger.warning("could not post an Event on PluginConfig %s", metadata.get("name"))


def extra_ports(port: int, health: int | None, metrics: int | None) -> dict[int, set[str]]:
    """Ports other than --port and what each answers (/healthz, /metrics)."""
    found: dict[int, set[str]] = {}
    for other, path in ((health, "/healthz"), (metrics, "/metrics")):
        if other and other != port:
            found.setdefault(other, set()).add(path)
    return found


def ops_app(hook: Hook, paths: set[str]) -> web.Application:
    """/healthz and/or /metrics alone, for a port of their own (Kubernetes probes, scrapes)."""
    app = web.Application()
    if "/healthz" in paths:
        app.router.add_get("/healthz", hook.healthz)
    if "/metrics" in paths:
        app.router.add_get("/metrics", hook.metrics)
    return app


async def _serve_until_stopped(
    hook: Hook, port: int, grace_period: float, extra: dict[int, set[str]] | None = None
) -> None:
    runner = web.AppRunner(hook.app(), shutdown_timeout=grace_period, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", port).start()
    ops = [web.AppRunner(ops_app(hook, paths), access_log=None) for paths in (extra or {}).values()]
    for other, ops_runner in zip(extra or {}, ops, strict=True):
        await ops_runner.setup()
        await web.TCPSite(ops_runner, "0.0.0.0", other).start()
    logger.info("hook serving on port %d as %s", port, hook.bot)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    await stopped.wait()
    logger.info("stopping: finishing accepted events")
    # Stops listening, lets requests in flight finish, then drains the queue (on_shutdown,
    # bounded by the same grace period).
    await runner.cleanup()
    for ops_runner in ops:
        await ops_runner.cleanup()
