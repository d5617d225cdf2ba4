"""Build-cluster status (Prow's syncClusterStatus): every minute plank checks that it can
work on test pods in each build cluster, and publishes what it found as metrics and on
the ProwConfig's status (`status.build_clusters`, condition `BuildCluster`), where Prow
writes a file to its bucket instead. Also where rotated credentials are picked up."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from prometheus_client import Gauge

from bowsprit.clients.buildclusters import REACHABLE, STATUSES, BuildClusters, check_all
from bowsprit.clients.cluster import ApiError, Cluster
from bowsprit.lib.clock import rfc3339

logger = logging.getLogger("bowsprit.plank")

STATE = Gauge(
    "plank_build_cluster_status",
    "1 for each build cluster's current state (Reachable, No-Manager, Error, MissingPermissions)",
    ["cluster", "status"],
)


def condition(
    statuses: dict[str, str], previous: list[dict[str, Any]] | None, now: datetime
) -> dict[str, Any]:
    """The `BuildCluster` condition: True when every alias is Reachable; the transition
    time moves only when the status does."""
    bad = {alias: state for alias, state in statuses.items() if state != REACHABLE}
    status = "False" if bad else "True"
    message = (
        "; ".join(f"{alias}: {state}" for alias, state in sorted(bad.items()))
        if bad
        else f"{len(statuses)} build cluster(s) reachable"
    )
    old = next((c for c in previous or [] if c.get("type") == "BuildCluster"), None)
    since = old["lastTransitionTime"] if old and old.get("status") == status else rfc3339(now)
    return {
        "type": "BuildCluster",
        "status": status,
        "reason": "Unreachable" if bad else "AllReachable",
        "message": message,
        "lastTransitionTime": since,
    }


def status_patch(
    statuses: dict[str, str], previous: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The ProwConfig status to write; other conditions are kept."""
    others = [c for c in previous.get("conditions") or [] if c.get("type") != "BuildCluster"]
    return {
        "build_clusters": statuses,
        "conditions": [*others, condition(statuses, previous.get("conditions"), now)],
    }


def changed(statuses: dict[str, str], previous: dict[str, Any]) -> bool:
    """Whether the status needs writing: every operator watches ProwConfigs (plank looks
    at its blocked jobs again on each change), so an unchanged check writes nothing and
    the metrics carry the freshness."""
    return previous.get("build_clusters") != statuses or not any(
        c.get("type") == "BuildCluster" for c in previous.get("conditions") or []
    )


def publish_metrics(statuses: dict[str, str], forgotten: set[str]) -> None:
    for alias in forgotten:
        for state in STATUSES:
            STATE.remove(alias, state)
    for alias, current in statuses.items():
        for state in STATUSES:
            STATE.labels(alias, state).set(1 if state == current else 0)


def sync_once(
    clusters: BuildClusters,
    control_plane: Cluster,
    config_namespace: str,
    config_name: str,
    pod_namespace: str,
    now: datetime,
    seen: set[str],
) -> dict[str, str]:
    """Check every cluster and publish. Blocking; run in a thread. `seen` is the aliases
    published before (updated), so removed ones leave the metrics.

    Never reloads credentials itself: the caller does, and re-opens the pod watches the
    new clients concern (a reload here went unnoticed by plank, which went on watching
    the old server of a moved cluster)."""
    statuses = check_all(clusters, pod_namespace)
    publish_metrics(statuses, seen - set(statuses))
    seen.clear()
    seen.update(statuses)
    current = control_plane.get_custom(config_namespace, "prowconfigs", config_name)
    if current is None or not changed(statuses, current.get("status") or {}):
        return statuses  # nothing new, or Prow's defaults in use: nowhere to write
    try:
        control_plane.patch_custom_status(
            config_namespace,
            "prowconfigs",
            config_name,
            status_patch(statuses, current.get("status") or {}, now),
        )
    except ApiError as error:
        logger.warning("build cluster status not written: %s", error.reason)
    return statuses
