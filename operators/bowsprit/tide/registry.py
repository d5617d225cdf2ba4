"""tide as a kopf operator: watches keep TidePools, job definitions, ProwJobs and the
ProwConfig in memory (no list calls per sync); one loop syncs every sync_period, or at
once when a ProwJob finishes, a TidePool changes or hook pokes (POST /poke). The
ProwConfig is read by name at the start of every sync."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import kopf
from aiohttp import web
from pydantic import ValidationError

from bowsprit.api import GROUP, VERSION
from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.clients.github import GitHubClient
from bowsprit.clients.operator import OperatorDeps, login
from bowsprit.jobpod.jobs import Job, JobKind
from bowsprit.lib.clock import random_name
from bowsprit.tide.model import JobResult, MergeTrial, SubPool
from bowsprit.tide.poke import serve_pokes, stop_pokes
from bowsprit.tide.sync import Caches, Syncer, Trier
from bowsprit.tide.trial import Candidate, GitTrials

logger = logging.getLogger("bowsprit.tide")
RETRY_AFTER_FAILURE = 10.0
FINISHED = ("success", "failure", "aborted", "error")


@dataclass
class Deps(OperatorDeps):
    github: GitHubClient | None = None
    merge_pause: float = 5.0
    trials: GitTrials | None = None
    caches: Caches = field(default_factory=Caches)
    wake: asyncio.Event | None = None
    syncer: Syncer | None = None
    task: asyncio.Task[None] | None = None
    last_sync: str | None = None
    syncs: int = 0
    poke_port: int = 0  # 0: no /poke server
    poke_token: Callable[[], str] = field(default=lambda: "")  # the current token
    poke_runner: web.AppRunner | None = None

    def __copy__(self) -> Deps:
        return self

    def poke(self) -> None:
        if self.wake is not None:
            self.wake.set()


def trier(github: GitHubClient, trials: GitTrials) -> Trier:
    """Trial merges in a thread (git blocks), fetching with the GitHub credentials."""

    async def run(pool: SubPool, candidates: Sequence[Candidate], limit: int) -> MergeTrial:
        token = await github.git_token(pool.org)
        return await asyncio.to_thread(
            trials.merge_together,
            pool.org,
            pool.repo,
            pool.branch,
            pool.sha,
            candidates,
            limit,
            token,
        )

    return run


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


def store_pool(deps: Deps, namespace: str, name: str, body: dict[str, Any]) -> bool:
    """Keep a TidePool; whether its spec changed."""
    key = (namespace, name)
    try:
        spec = TidePoolSpec.model_validate(body.get("spec") or {})
    except ValidationError as error:
        logger.error("TidePool %s/%s ignored: %s", namespace, name, error)
        deps.caches.pools.pop(key, None)
        return False
    changed = deps.caches.pools.get(key) != spec
    deps.caches.pools[key] = spec
    generation = (body.get("metadata") or {}).get("generation")
    if isinstance(generation, int):
        deps.caches.generations[key] = generation
    if key not in deps.caches.history:  # actions recorded before a restart are kept
        deps.caches.history[key] = list((body.get("status") or {}).get("history") or [])
    return changed


async def tidepool_changed(
    memo: Any, body: Any, namespace: str | None, name: str, type: str | None, **_: Any
) -> None:
    deps: Deps = memo
    if type == "DELETED":
        deps.caches.pools.pop((namespace or "", name), None)
        deps.caches.history.pop((namespace or "", name), None)
        return
    if store_pool(deps, namespace or "", name, dict(body)):
        deps.poke()


MODELS: dict[JobKind, type[BlockingPresubmitSpec] | type[PresubmitSpec]] = {
    "BlockingPresubmit": BlockingPresubmitSpec,
    "Presubmit": PresubmitSpec,
}


def store_job(deps: Deps, kind: JobKind, namespace: str, name: str, body: dict[str, Any]) -> None:
    key = (kind, namespace, name)
    try:
        spec = MODELS[kind].model_validate(body.get("spec") or {})
    except ValidationError as error:
        logger.error("%s %s/%s ignored: %s", kind, namespace, name, error)
        deps.caches.jobs.pop(key, None)
        return
    deps.caches.jobs[key] = Job(kind, namespace, name, spec)


def _job_handler(kind: JobKind) -> Any:
    async def changed(
        memo: Any, body: Any, namespace: str | None, name: str, type: str | None, **_: Any
    ) -> None:
        deps: Deps = memo
        if type == "DELETED":
            deps.caches.jobs.pop((kind, namespace or "", name), None)
        else:
            store_job(deps, kind, namespace or "", name, dict(body))

    return changed


def prime(deps: Deps) -> None:
    """One list of each kind before the first sync (as Prow waits for its caches): a sync
    that saw a TidePool but not yet its job definitions would find nothing to test and
    merge untested PRs; one that missed running ProwJobs would start them again. The
    watches keep the caches current from then on."""
    for body in deps.cluster.list_custom_everywhere("tidepools"):
        metadata = body["metadata"]
        store_pool(deps, metadata["namespace"], metadata["name"], body)
    kinds: tuple[tuple[JobKind, str], ...] = (
        ("BlockingPresubmit", "blockingpresubmits"),
        ("Presubmit", "presubmits"),
    )
    for kind, plural in kinds:
        for body in deps.cluster.list_custom_everywhere(plural):
            metadata = body["metadata"]
            store_job(deps, kind, metadata["namespace"], metadata["name"], body)
    for body in deps.cluster.list_custom(deps.caches.config.prowjob_namespace, "prowjobs"):
        deps.caches.upsert_prowjob(body)


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
        await asyncio.to_thread(prime, deps)
        deps.wake = asyncio.Event()
        deps.syncer = Syncer(
            deps.github,
            deps.cluster,
            deps.caches,
            deps.clock,
            random_name,
            dry_run=deps.dry_run,
            merge_pause=deps.merge_pause,
            trier=trier(deps.github, deps.trials) if deps.trials is not None else None,
        )
        deps.task = asyncio.create_task(loop(deps))
        if deps.poke_port:
            deps.poke_runner = await serve_pokes(deps.poke_port, deps.poke_token, deps.poke)
        logger.info("tide started: ProwJobs in %s", deps.caches.config.prowjob_namespace)

    @kopf.on.cleanup(registry=registry)
    async def stop(memo: Any, **_: Any) -> None:
        deps: Deps = memo
        await stop_pokes(deps.poke_runner)
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
        _job_handler("BlockingPresubmit")
    )
    kopf.on.event(GROUP, VERSION, "presubmits", registry=registry)(_job_handler("Presubmit"))
    kopf.on.event(GROUP, VERSION, "prowjobs", registry=registry)(prowjob_changed)
    return registry
