"""Running a component as a kopf operator: the flags they share, and the wiring."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar

import kopf
from prometheus_client import start_http_server

from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.clients.cluster import Cluster
from bowsprit.clients.kube import (
    add_config_flags,
    add_kube_flags,
    api_client,
    connection_info,
    read_prow_config,
)
from bowsprit.lib import logs
from bowsprit.lib.clock import Clock, utc_now

logger = logging.getLogger("bowsprit.operator")


@dataclass
class OperatorDeps:
    """What every operator's handlers share through kopf's memo (shared, never copied)."""

    cluster: Cluster
    config_namespace: str
    config_name: str
    dry_run: bool
    clock: Clock = utc_now
    pool_size: ClassVar[int | None] = None
    """Connections kept alive to the API server: the threads that call it at once."""

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Any:
        return cls(
            Cluster(api_client(args.kubeconfig, cls.pool_size)),
            args.config_namespace,
            args.config_name,
            args.dry_run,
        )

    def prow_config(self) -> ProwConfigSpec:
        """The installation's settings, read again on every pass so changes take effect."""
        return read_prow_config(self.cluster.api, self.config_namespace, self.config_name)

    def __copy__(self) -> OperatorDeps:
        return self


def login(memo: Any, **_: Any) -> kopf.ConnectionInfo:
    """kopf's login handler: a registry of our own gets no default one, so kopf uses the
    connection the component's own client was configured with (--kubeconfig, in-cluster,
    KUBECONFIG)."""
    return kopf.ConnectionInfo(**connection_info(memo.cluster.api.configuration))


def add_operator_flags(parser: argparse.ArgumentParser) -> None:
    add_kube_flags(parser)
    add_config_flags(parser)
    parser.add_argument("--metrics-port", type=int, default=9090, help="0 turns /metrics off")
    parser.add_argument("--health-port", type=int, default=8081, help="port of /healthz")
    logs.add_log_flags(parser)
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="do not coordinate with other replicas (kopf peering)",
    )


def run_operator(
    registry: kopf.OperatorRegistry,
    memo: object,
    args: argparse.Namespace,
    namespaces: list[str] | None = None,
) -> int:
    """Serve metrics and /healthz, and run the registry's handlers until SIGTERM: in
    `namespaces` only when given (least privilege), else cluster-wide."""
    logs.setup(getattr(args, "command", None) or "bowsprit", args.log_format)
    if args.metrics_port:
        start_http_server(args.metrics_port, addr="0.0.0.0")
    asyncio.run(
        _operate(
            kopf.operator(
                registry=registry,
                memo=memo,
                clusterwide=namespaces is None,
                namespaces=namespaces or (),
                standalone=args.standalone,
                liveness_endpoint=f"http://0.0.0.0:{args.health_port}/healthz",
            )
        )
    )
    return 0


async def _operate(operator: Coroutine[Any, Any, None]) -> None:
    asyncio.get_running_loop().set_exception_handler(quiet_watch_closing)
    await operator


def quiet_watch_closing(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's exception handler, except for one kopf shutdown race: a watch stream
    (kopf's `infinite_watch`) left to asyncio's async-generator finalizer when the operator
    stops mid-stream under load fails to close ("generator didn't stop after athrow()" in
    kopf's streaming_block). The process is exiting and nothing is lost, so that one is
    logged at debug level rather than as an error; everything else goes on as asyncio's."""
    agen = context.get("asyncgen")
    if agen is not None and getattr(agen, "__name__", "") == "infinite_watch":
        logger.debug("kopf watch stream closed at exit: %s", context.get("exception"))
        return
    loop.default_exception_handler(context)
