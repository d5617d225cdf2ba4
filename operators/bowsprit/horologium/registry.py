"""horologium as a kopf operator: a timer per Periodic, woken by changes, never polling.

Event handlers (no finalizers, no annotations on shared objects) see every change of a
Periodic; an informer thread (`runs`) sees the ProwJobs it created. Each change
re-evaluates that Periodic now, and every evaluation arms one timer for the moment its
schedule says to look again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import kopf
from prometheus_client import Counter, Histogram

from bowsprit.api import GROUP, VERSION
from bowsprit.api.periodic import PeriodicSpec
from bowsprit.clients.cluster import ApiError
from bowsprit.clients.informer import Informer, stop_all
from bowsprit.clients.operator import OperatorDeps, login
from bowsprit.horologium.build import (
    PERIODIC_LABEL,
    changes,
    last_run_from,
    prowjob,
    run_selector,
    status,
)
from bowsprit.horologium.decide import decide
from bowsprit.horologium.runs import RunStore
from bowsprit.lib.clock import parse_time, rfc3339
from bowsprit.lib.workqueue import Timers

logger = logging.getLogger("bowsprit.horologium")
TRIGGERED = Counter("horologium_runs_triggered", "Runs started", ["periodic"])
SKIPPED = Counter("horologium_runs_skipped", "Due runs not started", ["periodic", "reason"])
LAG = Histogram("horologium_schedule_lag_seconds", "Start time minus scheduled time")


@dataclass
class Deps(OperatorDeps):
    """What the handlers share: the common parts, a timer per Periodic, the known ones."""

    timers: Timers[tuple[str, str]] = field(default_factory=Timers)
    known: set[tuple[str, str]] = field(default_factory=set)
    locks: dict[tuple[str, str], asyncio.Lock] = field(default_factory=dict)
    informers: list[Informer] = field(default_factory=list)

    def __copy__(self) -> Deps:
        return self


def evaluate(deps: Deps, namespace: str, name: str) -> datetime | None:
    """Decide for one Periodic and act; returns when to look again. Blocking."""
    periodic = deps.cluster.get_custom(namespace, "periodics", name)
    if periodic is None or periodic["metadata"].get("deletionTimestamp"):
        return None  # deleted: no more runs
    config = deps.prow_config()
    spec = PeriodicSpec.model_validate(periodic["spec"])
    created = datetime.fromisoformat(periodic["metadata"]["creationTimestamp"])
    runs = deps.cluster.list_custom(
        config.prowjob_namespace, "prowjobs", run_selector(name, namespace)
    )
    last_run = last_run_from(runs)
    now = deps.clock()
    decision = decide(
        spec,
        created,
        parse_time((periodic.get("status") or {}).get("lastFiringTime")),
        last_run,
        now,
    )
    started = None
    if decision.run is not None:
        body = prowjob(name, spec, decision.run, config.prowjob_namespace, namespace)
        started = body["metadata"]["name"]
        if deps.dry_run:
            logger.info("dry run: would start %s for %s/%s", started, namespace, name)
        else:
            _start(deps, config.prowjob_namespace, body, now)
            TRIGGERED.labels(name).inc()
            LAG.observe(max((now - decision.run.scheduled_at).total_seconds(), 0))
    if decision.skipped:
        SKIPPED.labels(name, "PreviousRunIncomplete").inc()
    current = periodic.get("status") or {}
    generation = periodic["metadata"].get("generation")
    patch = status(decision, started, last_run, now, generation, current)
    if not deps.dry_run and changes(patch, current):
        deps.cluster.patch_custom_status(namespace, "periodics", name, patch)
    return decision.wake_at


def _start(deps: Deps, namespace: str, body: dict[str, Any], now: datetime) -> None:
    """Create the run's ProwJob; its name is fixed by the schedule, so a second try after a
    crash finds it already there instead of starting a second run."""
    name = body["metadata"]["name"]
    try:
        job: dict[str, Any] | None = deps.cluster.create_custom(namespace, "prowjobs", body)
    except ApiError as error:
        if error.status != 409:
            raise
        job = deps.cluster.get_custom(namespace, "prowjobs", name)
    if job is None or (job.get("status") or {}).get("startTime"):
        return
    # The status subresource drops status on create: record the start time after it. The
    # start time only: plank may already have made the run pending (the CRD defaults the
    # state to triggered), and a pending job may not go back.
    deps.cluster.patch_custom_status(namespace, "prowjobs", name, {"startTime": rfc3339(now)})


async def wake(deps: Deps, namespace: str, name: str) -> None:
    """Evaluate one Periodic now (one evaluation at a time each) and re-arm its timer."""
    key = (namespace, name)
    lock = deps.locks.setdefault(key, asyncio.Lock())
    async with lock:
        deps.timers.cancel(key)
        try:
            wake_at = await asyncio.to_thread(evaluate, deps, namespace, name)
        except Exception:  # noqa: BLE001 - retried after a delay, never lost
            logger.exception("evaluating %s/%s failed; retrying in 10 s", namespace, name)
            wake_at = None
            delay = 10.0
        else:
            if wake_at is None:
                return
            delay = (wake_at - deps.clock()).total_seconds()
        deps.timers.set(key, delay, lambda: asyncio.ensure_future(wake(deps, namespace, name)))


async def periodic_changed(
    memo: Any, namespace: str | None, name: str, type: str, **_: Any
) -> None:
    if namespace is None:
        return
    if type == "DELETED":  # no more runs; ProwJobs stay for history
        memo.known.discard((namespace, name))
        memo.timers.cancel((namespace, name))
        return
    memo.known.add((namespace, name))
    await wake(memo, namespace, name)


def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    settings.posting.enabled = False


async def follow_runs(memo: Any, **_: Any) -> None:
    """Start the runs' informer (kopf's startup handler)."""
    deps: Deps = memo
    loop = asyncio.get_running_loop()

    def wake_soon(namespace: str, name: str) -> None:
        asyncio.ensure_future(wake(deps, namespace, name))

    store = RunStore(loop, lambda: deps.known, wake_soon)
    # Every namespace, as the kopf watch before it: ProwConfig may move the job namespace.
    deps.informers = [Informer(deps.cluster.api, "prowjobs", store, label_selector=PERIODIC_LABEL)]
    deps.informers[0].start()


async def stop_runs(memo: Any, **_: Any) -> None:
    """Stop the informer and wait for its thread (kopf's cleanup handler)."""
    left = await asyncio.to_thread(stop_all, memo.informers, 10.0)
    if left:
        logger.warning("informers still running at exit: %s", ", ".join(left))


def build_registry() -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    kopf.on.login(registry=registry)(login)
    kopf.on.startup(registry=registry)(configure)
    kopf.on.startup(registry=registry)(follow_runs)
    kopf.on.cleanup(registry=registry)(stop_runs)
    kopf.on.event(GROUP, VERSION, "periodics", registry=registry)(periodic_changed)
    return registry
