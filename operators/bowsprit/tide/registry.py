"""tide as a kopf operator: watches keep TidePools, job definitions, ProwJobs and the
ProwConfig in memory (no list calls per sync); one loop syncs every sync_period, or at
once when a ProwJob finishes or a TidePool changes. The ProwConfig is read by name at the
start of every sync."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import kopf
from pydantic import ValidationError

from bowsprit.api import GROUP, VERSION
from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.clients.github import GitHubClient
from bowsprit.clients.operator import OperatorDeps, login
from bowsprit.jobpod.jobs import Job
from bowsprit.lib.clock import random_name
from bowsprit.tide.model import JobResult
from bowsprit.tide.sync import Caches, Syncer

logger = logging.getLogger("bowsprit.tide")
RETRY_AFTER_FAILURE = 10.0
FINISHED = ("success", "failure", "aborted", "error")


@dataclass
class Deps(OperatorDeps):
    github: GitHubClient | None = None
    merge_pause: float = 5.0
    caches: Caches = field(default_factory=Caches)
    wake: asyncio.Event | None = None
    syncer: Syncer | None = None
    task: asyncio.Task[None] | None = None
    last_sync: str | None = None
    syncs: int = 0

    def __copy__(self) -> Deps:
        return self

    def poke(self) -> None:
        if self.wake is not None:
            self.wake.set()


async def loop(deps: Deps) -> None:
    """Sync, then sleep until sync_period passes or something relevant changes."""
    assert deps.wake is not None and deps.syncer is not None
    while True:
        deps.wake.clear()
        try:
            # Read by name every sync (one GET): no cluster-wide ProwConfig watch needed.
            deps.caches.config = await asyncio.to_thread(deps.prow_config)
        except Exception:  # noqa: BLE001 - keep the last settings; the next sync retries
            logger.exception("reading the ProwConfig failed; keeping the last one")
        delay = deps.caches.config.tide.sync_period.total_seconds()
        try:
            await deps.syncer.sync()
            deps.syncs += 1
            deps.last_sync = deps.clock().isoformat()
        except Exception:  # noqa: BLE001 - the next sync retries; never stop the loop
            logger.exception("tide sync failed; retrying in %.0f s", RETRY_AFTER_FAILURE)
            delay = min(delay, RETRY_AFTER_FAILURE)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(deps.wake.wait(), timeout=delay)


async def tidepool_changed(
    memo: Any, body: Any, namespace: str | None, name: str, type: str | None, **_: Any
) -> None:
    deps: Deps = memo
    key = (namespace or "", name)
    if type == "DELETED":
        deps.caches.pools.pop(key, None)
        deps.caches.history.pop(key, None)
        return
    try:
        spec = TidePoolSpec.model_validate(body.get("spec") or {})
    except ValidationError as error:
        logger.error("TidePool %s/%s ignored: %s", *key, error)
        deps.caches.pools.pop(key, None)
        return
    changed = deps.caches.pools.get(key) != spec
    deps.caches.pools[key] = spec
    if key not in deps.caches.history:  # actions recorded before a restart are kept
        deps.caches.history[key] = list((body.get("status") or {}).get("history") or [])
    if changed:
        deps.poke()


def _job_handler(kind: str, model: type[BlockingPresubmitSpec] | type[PresubmitSpec]) -> Any:
    async def changed(
        memo: Any, body: Any, namespace: str | None, name: str, type: str | None, **_: Any
    ) -> None:
        deps: Deps = memo
        key = (kind, namespace or "", name)
        if type == "DELETED":
            deps.caches.jobs.pop(key, None)
            return
        try:
            spec = model.model_validate(body.get("spec") or {})
        except ValidationError as error:
            logger.error("%s %s/%s ignored: %s", kind, namespace, name, error)
            deps.caches.jobs.pop(key, None)
            return
        deps.caches.jobs[key] = Job(kind, namespace or "", name, spec)  # type: ignore[arg-type]

    return changed


async def prowjob_changed(
    memo: Any, body: Any, namespace: str | None, name: str, type: str | None, **_: Any
) -> None:
    """Keep the ProwJob cache; a job finishing may make a merge possible now."""
    deps: Deps = memo
    if namespace != deps.caches.config.prowjob_namespace:
        return
    if type == "DELETED":
        deps.caches.prowjobs.pop(name, None)
        return
    before: JobResult | None = deps.caches.prowjobs.get(name)
    deps.caches.upsert_prowjob(dict(body))
    after = deps.caches.prowjobs.get(name)
    if (
        after is not None
        and after.state in FINISHED
        and (before is None or before.state not in FINISHED)
    ):
        deps.poke()


def build_registry() -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    kopf.on.login(registry=registry)(login)

    @kopf.on.startup(registry=registry)
    async def start(memo: Any, settings: kopf.OperatorSettings, **_: Any) -> None:
        deps: Deps = memo
        settings.posting.enabled = False
        assert deps.github is not None
        deps.caches.config = await asyncio.to_thread(deps.prow_config)
        deps.wake = asyncio.Event()
        deps.syncer = Syncer(
            deps.github,
            deps.cluster,
            deps.caches,
            deps.clock,
            random_name,
            dry_run=deps.dry_run,
            merge_pause=deps.merge_pause,
        )
        deps.task = asyncio.create_task(loop(deps))
        logger.info("tide started: ProwJobs in %s", deps.caches.config.prowjob_namespace)

    @kopf.on.cleanup(registry=registry)
    async def stop(memo: Any, **_: Any) -> None:
        deps: Deps = memo
        if deps.task is not None:
            deps.task.cancel()
            await asyncio.gather(deps.task, return_exceptions=True)
        if deps.github is not None:
            await deps.github.aclose()

    @kopf.on.probe(id="sync", registry=registry)
    async def last_sync(memo: Any, **_: Any) -> dict[str, Any]:
        deps: Deps = memo
        return {"last": deps.last_sync, "syncs": deps.syncs}

    kopf.on.event(GROUP, VERSION, "tidepools", registry=registry)(tidepool_changed)
    kopf.on.event(GROUP, VERSION, "blockingpresubmits", registry=registry)(
        _job_handler("BlockingPresubmit", BlockingPresubmitSpec)
    )
    kopf.on.event(GROUP, VERSION, "presubmits", registry=registry)(
        _job_handler("Presubmit", PresubmitSpec)
    )
    kopf.on.event(GROUP, VERSION, "prowjobs", registry=registry)(prowjob_changed)
    return registry
