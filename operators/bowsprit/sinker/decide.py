"""What sinker deletes: a pure function of the ProwJobs, the job pods, the config and the time.

Prow's rules (PROW-REFERENCE 4.2): completed ProwJobs older than max_prowjob_age (by
start time) go, except the newest ProwJob of every Periodic that still exists; job pods
go when older than max_pod_age, when their ProwJob completed longer ago than
terminated_pod_ttl (default max_pod_age), or when their ProwJob is gone (orphans, once
older than 30 s); a pod whose ProwJob exists and is incomplete is never deleted.
Every deletion carries the object's uid, so it can never remove a recreated namesake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bowsprit.api.prowconfig import SinkerConfig

ORPHAN_GRACE = timedelta(seconds=30)
BUILD_CLUSTER = "default"  # Bowsprit runs every job pod in its own cluster, Prow's "default"
PERIODIC_LABEL = "bowsprit.dev/periodic"
PERIODIC_NAMESPACE_LABEL = "bowsprit.dev/periodic-namespace"


@dataclass(frozen=True)
class Job:
    """A ProwJob as sinker sees it."""

    namespace: str
    name: str
    uid: str
    start: datetime
    completion: datetime | None
    periodic: str | None = None  # the Periodic that created it (its label)
    periodic_namespace: str | None = None  # that Periodic's namespace (its label)

    def periodic_key(self) -> tuple[str, str] | None:
        """(namespace, label value) of its Periodic; runs made before horologium recorded
        the namespace belong to a Periodic of their own namespace."""
        if not self.periodic:
            return None
        return (self.periodic_namespace or self.namespace, self.periodic)


@dataclass(frozen=True)
class Pod:
    """A job pod as sinker sees it: `job` is its ProwJob's name (label prow.k8s.io/id)."""

    namespace: str
    name: str
    uid: str
    job: str
    created: datetime
    started: datetime | None


@dataclass(frozen=True)
class Deletion:
    """Delete this object if it still has this uid."""

    kind: str  # ProwJob or Pod
    namespace: str
    name: str
    uid: str
    reason: str


def decide(
    jobs: list[Job],
    pods: list[Pod],
    periodics: set[tuple[str, str]],
    config: SinkerConfig,
    now: datetime,
) -> list[Deletion]:
    if BUILD_CLUSTER in (config.exclude_clusters or []):
        pods = []  # Prow's exclude_clusters: the build cluster's pods are not sinker's
    return _old_jobs(jobs, periodics, config, now) + _pods(jobs, pods, config, now)


def decide_pods(
    jobs: list[Job], pods: list[Pod], config: SinkerConfig, now: datetime
) -> list[Deletion]:
    """Only the pods' deletions: for the pods of one build cluster at a time."""
    return _pods(jobs, pods, config, now)


def _old_jobs(
    jobs: list[Job], periodics: set[tuple[str, str]], config: SinkerConfig, now: datetime
) -> list[Deletion]:
    """`periodics`: (namespace, label value of the name) of every Periodic that exists."""
    newest: dict[tuple[str, str], Job] = {}
    for job in jobs:
        key = job.periodic_key()
        if key is not None and key in periodics:
            kept = newest.get(key)
            if kept is None or job.start > kept.start:
                newest[key] = job
    protected = {job.uid for job in newest.values()}
    return [
        Deletion("ProwJob", job.namespace, job.name, job.uid, "max_prowjob_age")
        for job in jobs
        if job.completion is not None
        and now - job.start > config.max_prowjob_age
        and job.uid not in protected
    ]


def _pods(jobs: list[Job], pods: list[Pod], config: SinkerConfig, now: datetime) -> list[Deletion]:
    by_name = {job.name: job for job in jobs}
    ttl = config.terminated_pod_ttl or config.max_pod_age
    deletions = []
    for pod in pods:
        reason = _pod_reason(pod, by_name.get(pod.job), config.max_pod_age, ttl, now)
        if reason:
            deletions.append(Deletion("Pod", pod.namespace, pod.name, pod.uid, reason))
    return deletions


def _pod_reason(
    pod: Pod, job: Job | None, max_age: timedelta, ttl: timedelta, now: datetime
) -> str | None:
    if job is None:
        return "orphaned" if now - pod.created > ORPHAN_GRACE else None
    if job.completion is None:
        return None  # plank would only recreate it
    if pod.started is not None and now - pod.started > max_age:
        return "max_pod_age"
    if now - job.completion > ttl:
        return "terminated_pod_ttl"
    return None
