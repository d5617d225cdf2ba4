"""plank across build clusters: a pod watch per API server, the bounded wait for a
cluster that cannot be reached, and the periodic status check (which also picks up
rotated credentials and re-opens the watches they concern)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from bowsprit.clients.buildclusters import (
    BuildClusters,
    ClusterUnavailable,
    ClusterUnreachable,
    UnknownCluster,
)
from bowsprit.clients.cluster import Cluster
from bowsprit.clients.informer import Informer
from bowsprit.plank.clusterstatus import sync_once
from bowsprit.plank.watches import PodStore

if TYPE_CHECKING:
    from bowsprit.plank.registry import Deps

logger = logging.getLogger("bowsprit.plank")
SYNC_WAIT = 10.0
"""How long start-up waits for a build cluster's first pod list (the control plane's is
always awaited): an unreachable cluster must not keep plank from running the others."""
POD_SELECTOR = "created-by-prow=true"
Unreachable = (ClusterUnreachable, ClusterUnavailable)


def server_of(clusters: BuildClusters) -> Callable[[str], str | None]:
    def server(alias: str) -> str | None:
        try:
            return clusters.server(alias)
        except (UnknownCluster, ClusterUnavailable):
            return None

    return server


def sync_pod_watches(deps: Deps, loop: asyncio.AbstractEventLoop) -> list[Informer]:
    """One pod watch per distinct server of the build clusters; watches of servers gone
    or whose client changed (new credentials) are stopped. Returns the new ones."""
    assert deps.build_clusters is not None
    wanted = deps.build_clusters.servers()
    started = []
    for server, (cluster, informer) in list(deps.pod_watches.items()):
        if wanted.get(server) is not cluster:
            informer.stop()
            del deps.pod_watches[server]
        if server not in wanted:
            # Out of sight now: its jobs see no pod and act on that (as Prow after a
            # restart with other kubeconfigs).
            for name in deps.state.pod_names(server):
                deps.state.forget_pod(name, server)
                deps.enqueue(name)
    for server, cluster in wanted.items():
        if server in deps.pod_watches:
            continue
        store = PodStore(deps, loop, server)
        informer = Informer(cluster.api, "pods", store, deps.config.pod_namespace, POD_SELECTOR)
        deps.pod_watches[server] = (cluster, informer.start())
        started.append(informer)
    return started


async def wait_synced(informers: list[Informer], control_plane: Cluster) -> None:
    home = control_plane.api.configuration.host
    for informer in informers:
        host = informer.api.configuration.host
        if host == home:
            await asyncio.to_thread(informer.synced.wait)
        elif not await asyncio.to_thread(informer.synced.wait, SYNC_WAIT):
            logger.warning("pods of the build cluster at %s not listed yet; going on", host)


def give_up(deps: Deps, name: str, now: datetime) -> bool:
    """Whether a job whose cluster cannot be reached has waited long enough
    (`plank.unreachable_cluster_timeout`, counted from the first failure)."""
    since = deps.unreachable_since.setdefault(name, now)
    return now - since >= deps.config.plank.unreachable_cluster_timeout


async def status_loop(deps: Deps) -> None:
    """Every `cluster_check_period` (a minute, as Prow's): reload changed credentials
    (re-opening their watches), check every cluster, publish the result (metrics,
    ProwConfig status)."""
    assert deps.build_clusters is not None
    loop = asyncio.get_running_loop()
    seen: set[str] = set()
    while True:
        try:
            if await asyncio.to_thread(deps.build_clusters.reload_if_changed):
                sync_pod_watches(deps, loop)
            await asyncio.to_thread(
                sync_once,
                deps.build_clusters,
                deps.cluster,
                deps.config_namespace,
                deps.config_name,
                deps.config.pod_namespace,
                deps.clock(),
                seen,
            )
        except Exception:  # noqa: BLE001 - the next round tries again
            logger.exception("build cluster check failed")
        await asyncio.sleep(deps.cluster_check_period)
