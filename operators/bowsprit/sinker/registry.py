"""sinker as a kopf operator: one cleanup pass every resync_period, until stopped.

kopf brings login, liveness, peering and a clean SIGTERM; sinker has no per-object
handlers, so the pass runs as a task started at startup and cancelled at cleanup.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import kopf

from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.clients.buildclusters import BuildClusters
from bowsprit.clients.operator import OperatorDeps, login
from bowsprit.lib.labels import identifying
from bowsprit.sinker.apply import carry_out
from bowsprit.sinker.decide import Job, decide, decide_pods
from bowsprit.sinker.observe import job_from, pod_from

logger = logging.getLogger("bowsprit.sinker")


@dataclass
class Deps(OperatorDeps):
    """What the handlers share: the common parts and the running cleanup loop."""

    task: asyncio.Task[None] | None = field(default=None)
    build_clusters: BuildClusters | None = field(default=None)

    def __copy__(self) -> Deps:
        return self


def clean_once(deps: Deps) -> tuple[ProwConfigSpec, int]:
    """One pass: read the config and the cluster, decide, delete. Blocking; run in a thread."""
    config = deps.prow_config()
    # Page by page: only the compact Jobs are kept.
    jobs = [
        job_from(item) for item in deps.cluster.iter_custom(config.prowjob_namespace, "prowjobs")
    ]
    # Runs name their Periodic by label value (which long names shorten) and namespace;
    # Periodics live in any namespace, so all are listed.
    periodics = {
        (item["metadata"]["namespace"], identifying(item["metadata"]["name"]))
        for item in deps.cluster.list_custom_everywhere("periodics")
    }
    now = deps.clock()
    deletions = decide(jobs, [], periodics, config.sinker, now)
    deleted = _clean_pods(deps, config, jobs, now)
    return config, deleted + carry_out(
        deps.cluster, deletions, config.prowjob_namespace, deps.dry_run
    )


def _clean_pods(deps: Deps, config: ProwConfigSpec, jobs: list[Job], now: datetime) -> int:
    """Pods in every build cluster but those of `sinker.exclude_clusters` (Prow's rule);
    a cluster that cannot be reached is logged and the others still cleaned."""
    clusters = deps.build_clusters or BuildClusters.single(deps.cluster)
    clusters.reload_if_changed()
    excluded = set(config.sinker.exclude_clusters or ())
    deleted = 0
    servers: set[str] = set()
    for alias, cluster in clusters.items():
        # A kubeconfig's current context is also `default`: one server is cleaned once.
        if alias in excluded or cluster.api.configuration.host in servers:
            continue
        servers.add(cluster.api.configuration.host)
        try:
            listed = cluster.iter_pods(config.pod_namespace, "created-by-prow=true")
            pods = [pod_from(item) for item in listed]
            deleted += carry_out(
                cluster,
                decide_pods(jobs, pods, config.sinker, now),
                config.prowjob_namespace,
                deps.dry_run,
                control_plane=deps.cluster,
            )
        except Exception:  # noqa: BLE001 - one cluster down must not stop the others
            logger.exception("cleaning pods in build cluster %s failed", alias)
    return deleted


async def _loop(deps: Deps) -> None:
    while True:
        try:
            config, deleted = await asyncio.to_thread(clean_once, deps)
            logger.info("cleanup pass done: %d object(s) deleted", deleted)
            period = config.sinker.resync_period.total_seconds()
        except Exception:  # noqa: BLE001 - a failed pass is retried, never fatal
            logger.exception("cleanup pass failed; retrying in a minute")
            period = 60.0
        await asyncio.sleep(period)


def build_registry() -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()

    kopf.on.login(registry=registry)(login)

    @kopf.on.startup(registry=registry)
    async def start(memo: Any, settings: kopf.OperatorSettings, **_: Any) -> None:
        settings.posting.enabled = False
        memo.task = asyncio.create_task(_loop(memo))

    @kopf.on.cleanup(registry=registry)
    async def stop(memo: Any, **_: Any) -> None:
        if memo.task is not None:
            memo.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await memo.task

    return registry
