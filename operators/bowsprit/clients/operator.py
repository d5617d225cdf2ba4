"""Running a component as a kopf operator: the flags they share, and the wiring."""

from __future__ import annotations

import argparse
import asyncio
import logging

import kopf
from prometheus_client import start_http_server

from bowsprit.clients.kube import add_config_flags, add_kube_flags


def add_operator_flags(parser: argparse.ArgumentParser) -> None:
    add_kube_flags(parser)
    add_config_flags(parser)
    parser.add_argument("--metrics-port", type=int, default=9090, help="0 turns /metrics off")
    parser.add_argument("--health-port", type=int, default=8081, help="port of /healthz")
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="do not coordinate with other replicas (kopf peering)",
    )


def run_operator(registry: kopf.OperatorRegistry, memo: object, args: argparse.Namespace) -> int:
    """Serve metrics and /healthz, and run the registry's handlers until SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.metrics_port:
        start_http_server(args.metrics_port, addr="0.0.0.0")
    asyncio.run(
        kopf.operator(
            registry=registry,
            memo=memo,
            clusterwide=True,
            standalone=args.standalone,
            liveness_endpoint=f"http://0.0.0.0:{args.health_port}/healthz",
        )
    )
    return 0
