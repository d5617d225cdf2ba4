"""Carry out sinker's deletions through the API, with uid preconditions."""

from __future__ import annotations

import logging

from prometheus_client import Counter

from bowsprit.clients.cluster import ApiError, Cluster
from bowsprit.sinker.decide import Deletion

logger = logging.getLogger("bowsprit.sinker")

DELETED = Counter("sinker_objects_deleted", "Objects sinker deleted", ["kind", "reason"])
FAILED = Counter("sinker_delete_errors", "Deletions that failed", ["kind"])


def carry_out(
    cluster: Cluster,
    deletions: list[Deletion],
    prowjob_namespace: str,
    dry_run: bool,
    control_plane: Cluster | None = None,
) -> int:
    """Delete what was decided, in `cluster` (pods of a build cluster; ProwJobs are on
    `control_plane`, the same cluster when not given); returns how many went. A 404, or a
    409 because the uid no longer matches, means the object is gone or was replaced."""
    jobs_cluster = control_plane or cluster
    done = 0
    for deletion in deletions:
        orphan_check = deletion.reason == "orphaned"
        if orphan_check and jobs_cluster.get_custom(prowjob_namespace, "prowjobs", deletion.name):
            continue  # its ProwJob appeared since the listing: not an orphan after all
        if dry_run:
            logger.info(
                "dry run: would delete %s %s/%s (%s)",
                deletion.kind,
                deletion.namespace,
                deletion.name,
                deletion.reason,
            )
            continue
        try:
            if deletion.kind == "Pod":
                cluster.delete_pod(deletion.namespace, deletion.name, deletion.uid)
            else:
                cluster.delete_custom(deletion.namespace, "prowjobs", deletion.name, deletion.uid)
        except ApiError as error:
            if error.status not in (404, 409):
                FAILED.labels(deletion.kind).inc()
                logger.warning(
                    "deleting %s %s/%s failed: %s",
                    deletion.kind,
                    deletion.namespace,
                    deletion.name,
                    error.reason,
                )
            continue
        DELETED.labels(deletion.kind, deletion.reason).inc()
        logger.info(
            "deleted %s %s/%s (%s)",
            deletion.kind,
            deletion.namespace,
            deletion.name,
            deletion.reason,
        )
        done += 1
    return done
