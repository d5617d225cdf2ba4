"""`bowsprit hook`: GitHub webhooks to plugins and ProwJobs, as Prow's hook (flags keep
Prow's names: --port, --hmac-secret-file, --github-endpoint, --github-token-path,
--github-app-id, --github-app-private-key-path, --dry-run, --kubeconfig)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiohttp import web

from bowsprit.clients.cluster import Cluster
from bowsprit.clients.github import GitHubClient, GitHubError, add_github_flags, settings_from_args
from bowsprit.clients.informer import Informer, stop_all
from bowsprit.clients.kube import add_config_flags, add_kube_flags, api_client
from bowsprit.hook.apply import Applier
from bowsprit.hook.caches import Caches
from bowsprit.hook.server import MAX_BODY_BYTES, Hook
from bowsprit.hook.tokens import TokenFile, TokenFileError
from bowsprit.hook.trustcache import TrustCache
from bowsprit.jobpod.jobs import PLURALS
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
    parser.add_argument("--plugin-workers", type=int, default=16, help="events handled at once")
    parser.add_argument(
        "--queue-size", type=int, default=1000, help="accepted events waiting for a worker, at most"
    )
    parser.add_argument(
        "--max-body-bytes", type=int, default=MAX_BODY_BYTES, help="larger webhooks get 413"
    )
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


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        tokens = TokenFile(args.hmac_secret_file).load()
    except (OSError, UnicodeDecodeError, TokenFileError) as error:
        print(f"bowsprit hook: --hmac-secret-file: {error}", file=sys.stderr)
        return 2
    # asyncio.run joins the ProwJob-create threads; serve() stops and joins the informers'.
    return exit_now_if_threads_linger(asyncio.run(serve(args, tokens)))


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
    caches = Caches(args.config_name)
    # Each plugin worker's ProwJob create runs in a thread (the client is blocking) and
    # needs a kept-alive connection: as many threads as workers (asyncio's default pool
    # has min(32, CPUs + 4)), as many connections as workers plus the watches.
    pool = args.plugin_workers + len(PLURALS) + 4
    cluster = Cluster(api_client(args.kubeconfig, pool_size=pool))
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(args.plugin_workers, thread_name_prefix="hook")
    )
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
            applier=Applier(github, cluster, dry_run=args.dry_run),
            bot=bot,
            workers=args.plugin_workers,
            queue_size=args.queue_size,
            max_body=args.max_body_bytes,
            grace_period=args.grace_period,
            resync_period=args.resync_period,
        )
        await _serve_until_stopped(hook, args.port, args.grace_period)
        return 0
    finally:
        # Joined, not just told to stop: a daemon thread still running when Python
        # finalises can kill the process with SIGABRT (see bowsprit.lib.shutdown).
        running = await asyncio.to_thread(stop_all, informers, STOP_TIMEOUT)
        if running:
            logger.warning("informers still running after %.0fs: %s", STOP_TIMEOUT, running)
        await github.aclose()
        cluster.api.close()  # type: ignore[no-untyped-call]


async def _serve_until_stopped(hook: Hook, port: int, grace_period: float) -> None:
    runner = web.AppRunner(hook.app(), shutdown_timeout=grace_period, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", port).start()
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
