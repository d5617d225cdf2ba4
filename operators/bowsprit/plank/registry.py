"""plank as a kopf operator: watch events feed a work queue; workers reconcile one ProwJob
at a time each, never the same one twice at once, and wake exactly when a timeout is due.

plank's own watches (`watches`; no finalizers, no annotations on the shared ProwJobs)
only record what they see and queue the ProwJob; kopf runs the process and follows the
ProwConfig. The rules are in `decide`, the API calls in `apply`. Nothing lists ProwJobs
after start-up (except a watch that broke).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar

import kopf
from prometheus_client import Counter, Gauge, Histogram

from bowsprit.api import GROUP, VERSION
from bowsprit.api.prowconfig import ProwConfigSpec, spec_from_event
from bowsprit.clients.buildclusters import BuildClusters
from bowsprit.clients.cluster import Cluster
from bowsprit.clients.informer import Informer
from bowsprit.clients.operator import OperatorDeps, login
from bowsprit.lib.clock import rfc3339
from bowsprit.lib.workqueue import WorkQueue
from bowsprit.plank import clusters as build
from bowsprit.plank import decide as rules
from bowsprit.plank.apply import Applier, Event, Outcome
from bowsprit.plank.buildid import BuildIds
from bowsprit.plank.concurrency import Entry
from bowsprit.plank.events import EventPoster
from bowsprit.plank.state import ClusterState, Tracked
from bowsprit.plank.watches import JobStore

logger = logging.getLogger("bowsprit.plank")
WORKERS = 16
# Retries of a failing reconcile: 0.1 s, doubling up to a minute (as client-go's queue).
BACKOFF = 0.1
MAX_BACKOFF = 60.0

TRANSITIONS = Counter("plank_transitions", "ProwJob state changes made", ["state", "type", "job"])
POD_LATENCY = Histogram(
    "plank_pod_creation_seconds",
    "From ProwJob creation to its pod's creation",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
ERRORS = Counter("plank_reconcile_errors", "Reconciles that failed and were retried")
BLOCKED = Gauge("plank_blocked_jobs", "Triggered jobs waiting for a concurrency slot")
JOBS = Gauge("plank_prowjobs", "Incomplete ProwJobs by state", ["state"])


@dataclass
class Deps(OperatorDeps):
    """What the handlers share: the common parts, plank's picture, its queue."""

    pool_size: ClassVar[int | None] = WORKERS + 4  # the workers, Events, two watches

    state: ClusterState = field(default_factory=ClusterState)
    config: ProwConfigSpec = field(default_factory=ProwConfigSpec)
    work: WorkQueue = field(default_factory=lambda: WorkQueue(BACKOFF, MAX_BACKOFF))
    blocked: set[str] = field(default_factory=set)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    informers: list[Informer] = field(default_factory=list)
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(WORKERS, thread_name_prefix="plank")
    )
    """The workers' threads (asyncio's default pool has min(32, CPUs + 4): 6 on 2 cores)."""
    post_events: bool = True
    poster: EventPoster | None = None
    applier: Applier | None = None
    start_lock: threading.Lock = field(default_factory=threading.Lock)
    dry_decided: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """In a dry run: the last decision per ProwJob and what it was made from, so each
    decision is logged once per change instead of being taken again and again (nothing
    is written, so nothing would ever move on)."""
    build_clusters: BuildClusters | None = None
    """Where job pods run, by alias (`default`: this cluster); None in tests of one."""
    pod_watches: dict[str, tuple[Cluster, Informer]] = field(default_factory=dict)
    """The pod watch of each build cluster's server."""
    cluster_check_period: float = 60.0
    """Seconds between build cluster checks (and credential reloads)."""
    unreachable_since: dict[str, datetime] = field(default_factory=dict)
    """Jobs whose build cluster could not be reached: since when (bounded retry)."""

    def __copy__(self) -> Deps:
        return self

    def enqueue(self, name: str) -> None:
        """Queue a ProwJob once; one being reconciled now is reconciled again after."""
        self.work.add(name)


@dataclass(frozen=True)
class Reconciled:
    action: rules.Action
    ref: dict[str, Any] = field(default_factory=dict)
    event: Event | None = None
    aborted: tuple[str, ...] = ()
    """Older runs this reconcile aborted: they are to be reconciled (pods deleted)."""
    entry: Entry | None = None
    """The job's index entry as the decision saw it (what a finished job frees)."""


def reconcile(deps: Deps, name: str) -> Reconciled:
    """Observe, decide, act for one ProwJob. Blocking; runs in a worker thread."""
    assert deps.applier is not None
    tracked, pod, entry = deps.state.observe(name)
    if tracked is None or entry is None:
        return Reconciled(rules.Action("none"))
    config, job, now = deps.config, tracked.job, deps.clock()
    aborted = []
    for older in deps.state.superseded(entry):
        if deps.applier.abort_superseded(older):
            logger.info("%s: aborted %s, an older run of the same pull", name, older)
            aborted.append(older)
    starting = job.status.state == "triggered" and pod is None
    limited = starting and _limited(entry, config)
    # Counting and starting are one step for limited jobs, or two workers could both
    # take the last slot (Prow serialises these per job name the same way).
    limits = rules.limits_for(job, config.plank)
    if deps.build_clusters is not None:
        limits = replace(limits, clusters=frozenset(deps.build_clusters.aliases()))
    with deps.start_lock if limited else contextlib.nullcontext():
        blocked = deps.state.blocked(entry, config.plank) if starting else None
        action = rules.decide(job, pod, limits, blocked, now)
        if deps.dry_run and _decided_before(deps, name, (tracked.version, pod, action.kind)):
            return Reconciled(rules.Action("none"))
        outcome = _carry_out(deps, tracked, action, now)
    if outcome.event is not None:
        state = (outcome.action.status or {}).get("state") or (
            "pending" if outcome.action.kind in ("start", "adopt") else ""
        )
        if state:
            TRANSITIONS.labels(state, job.spec.type, job.spec.job).inc()
        if action.kind == "start":
            POD_LATENCY.observe(max((now - job.created).total_seconds(), 0.0))
        logger.info("%s: %s: %s", name, outcome.event[0], outcome.event[1])
    return Reconciled(outcome.action, tracked.ref, outcome.event, tuple(aborted), entry)


def _carry_out(deps: Deps, tracked: Tracked, action: rules.Action, now: datetime) -> Outcome:
    """Act; a build cluster that cannot be reached is retried (the exception, with
    backoff) until plank.unreachable_cluster_timeout, then the job errs naming it."""
    assert deps.applier is not None
    name, config = tracked.job.name, deps.config
    try:
        outcome = deps.applier.carry_out(tracked, action, config, now)
    except build.Unreachable as error:
        if not build.give_up(deps, name, now):
            raise
        logger.warning("%s: %s; giving up", name, error)
        failed = rules.finish("error", f"Pod can not be created: {error}", now)
        outcome = deps.applier.carry_out(tracked, failed, config, now)
    deps.unreachable_since.pop(name, None)
    return outcome


def _decided_before(deps: Deps, name: str, decision: tuple[Any, ...]) -> bool:
    with deps.state.lock:
        if deps.dry_decided.get(name) == decision:
            return True
        deps.dry_decided[name] = decision
        return False


def _limited(entry: Entry, config: ProwConfigSpec) -> bool:
    plank = config.plank
    return bool(
        plank.max_concurrency or entry.max_concurrency or entry.queue or plank.cluster_capacity
    )


async def worker(deps: Deps) -> None:
    while True:
        name = await deps.work.get()
        try:
            await _work(deps, name)
        except Exception:  # noqa: BLE001 - a worker lives on whatever one job does
            delay = deps.work.retry(name)
            ERRORS.inc()
            logger.exception("%s: handling the reconcile failed; retrying in %.1f s", name, delay)
        finally:
            deps.work.done(name)


async def _work(deps: Deps, name: str) -> None:
    try:
        done = await asyncio.get_running_loop().run_in_executor(
            deps.executor, reconcile, deps, name
        )
    except Exception as error:  # noqa: BLE001 - retried with backoff, never dropped
        delay = deps.work.retry(name)
        ERRORS.inc()
        logger.warning("%s: reconcile failed (%s); retrying in %.1f s", name, error, delay)
        return
    deps.work.succeeded(name)
    if done.event is not None and deps.poster is not None:
        deps.poster.add(done.ref, *done.event)
    for older in done.aborted:
        deps.enqueue(older)
    _after(deps, name, done.action, done.entry)


def _after(deps: Deps, name: str, action: rules.Action, entry: Entry | None = None) -> None:
    """Timers, the blocked set, and the jobs a freed slot may let start."""
    deps.work.timers.cancel(name)
    if action.kind == "blocked":
        deps.blocked.add(name)
    else:
        deps.blocked.discard(name)
    BLOCKED.set(len(deps.blocked))
    if action.wake_at is not None:
        deps.work.add_after(name, (action.wake_at - deps.clock()).total_seconds())
    if action.kind in ("start", "revive", "adopt") and not deps.dry_run:
        # plank's own writes bring no news (their events are not newer than what it
        # recorded): look again now to arm the pending pod's timeout. A dry run wrote
        # nothing, so there is nothing to look at.
        deps.enqueue(name)
    if action.kind in ("finish", "abort") and deps.blocked:
        release_blocked(deps, entry)


def release_blocked(deps: Deps, freed: Entry | None = None) -> None:
    """A slot freed: blocked jobs try again, oldest first. When the slot is known
    (`freed`, a job that finished) and plank has no overall limit, only the jobs waiting
    for that job name or queue: one finish must not reconcile every blocked job."""
    if deps.config.plank.max_concurrency or deps.config.plank.cluster_capacity:
        freed = None
    waiting = deps.state.oldest_first(deps.blocked)
    deps.blocked.intersection_update(waiting)
    for name in deps.state.waiting_for(waiting, freed):
        deps.enqueue(name)


def job_moved(deps: Deps, name: str, was: Entry | None, tracked: bool) -> None:
    """On the event loop, after a ProwJob's change was recorded: queue one plank runs;
    free what a finished or deleted one held (`was`: its entry before)."""
    if tracked:
        deps.enqueue(name)
    elif was is not None:
        # Finished or deleted elsewhere: its slot is free, its timer pointless.
        deps.work.forget(name)
        deps.dry_decided.pop(name, None)
        deps.unreachable_since.pop(name, None)
        if deps.poster is not None:
            deps.poster.forget(name)
        deps.blocked.discard(name)
        release_blocked(deps, was)


async def prowconfig_changed(
    memo: Any, body: Any, namespace: str | None, name: str, type: str | None, **_: Any
) -> None:
    deps: Deps = memo
    if (namespace, name) != (deps.config_namespace, deps.config_name):
        return
    spec = spec_from_event(body, deleted=type == "DELETED")
    if (spec.prowjob_namespace, spec.pod_namespace) != (
        deps.config.prowjob_namespace,
        deps.config.pod_namespace,
    ):
        logger.warning("ProwConfig moved the job or pod namespace: restart plank to follow it")
        return
    deps.config = spec
    release_blocked(deps)  # limits may have grown


async def follow(deps: Deps) -> None:
    """Watch the ProwJobs and the job pods of every build cluster, and wait for the first
    lists (a build cluster's only for a while: see clusters)."""
    loop = asyncio.get_running_loop()
    config, api = deps.config, deps.cluster.api
    deps.build_clusters = deps.build_clusters or BuildClusters.single(deps.cluster)
    deps.state.server_of = build.server_of(deps.build_clusters)
    jobs = Informer(api, "prowjobs", JobStore(deps, loop, job_moved), config.prowjob_namespace)
    deps.informers = [jobs.start()]
    pods = build.sync_pod_watches(deps, loop)
    await asyncio.to_thread(jobs.synced.wait)
    await build.wait_synced(pods, deps.cluster)


def build_registry() -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    kopf.on.login(registry=registry)(login)

    @kopf.on.startup(registry=registry)
    async def start(memo: Any, settings: kopf.OperatorSettings, **_: Any) -> None:
        deps: Deps = memo
        settings.posting.enabled = False  # plank posts its own Events
        deps.config = await asyncio.to_thread(deps.prow_config)
        await follow(deps)
        deps.applier = Applier(
            deps.cluster, deps.state, BuildIds(deps.clock), deps.dry_run, deps.build_clusters
        )
        for name in sorted(deps.state.jobs):
            deps.enqueue(name)
        deps.tasks = [asyncio.create_task(worker(deps)) for _ in range(WORKERS)]
        deps.tasks.append(asyncio.create_task(build.status_loop(deps)))
        if deps.post_events and not deps.dry_run:
            deps.poster = EventPoster(deps.cluster.post_event, lambda: rfc3339(deps.clock()))
            deps.tasks.append(asyncio.create_task(deps.poster.run()))
        logger.info(
            "plank started: %d incomplete ProwJobs in %s, pods in %s",
            len(deps.state.jobs),
            deps.config.prowjob_namespace,
            deps.config.pod_namespace,
        )

    @kopf.on.cleanup(registry=registry)
    async def stop(memo: Any, **_: Any) -> None:
        for informer in [*memo.informers, *(i for _, i in memo.pod_watches.values())]:
            informer.stop()
        for task in memo.tasks:
            task.cancel()
        await asyncio.gather(*memo.tasks, return_exceptions=True)
        memo.executor.shutdown(wait=False, cancel_futures=True)

    kopf.on.event(GROUP, VERSION, "prowconfigs", registry=registry)(prowconfig_changed)
    return registry
