"""crier as a kopf operator: ProwJob events (an informer thread, `store`) feed one work
queue per reporter (Prow runs one controller per reporter, each with its own workers); a
worker reports a job's state when the reporter has not yet, then records it in
status.prev_report_states. kopf runs the process and follows the ProwConfig.

Report first, record after: a crash in between must never skip a report. So a report a
previous process may have made (the job existed before this one started) is checked
against GitHub before it is made again, and this process remembers what it reported until
the record lands, so a late or stale watch event cannot make it report twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import kopf
from prometheus_client import Counter, Histogram
from pydantic import ValidationError

from bowsprit.api import GROUP, VERSION
from bowsprit.api.prowconfig import ProwConfigSpec, spec_from_event
from bowsprit.clients.cluster import ApiError
from bowsprit.clients.informer import Informer, stop_all
from bowsprit.clients.operator import OperatorDeps, login
from bowsprit.crier import decide
from bowsprit.crier.decide import Job
from bowsprit.crier.report import Reporter
from bowsprit.crier.store import Bodies, JobStore
from bowsprit.lib.workqueue import WorkQueue

logger = logging.getLogger("bowsprit.crier")
# Retries of a failing report: 0.5 s, doubling up to 5 minutes (Prow requeues with a
# rate limiter the same way); the GitHub client has already retried 5xx by then.
BACKOFF = 0.5
MAX_BACKOFF = 300.0
# Jobs created before start-up, or just after (clock skew with the API server), may have
# been reported by an earlier process whose record was lost.
SUSPECT_MARGIN = timedelta(minutes=1)

REPORTS = Counter("crier_reports", "Reports made", ["reporter", "state"])
FAILURES = Counter("crier_report_failures", "Reports that failed and were retried", ["reporter"])
LATENCY = Histogram(
    "crier_report_latency_seconds",
    "From a job's completion to its report",
    ["reporter"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800),
)


@dataclass
class Lane:
    """One reporter's queue and bookkeeping."""

    reporter: Reporter
    workers: int
    work: WorkQueue = field(default_factory=lambda: WorkQueue(BACKOFF, MAX_BACKOFF))
    reported: dict[str, str] = field(default_factory=dict)  # job uid → state reported

    def enqueue(self, name: str) -> None:
        self.work.add(name)

    def forget(self, name: str, uid: str) -> None:
        self.reported.pop(uid, None)
        self.work.forget(name)


@dataclass
class Deps(OperatorDeps):
    reporters: list[tuple[Reporter, int]] = field(default_factory=list)
    config: ProwConfigSpec = field(default_factory=ProwConfigSpec)
    bodies: Bodies = field(default_factory=Bodies)
    lanes: list[Lane] = field(default_factory=list)
    informers: list[Informer] = field(default_factory=list)
    started: datetime | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def __copy__(self) -> Deps:
        return self


async def process(deps: Deps, lane: Lane, name: str) -> None:
    """Report the job's state once through this lane's reporter, then record it."""
    body = deps.bodies.get(name)
    if body is None:
        return
    try:
        job = Job.from_body(body)
    except ValidationError as error:
        logger.error("%s: not a valid ProwJob, nothing reported: %s", name, error)
        return
    reporter, uid = lane.reporter, str(body["metadata"].get("uid") or name)
    if decide.recorded(job, reporter.name):
        return
    if decide.needs_report(job, reporter.name, lane.reported.get(uid)):
        if not reporter.wants(job, deps.config):
            return
        if deps.dry_run:
            logger.info("%s: %s would report %s (dry run)", name, reporter.name, job.state)
            lane.reported[uid] = job.state
            return
        assert deps.started is not None
        suspect = job.created is None or job.created < deps.started + SUSPECT_MARGIN
        done = await reporter.report(job, deps.config, suspect=suspect)
        lane.reported[uid] = job.state
        REPORTS.labels(reporter.name, job.state).inc()
        if job.status.completionTime is not None:
            waited = (deps.clock() - job.status.completionTime).total_seconds()
            LATENCY.labels(reporter.name).observe(max(waited, 0.0))
        logger.info("%s: %s reported %s: %s", name, reporter.name, job.state, done)
    await record(deps, name, reporter.name, job.state)


def pull_jobs(deps: Deps, job: Job) -> list[Job]:
    """The ProwJobs crier knows of for the same pull request (summary comments)."""
    refs = job.spec.refs
    if refs is None or not refs.pulls:
        return []
    found = []
    for body in deps.bodies.testing((refs.org, refs.repo, refs.pulls[0].number)):
        with contextlib.suppress(ValidationError):
            found.append(Job.from_body(body))
    return found


async def record(deps: Deps, name: str, reporter: str, state: str) -> None:
    """prev_report_states[reporter] = state, by a merge patch that leaves the other
    reporters' entries alone."""
    status = {"prev_report_states": {reporter: state}}
    try:
        await asyncio.to_thread(
            deps.cluster.patch_custom_status,
            deps.config.prowjob_namespace,
            "prowjobs",
            name,
            status,
        )
    except ApiError as error:
        if error.status != 404:  # 404: deleted meanwhile, nothing left to record on
            raise


async def worker(deps: Deps, lane: Lane) -> None:
    while True:
        name = await lane.work.get()
        try:
            await process(deps, lane, name)
            lane.work.succeeded(name)
        except Exception as error:  # noqa: BLE001 - retried with backoff, never dropped
            _retry_later(lane, name, error)
        finally:
            lane.work.done(name)


def _retry_later(lane: Lane, name: str, error: Exception) -> None:
    delay = lane.work.retry(name)
    FAILURES.labels(lane.reporter.name).inc()
    logger.warning("%s: %s failed (%s); retrying in %.1f s", name, lane.reporter.name, error, delay)


def job_seen(deps: Deps, name: str, uid: str, recorded: dict[str, str]) -> None:
    """A ProwJob added or changed (its body is in deps.bodies already): queue it in every
    lane. On the event loop."""
    for lane in deps.lanes:
        if lane.reporter.name in recorded and recorded[lane.reporter.name] == lane.reported.get(
            uid
        ):
            # The watch shows the record: events before it are delivered already, so no
            # stale one can come to make the memory of the report necessary.
            del lane.reported[uid]
        lane.enqueue(name)


def job_gone(deps: Deps, name: str, uid: str) -> None:
    for lane in deps.lanes:
        lane.forget(name, uid)


async def prowconfig_changed(
    memo: Any, body: Any, namespace: str | None, name: str, type: str | None, **_: Any
) -> None:
    deps: Deps = memo
    if (namespace, name) != (deps.config_namespace, deps.config_name):
        return
    spec = spec_from_event(body, deleted=type == "DELETED")
    if spec.prowjob_namespace != deps.config.prowjob_namespace:
        logger.warning("ProwConfig moved the ProwJob namespace: restart crier to follow it")
        return
    deps.config = spec


def build_registry() -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    kopf.on.login(registry=registry)(login)

    @kopf.on.startup(registry=registry)
    async def start(memo: Any, settings: kopf.OperatorSettings, **_: Any) -> None:
        deps: Deps = memo
        settings.posting.enabled = False
        deps.config = await asyncio.to_thread(deps.prow_config)
        deps.started = deps.clock()
        deps.lanes = [Lane(reporter, workers) for reporter, workers in deps.reporters]
        deps.tasks = [
            asyncio.create_task(worker(deps, lane))
            for lane in deps.lanes
            for _ in range(lane.workers)
        ]
        loop = asyncio.get_running_loop()
        store = JobStore(
            deps.bodies,
            loop,
            lambda name, uid, recorded: job_seen(deps, name, uid, recorded),
            lambda name, uid: job_gone(deps, name, uid),
        )
        jobs = Informer(deps.cluster.api, "prowjobs", store, deps.config.prowjob_namespace)
        deps.informers = [jobs.start()]
        logger.info(
            "crier started: %s, ProwJobs in %s",
            ", ".join(f"{lane.reporter.name} ({lane.workers} workers)" for lane in deps.lanes),
            deps.config.prowjob_namespace,
        )

    @kopf.on.cleanup(registry=registry)
    async def stop(memo: Any, **_: Any) -> None:
        deps: Deps = memo
        left = await asyncio.to_thread(stop_all, deps.informers, 10.0)
        if left:
            logger.warning("informers still running at exit: %s", ", ".join(left))
        for task in deps.tasks:
            task.cancel()
        await asyncio.gather(*deps.tasks, return_exceptions=True)
        for close in deps.closers:  # the clients' connections live on kopf's loop
            await close()

    kopf.on.event(GROUP, VERSION, "prowconfigs", registry=registry)(prowconfig_changed)
    return registry
