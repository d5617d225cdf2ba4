"""status-reconciler as a kopf operator: watch events on BlockingPresubmits and Presubmits
queue their repositories; one worker reconciles a repository at a time.

A pass reads every job definition afresh (one list per kind, shared by the repositories
queued together), compares each repository's records with its jobs now (decide.py),
carries the delta out on the open pull requests (apply.py), and only then records what
it reconciled on the objects (records.py), each write valid only at the version read.
A failure leaves the records as they were, so the repository is retried with backoff
and nothing is lost; a change made while status-reconciler was down is found the same
way when it starts, since kopf's first listing queues every repository.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import kopf
from prometheus_client import Counter, Histogram

from bowsprit.api import GROUP, VERSION
from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.clients.cluster import ApiError
from bowsprit.clients.operator import OperatorDeps, login
from bowsprit.jobpod.trust import trigger_settings_for
from bowsprit.lib.workqueue import WorkQueue
from bowsprit.statusreconciler.apply import GitHub, RepoPass
from bowsprit.statusreconciler.decide import delta, denied
from bowsprit.statusreconciler.records import (
    ANNOTATION,
    FINALIZER,
    PLURALS,
    Definition,
    RecordWrite,
    definition,
    picture,
    record_writes,
    status_writes,
)

logger = logging.getLogger("bowsprit.statusreconciler")
BACKOFF = 1.0
MAX_BACKOFF = 300.0

CHANGES = Counter("status_reconciler_changes", "Job changes found", ["change"])
PASSES = Histogram(
    "status_reconciler_pass_seconds",
    "Time to reconcile one repository",
    buckets=(0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)
FAILED = Counter("status_reconciler_repo_failures", "Repository passes failed and retried")


class PassFailed(Exception):
    """Some pull requests of a repository could not be reconciled (retried later)."""


@dataclass
class Deps(OperatorDeps):
    github: GitHub | None = None
    bot_login: Callable[[], Awaitable[str]] | None = None
    watch_namespace: str | None = None
    denylist: frozenset[str] = frozenset()
    denylist_all: frozenset[str] = frozenset()
    continue_on_error: bool = True
    debounce: float = 2.0
    work: WorkQueue = field(default_factory=lambda: WorkQueue(BACKOFF, MAX_BACKOFF))
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Dry run: what would have been recorded, so a change is logged once, not every pass.
    dry_records: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)

    def __copy__(self) -> Deps:
        return self

    def list_objects(self, plural: str) -> list[dict[str, Any]]:
        if self.watch_namespace:
            return self.cluster.list_custom(self.watch_namespace, plural)
        return self.cluster.list_custom_everywhere(plural)


def _definitions(deps: Deps) -> list[Definition]:
    """Every job definition, read now (blocking)."""
    found = []
    for kind, plural in PLURALS.items():
        for body in deps.list_objects(plural):
            item = definition(kind, body)
            remembered = deps.dry_records.get((item.kind, item.namespace, item.name))
            if remembered is not None:
                finalizers = (*item.finalizers, FINALIZER) if remembered else item.finalizers
                item = dataclasses.replace(item, records=remembered, finalizers=finalizers)
            found.append(item)
    return found


def _plugin_configs(deps: Deps) -> list[PluginConfigSpec]:
    configs = []
    for body in sorted(
        deps.list_objects("pluginconfigs"),
        key=lambda b: (b["metadata"]["namespace"], b["metadata"]["name"]),
    ):
        try:
            configs.append(PluginConfigSpec.model_validate(body["spec"]))
        except ValueError as error:
            logger.error("PluginConfig %s ignored: %s", body["metadata"]["name"], error)
    return configs


async def reconcile(deps: Deps, repo: str, definitions: list[Definition]) -> None:
    """One repository: its delta carried out, then recorded."""
    org, name = repo.split("/", 1)
    concerned = [item for item in definitions if repo in item.repos]
    seen = picture(concerned, repo)
    change = denied(
        delta(seen.old, seen.new, seen.known), org, name, deps.denylist, deps.denylist_all
    )
    if change:
        assert deps.github is not None and deps.bot_login is not None
        for kind, items in (
            ("added", change.added),
            ("removed", change.removed),
            ("migrated", change.migrated),
        ):
            CHANGES.labels(kind).inc(len(items))
        logger.info(
            "%s: added %s, removed %s, migrated %s",
            repo,
            [item.job.name for item in change.added],
            [job.name for job in change.removed],
            [f"{m.old.context} -> {m.new.context}" for m in change.migrated],
        )
        config = await asyncio.to_thread(deps.prow_config)
        configs = await asyncio.to_thread(_plugin_configs, deps)
        work = RepoPass(
            org,
            name,
            change,
            deps.github,
            lambda body: _create(deps, body),
            trigger_settings_for(configs, org, name),
            await deps.bot_login(),
            config.prowjob_namespace,
            dry_run=deps.dry_run,
            continue_on_error=deps.continue_on_error,
        )
        await work.run()
        if work.errors:
            raise PassFailed(f"{len(work.errors)} pull requests failed: {work.errors[0]}")
    for write in record_writes(concerned, repo):
        await _record(deps, write)
    if not deps.dry_run:
        for write in status_writes(concerned, repo):
            await _show(deps, write)


async def _create(deps: Deps, body: dict[str, Any]) -> None:
    namespace = body["metadata"]["namespace"]
    try:
        await asyncio.to_thread(deps.cluster.create_custom, namespace, "prowjobs", body)
    except ApiError as error:
        if error.status != 409:  # 409: started by an earlier pass already
            raise


async def _record(deps: Deps, write: RecordWrite) -> None:
    if deps.dry_run:
        raw = write.patch["metadata"]["annotations"][ANNOTATION]
        deps.dry_records[(write.kind, write.namespace, write.name)] = json.loads(raw or "{}")
        return
    try:
        await asyncio.to_thread(
            deps.cluster.patch_custom, write.namespace, PLURALS[write.kind], write.name, write.patch
        )
    except ApiError as error:
        if error.status != 404:  # 404: gone meanwhile, nothing left to record on
            raise  # 409: changed since read; the change's own event queues a new pass


async def _show(deps: Deps, write: RecordWrite) -> None:
    try:
        await asyncio.to_thread(
            deps.cluster.patch_custom_status,
            write.namespace,
            PLURALS[write.kind],
            write.name,
            write.patch,
        )
    except ApiError as error:
        if error.status != 404:
            raise


async def worker(deps: Deps) -> None:
    while True:
        keys = [await deps.work.get(), *deps.work.take_ready()]
        try:
            definitions = await asyncio.to_thread(_definitions, deps)
        except Exception as error:  # noqa: BLE001 - retried with backoff, never dropped
            for key in keys:
                _retry(deps, key, error)
                deps.work.done(key)
            continue
        for key in keys:
            try:
                with PASSES.time():
                    await reconcile(deps, key, definitions)
                deps.work.succeeded(key)
            except Exception as error:  # noqa: BLE001 - retried with backoff, never dropped
                _retry(deps, key, error)
            finally:
                deps.work.done(key)


def _retry(deps: Deps, key: str, error: Exception) -> None:
    FAILED.inc()
    delay = deps.work.retry(key)
    logger.warning("%s: %s; retrying in %.1f s", key, error, delay)


def job_changed(kind: str) -> Callable[..., Awaitable[None]]:
    async def changed(memo: Any, body: Any, type: str | None, **_: Any) -> None:
        deps: Deps = memo
        if type == "DELETED":
            return  # gone for good: its finalizer was let go after its contexts were handled
        item = definition(kind, body)  # type: ignore[arg-type]
        for repo in item.repos:
            deps.work.add_after(repo, deps.debounce)

    return changed


def build_registry() -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    kopf.on.login(registry=registry)(login)

    @kopf.on.startup(registry=registry)
    async def start(memo: Any, settings: kopf.OperatorSettings, **_: Any) -> None:
        deps: Deps = memo
        settings.posting.enabled = False
        deps.tasks = [asyncio.create_task(worker(deps))]
        logger.info(
            "status-reconciler started%s (%s)",
            " in dry-run mode" if deps.dry_run else "",
            f"namespace {deps.watch_namespace}" if deps.watch_namespace else "all namespaces",
        )

    @kopf.on.cleanup(registry=registry)
    async def stop(memo: Any, **_: Any) -> None:
        deps: Deps = memo
        for task in deps.tasks:
            task.cancel()
        await asyncio.gather(*deps.tasks, return_exceptions=True)
        for close in deps.closers:  # the GitHub client's connections live on kopf's loop
            await close()

    for kind, plural in PLURALS.items():
        kopf.on.event(GROUP, VERSION, plural, registry=registry)(job_changed(kind))
    return registry
