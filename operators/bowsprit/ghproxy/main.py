"""`bowsprit ghproxy`: a caching reverse proxy for the GitHub API, with Prow's flags."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from aiohttp import web
from prometheus_client import start_http_server

from bowsprit.ghproxy.cache import GitHubCache
from bowsprit.ghproxy.server import build_app, health_app
from bowsprit.ghproxy.store import DiskStore, MemoryStore, Store
from bowsprit.ghproxy.upstream import HttpUpstream, Throttling

logger = logging.getLogger("bowsprit.ghproxy")


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--port", type=int, default=8888, help="port to serve on")
    add("--upstream", default="https://api.github.com", help="GitHub API base URL")
    add("--cache-dir", type=Path, default=None, help="keep the cache on disk here (else memory)")
    add("--cache-sizeGB", dest="cache_size_gb", type=float, default=1.0, help="disk cache bound")
    add("--memory-cache-size-mb", type=float, default=256.0, help="memory cache bound")
    add("--concurrency", type=int, default=25, help="most requests in flight to GitHub")
    add("--request-timeout", type=float, default=30.0, help="seconds per GitHub request")
    add("--throttling-time-ms", type=int, default=0, help="spacing of a token's non-GETs")
    add("--get-throttling-time-ms", type=int, default=0, help="spacing of a token's GETs")
    add("--throttling-time-v4-ms", type=int, default=0, help="spacing of GraphQL requests")
    add("--throttling-max-delay-duration-seconds", type=float, default=30.0)
    add("--throttling-max-delay-duration-v4-seconds", type=float, default=30.0)
    add(
        "--legacy-disable-disk-cache-partitions-by-auth-header",
        action="store_true",
        help="one cache for every credential (Prow's old default); off: one per credential",
    )
    add("--metrics-port", type=int, default=9090, help="0 turns /metrics off")
    add("--health-port", type=int, default=0, help="port of /healthz (default: --port)")


def _store(args: argparse.Namespace) -> Store:
    if args.cache_dir is not None:
        return DiskStore(args.cache_dir, int(args.cache_size_gb * 1e9))
    return MemoryStore(int(args.memory_cache_size_mb * 1e6))


async def serve(args: argparse.Namespace) -> None:
    upstream = HttpUpstream(
        args.upstream,
        concurrency=args.concurrency,
        timeout=args.request_timeout,
        throttling=Throttling(
            args.throttling_time_ms,
            args.get_throttling_time_ms,
            args.throttling_time_v4_ms,
            args.throttling_max_delay_duration_seconds,
            args.throttling_max_delay_duration_v4_seconds,
        ),
    )
    store = _store(args)
    cache = GitHubCache(
        upstream, store, shared_partition=args.legacy_disable_disk_cache_partitions_by_auth_header
    )
    runner = web.AppRunner(build_app(cache))
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", args.port).start()
    health = None
    if args.health_port and args.health_port != args.port:
        health = web.AppRunner(health_app())
        await health.setup()
        await web.TCPSite(health, "0.0.0.0", args.health_port).start()
    logger.info("ghproxy serving %s on port %d", args.upstream, args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    if health is not None:
        await health.cleanup()
    await upstream.aclose()
    store.close()


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.metrics_port:
        start_http_server(args.metrics_port, addr="0.0.0.0")
    asyncio.run(serve(args))
    return 0
