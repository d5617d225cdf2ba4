"""`bowsprit deck`: the dashboard. Prow's flag names where they exist (--port,
--hook-url, --github-oauth-config-file, --cookie-secret, --rerun-creates-job,
--show-hidden, --hiddenonly, --s3-credentials-file, --kubeconfig)."""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from bowsprit.clients.artifacts import BrowsableStore, open_bucket
from bowsprit.clients.buildclusters import BuildClusters, add_build_cluster_flags
from bowsprit.clients.cluster import Cluster
from bowsprit.clients.github import GitHubClient, GitHubError, add_github_flags, settings_from_args
from bowsprit.clients.informer import Informer, stop_all
from bowsprit.clients.kube import add_config_flags, add_kube_flags, api_client, read_prow_config
from bowsprit.clients.oauth import GitHubOAuth, OAuthConfig, OAuthError
from bowsprit.deck.auth import Signer
from bowsprit.deck.context import Deck
from bowsprit.deck.server import app
from bowsprit.deck.store import ObjectStore
from bowsprit.lib.clock import random_name, utc_now
from bowsprit.lib.shutdown import exit_now_if_threads_linger

logger = logging.getLogger("bowsprit.deck")
SYNC_TIMEOUT = 60.0


def add_flags(parser: argparse.ArgumentParser) -> None:
    add_kube_flags(parser)
    add_build_cluster_flags(parser)  # /log reads a running job's pod in its build cluster
    add_config_flags(parser)
    add_github_flags(parser)
    parser.add_argument("--port", type=int, default=8080, help="port of the dashboard")
    parser.add_argument("--hook-url", default="", help="hook's base URL, for /command-help")
    parser.add_argument(
        "--s3-credentials-file", default="", help="Prow's s3-credentials JSON for reading buckets"
    )
    parser.add_argument(
        "--github-oauth-config-file",
        default="",
        help="GitHub OAuth app (client_id, client_secret, redirect_url): enables login",
    )
    parser.add_argument(
        "--github-web-url", default="https://github.com", help="where GitHub's OAuth pages are"
    )
    parser.add_argument(
        "--cookie-secret",
        type=Path,
        default=None,
        help="file with at least 32 bytes signing sessions and CSRF tokens; without it a "
        "random secret is made at start (logins then end with the pod and need one replica)",
    )
    parser.add_argument(
        "--metrics-port", type=int, default=9090, help="port of /metrics (0: only on --port)"
    )
    parser.add_argument("--health-port", type=int, default=0, help="extra port of /healthz")
    parser.add_argument(
        "--rerun-creates-job",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="POST /rerun creates the ProwJob",
    )
    parser.add_argument("--show-hidden", action="store_true", help="also show hidden jobs")
    parser.add_argument("--hiddenonly", action="store_true", help="show only hidden jobs")
    parser.add_argument(
        "--secure-cookies", action="store_true", help="cookies only over HTTPS (behind TLS)"
    )
    parser.add_argument(
        "--extensions-dir",
        type=Path,
        default=None,
        help="folder served at /static/extensions (branding logo and favicon, as Prow's)",
    )
    parser.add_argument(
        "--watch-namespace",
        default="",
        help="read ProwJobs from this namespace (default: the ProwConfig's prowjob_namespace)",
    )


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        secret = args.cookie_secret.read_bytes().strip() if args.cookie_secret else os.urandom(32)
        signer = Signer(secret)
        oauth = (
            OAuthConfig.from_file(args.github_oauth_config_file)
            if args.github_oauth_config_file
            else None
        )
    except (OSError, ValueError, OAuthError) as error:
        print(f"bowsprit deck: {error}", file=sys.stderr)
        return 2
    return exit_now_if_threads_linger(asyncio.run(serve(args, signer, oauth)))


def hook_help(url: str) -> Any:
    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(f"{url.rstrip('/')}/plugin-help")
            response.raise_for_status()
            found: dict[str, Any] = response.json()
            return found

    return fetch


def build(
    args: argparse.Namespace,
    cluster: Cluster,
    signer: Signer,
    oauth: OAuthConfig | None,
    github: GitHubClient | None,
    bot: str,
) -> tuple[Deck, list[Informer]]:
    deck = Deck(
        prowjobs=ObjectStore(),
        prow_configs=ObjectStore(),
        tidepools=ObjectStore(),
        open_bucket=_bucket_opener(args.s3_credentials_file or None),
        cluster=cluster,
        clock=utc_now,
        new_name=random_name,
        signer=signer,
        config_name=args.config_name,
        plugin_help=hook_help(args.hook_url) if args.hook_url else None,
        github=github,
        oauth=GitHubOAuth(oauth, args.github_web_url, github_api(args)) if oauth else None,
        bot=bot,
        show_hidden=args.show_hidden,
        hidden_only=args.hiddenonly,
        rerun_creates_job=args.rerun_creates_job,
        secure_cookies=args.secure_cookies,
        extensions_dir=args.extensions_dir,
        pods_in=BuildClusters.from_args(args, cluster).get_fresh,
    )
    # ProwJobs live in the ProwConfig's prowjob_namespace (deck's Role is there).
    namespace = (
        args.watch_namespace
        or read_prow_config(cluster.api, args.config_namespace, args.config_name).prowjob_namespace
    )
    informers = [
        Informer(cluster.api, "prowjobs", deck.prowjobs, namespace),
        Informer(cluster.api, "prowconfigs", deck.prow_configs, args.config_namespace),
        Informer(cluster.api, "tidepools", deck.tidepools),
        Informer(cluster.api, "pluginconfigs", deck.plugin_configs),
        *(Informer(cluster.api, plural, store) for plural, store in deck.definitions.items()),
    ]
    return deck, informers


def github_api(args: argparse.Namespace) -> str:
    endpoints = args.github_endpoint or ["https://api.github.com"]
    return str(endpoints[0])


def _bucket_opener(credentials: str | None) -> Any:
    @functools.lru_cache(maxsize=32)
    def opener(bucket: str) -> BrowsableStore:
        return open_bucket(bucket, credentials)

    return opener


async def serve(args: argparse.Namespace, signer: Signer, oauth: OAuthConfig | None) -> int:
    cluster = Cluster(api_client(args.kubeconfig))
    github: GitHubClient | None = None
    bot = ""
    if args.github_token_path or args.github_app_id:
        github = GitHubClient(settings_from_args(args))
        try:
            bot = await github.bot_login()
        except GitHubError as error:
            print(f"bowsprit deck: cannot log in to GitHub: {error}", file=sys.stderr)
            return 1
    deck, informers = build(args, cluster, signer, oauth, github, bot)
    for informer in informers:
        informer.start()
    try:
        for informer in informers:
            if not await asyncio.to_thread(informer.synced.wait, SYNC_TIMEOUT):
                print(f"bowsprit deck: could not list {informer.plural}", file=sys.stderr)
                return 1
        runner = web.AppRunner(app(deck), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "0.0.0.0", args.port).start()
        for port in {args.metrics_port, args.health_port} - {0, args.port}:
            await web.TCPSite(runner, "0.0.0.0", port).start()
        logger.info("deck serving on port %d", args.port)
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopped.set)
        await stopped.wait()
        await runner.cleanup()
        return 0
    finally:
        # Joined: a daemon thread running at finalisation can abort the process.
        running = await asyncio.to_thread(stop_all, informers, SYNC_TIMEOUT / 6)
        if running:
            logger.warning("informers still running: %s", running)
        if github is not None:
            await github.aclose()
        cluster.api.close()  # type: ignore[no-untyped-call]
