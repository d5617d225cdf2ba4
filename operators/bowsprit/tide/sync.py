"""One Tide sync over every TidePool: search, divide into sub-pools, decide, act, then
the `tide` contexts and the TidePools' status (Prow's syncController.Sync and
statusController.setStatuses). The caches it reads are kept by the kopf handlers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.clients.cluster import ApiError, Cluster
from bowsprit.clients.github import GitHubClient
from bowsprit.jobpod.jobs import Job
from bowsprit.lib.clock import Clock, NewName
from bowsprit.tide import record
from bowsprit.tide import settings as tide_settings
from bowsprit.tide.apply import MergeOutcome, merge_prs, overwrite_pending_contexts
from bowsprit.tide.contexts import overwrite_pending
from bowsprit.tide.decide import (
    Decision,
    PoolSettings,
    context_results,
    decide,
    merge_blocked_reason,
    merge_method,
)
from bowsprit.tide.gather import Gatherer, open_queries, pool_queries
from bowsprit.tide.model import (
    TIDE_CONTEXT,
    Blocker,
    JobResult,
    MergeTrial,
    PullRequest,
    SubPool,
)
from bowsprit.tide.prowjobs import non_failed_batch_exists, prowjob, refs, result
from bowsprit.tide.status import clipped, expected_status, target_url
from bowsprit.tide.trial import Candidate

# Merges a new batch's candidates onto the sub-pool's base in a checkout (tide/trial.py).
Trier = Callable[[SubPool, Sequence[Candidate], int], Awaitable[MergeTrial]]

logger = logging.getLogger("bowsprit.tide")
PoolKey = tuple[str, str]  # TidePool namespace, name
HISTORY = 50  # actions kept per TidePool

# Prow's tide metrics (pkg/tide/tide.go tideMetrics), same names and labels; counters
# gain prometheus_client's _total suffix.
POOL = ["org", "repo", "branch"]
POOLED = Gauge("pooledprs", "Number of PRs in each Tide pool.", POOL)
UPDATE_TIME = Gauge("updatetime", "The last time each subpool was synced.", POOL)
MERGES = Histogram(
    "merges",
    "Histogram of merges where values are the number of PRs merged together.",
    POOL,
    buckets=(1, 2, 3, 4, 5, 7, 10, 15, 25),
)
SYNC_DURATION = Gauge("syncdur", "The duration of the last loop of the sync controller.")
STATUS_DURATION = Gauge(
    "statusupdatedur", "The duration of the last loop of the status update controller."
)
HEARTBEAT = Counter("tidesyncheartbeat", "Count of Tide syncs per controller.", ["controller"])
POOL_ERRORS = Counter("tidepoolerrors", "Count of Tide pool sync errors.", POOL)
RETESTS = Counter("tide_retests", "Test retriggers by pool and action.", [*POOL, "action"])
MISSING = Gauge("tide_pool_missing_prs", "PRs with missing or failed tests per pool.", POOL)
PENDING = Gauge("tide_pool_pending_prs", "PRs with pending tests per pool.", POOL)
SUCCESSFUL = Gauge("tide_pool_successful_prs", "PRs with all tests passing per pool.", POOL)
BATCH_PENDING = Gauge("tide_pool_batch_pending_prs", "PRs in a pending batch per pool.", POOL)
ACTIONS = Counter("tide_actions", "Actions taken", ["action"])


@dataclass
class Caches:
    """What the kopf handlers keep current from watches."""

    config: ProwConfigSpec = field(default_factory=ProwConfigSpec)
    pools: dict[PoolKey, TidePoolSpec] = field(default_factory=dict)
    history: dict[PoolKey, list[dict[str, Any]]] = field(default_factory=dict)
    generations: dict[PoolKey, int] = field(default_factory=dict)
    jobs: dict[tuple[str, str, str], Job] = field(default_factory=dict)  # kind, ns, name
    prowjobs: dict[str, JobResult] = field(default_factory=dict)

    def repo_jobs(self, org: str, repo: str) -> list[Job]:
        found = [j for j in self.jobs.values() if (j.spec.org, j.spec.repo) == (org, repo)]
        return sorted(found, key=lambda job: job.name)

    def upsert_prowjob(self, body: dict[str, Any]) -> None:
        found = result(body)
        if found is not None:
            self.prowjobs[found.name] = found


@dataclass
class Outcome:
    decision: Decision
    pool: SubPool
    owner: PoolKey
    error: str | None = None


@dataclass
class Syncer:
    github: GitHubClient
    cluster: Cluster
    caches: Caches
    clock: Clock
    new_name: NewName
    dry_run: bool = False
    merge_pause: float = 5.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    trier: Trier | None = None
    gatherer: Gatherer = field(init=False)
    last_status: float = 0.0

    def __post_init__(self) -> None:
        self.gatherer = Gatherer(self.github)

    async def sync(self) -> list[Outcome]:
        started = time.monotonic()
        config, pools = self.caches.config, dict(sorted(self.caches.pools.items()))
        if not pools:
            return []
        owners: dict[str, PoolKey] = {}
        found: dict[str, PullRequest] = {}
        for key, spec in pools.items():
            for pr in await self.gatherer.search(pool_queries(spec)):
                owners.setdefault(pr.key, key)
                found.setdefault(pr.key, pr)
        want_files = {
            (pr.org, pr.repo)
            for pr in found.values()
            if any(job.has_file_filter for job in self.caches.repo_jobs(pr.org, pr.repo))
        }
        prs = await self.gatherer.with_files(list(found.values()), want_files)
        blockers: list[Blocker] = []
        if config.tide.blocker_label:
            orgs = {pr.org for pr in prs}
            blockers = await self.gatherer.blockers(config.tide.blocker_label, orgs)
        outcomes = await self._sync_subpools(list(prs), owners, blockers)
        status_started = time.monotonic()
        await self._update_contexts(list(prs), outcomes, pools, blockers)
        STATUS_DURATION.set(time.monotonic() - status_started)
        await self._record(outcomes, pools)
        self.gatherer.forget_files({(pr.org, pr.repo, pr.number, pr.head_sha) for pr in prs})
        SYNC_DURATION.set(time.monotonic() - started)
        HEARTBEAT.labels("sync").inc()
        return outcomes

    async def _sync_subpools(
        self, prs: list[PullRequest], owners: dict[str, PoolKey], blockers: list[Blocker]
    ) -> list[Outcome]:
        """Each sub-pool decided and acted on by itself, up to max_goroutines at once (so a
        batch merging with pauses holds back no other repository)."""
        groups: dict[tuple[str, str, str], list[PullRequest]] = {}
        for pr in prs:
            groups.setdefault((pr.org, pr.repo, pr.base_ref), []).append(pr)
        results: dict[tuple[str, str, str], list[JobResult]] = {}
        for job in list(self.caches.prowjobs.values()):
            results.setdefault((job.org, job.repo, job.base_ref), []).append(job)
        limit = asyncio.Semaphore(self.caches.config.tide.max_goroutines or 20)

        async def one(key: tuple[str, str, str], members: list[PullRequest]) -> Outcome | None:
            async with limit:
                return await self._sync_subpool(key, members, owners, blockers, results)

        found = await asyncio.gather(*(one(k, v) for k, v in sorted(groups.items())))
        return [outcome for outcome in found if outcome is not None]

    async def _sync_subpool(
        self,
        key: tuple[str, str, str],
        members: list[PullRequest],
        owners: dict[str, PoolKey],
        blockers: list[Blocker],
        results: dict[tuple[str, str, str], list[JobResult]],
    ) -> Outcome | None:
        org, repo, branch = key
        members.sort(key=lambda pr: pr.number)
        owner = min(owners[pr.key] for pr in members)
        spec = self.caches.pools[owner]
        try:
            sha = await self.gatherer.branch_sha(org, repo, branch)
            jobs = self.caches.repo_jobs(org, repo)
            settings = tide_settings.pool_settings(
                self.caches.config.tide, spec, org, repo, branch, jobs, blockers
            )
            pool = SubPool(org, repo, branch, sha, members, results.get(key, []))
            decision = decide(pool, settings)
            if decision.wants_trial:
                trial = await self._trial(pool, spec, settings, decision.wants_trial)
                decision = decide(pool, settings, trial)
            outcome = Outcome(decision, pool, owner)
            outcome.error = await self._act(outcome, spec, settings)
        except Exception:  # noqa: BLE001 - one sub-pool's failure, not all
            logger.exception("sub-pool %s/%s:%s failed", org, repo, branch)
            POOL_ERRORS.labels(org, repo, branch).inc()
            return None
        for gauge, value in (
            (POOLED, len(decision.prs)),
            (UPDATE_TIME, self.clock().timestamp()),
            (MISSING, len(decision.missings)),
            (PENDING, len(decision.pendings)),
            (SUCCESSFUL, len(decision.successes)),
            (BATCH_PENDING, len(decision.batch_pending)),
        ):
            gauge.labels(org, repo, branch).set(value)
        ACTIONS.labels(decision.action).inc()
        if decision.action in ("TRIGGER", "TRIGGER_BATCH") and not self.dry_run:
            RETESTS.labels(org, repo, branch, decision.action).inc()
        return outcome

    async def _trial(
        self,
        pool: SubPool,
        spec: TidePoolSpec,
        settings: PoolSettings,
        prs: Sequence[PullRequest],
    ) -> MergeTrial:
        """Prow's pickNewBatch: the candidates merged one by one with their merge methods."""
        if self.trier is None:
            raise RuntimeError("tide has no git checkout for trial merges")
        default = tide_settings.merge_method(self.caches.config.tide, spec, pool.org, pool.repo)
        candidates = [
            Candidate(pr.number, pr.head_sha, merge_method(pr, default, settings)) for pr in prs
        ]
        return await self.trier(pool, candidates, settings.batch_size_limit)

    async def _act(
        self, outcome: Outcome, spec: TidePoolSpec, settings: PoolSettings
    ) -> str | None:
        decision, pool = outcome.decision, outcome.pool
        if decision.action in ("WAIT", "BLOCKED") or not decision.targets:
            return None
        targets = ", ".join(f"#{pr.number}" for pr in decision.targets)
        if self.dry_run:
            logger.info("dry run: %s %s %s", decision.action, pool.key, targets)
            return None
        logger.info("%s %s %s at %s", decision.action, pool.key, targets, pool.sha)
        tide = self.caches.config.tide
        if decision.action in ("MERGE", "MERGE_BATCH"):
            default = tide_settings.merge_method(tide, spec, pool.org, pool.repo)
            done: MergeOutcome = await merge_prs(
                self.github,
                decision.targets,
                method=lambda pr: merge_method(pr, default, settings),
                template=tide_settings.by_repo(
                    tide.merge_commit_template, pool.org, pool.repo, None
                ),
                target_url=lambda pr: target_url(tide, pr),
                sleep=self.sleep,
                pause=self.merge_pause,
                prepare=self._overwriter(pool, spec) if decision.action == "MERGE_BATCH" else None,
            )
            if done.merged:
                MERGES.labels(pool.org, pool.repo, pool.branch).observe(len(done.merged))
            return done.error
        await self._trigger(pool, decision)
        return None

    def _overwriter(
        self, pool: SubPool, spec: TidePoolSpec
    ) -> Callable[[PullRequest], Awaitable[None]] | None:
        options = self.caches.config.tide.context_options
        if not overwrite_pending(pool.org, pool.repo, pool.branch, options, spec.context_options):
            return None

        async def overwrite(pr: PullRequest) -> None:
            await overwrite_pending_contexts(self.github, pr, pool.jobs, pool.sha)

        return overwrite

    async def _trigger(self, pool: SubPool, decision: Decision) -> None:
        """Prow's trigger: one ProwJob per context; a batch never twice for the same
        refs while one is not failed."""
        link = self.caches.config.github.link_url
        job_refs = refs(pool.org, pool.repo, pool.branch, pool.sha, decision.targets, link)
        pulls = tuple((p["number"], p["sha"]) for p in job_refs["pulls"])
        namespace = self.caches.config.prowjob_namespace
        seen: set[str] = set()
        for job in decision.trigger:
            if job.context in seen:
                continue
            seen.add(job.context)
            existing = list(self.caches.prowjobs.values())
            if len(pulls) > 1 and non_failed_batch_exists(existing, job.name, pool.sha, pulls):
                continue
            body = prowjob(job, job_refs, name=self.new_name(), namespace=namespace)
            created = await asyncio.to_thread(
                self.cluster.create_custom, namespace, "prowjobs", body
            )
            # Seen at once, so the next sync does not start it again before the watch
            # brings it.
            self.caches.upsert_prowjob(created)

    async def _update_contexts(
        self,
        pool_prs: list[PullRequest],
        outcomes: list[Outcome],
        pools: dict[PoolKey, TidePoolSpec],
        blockers: list[Blocker],
    ) -> None:
        """The `tide` context of every open PR of the pools' repositories, written only
        when it changes. PRs outside every pool are read every status_update_period."""
        config = self.caches.config
        period = (config.tide.status_update_period or config.tide.sync_period).total_seconds()
        prs = {pr.key: pr for pr in pool_prs}
        now = time.monotonic()
        if now - self.last_status >= period:
            self.last_status = now
            for pr in await self.gatherer.search(open_queries(pools.values())):
                prs.setdefault(pr.key, pr)
        in_pool = {pr.key for o in outcomes for pr in o.decision.prs}
        merged = {
            f"{o.pool.org}/{o.pool.repo}#{pr.number}"
            for o in outcomes
            if o.decision.action in ("MERGE", "MERGE_BATCH") and not o.error
            for pr in o.decision.targets
        }
        bases = {(o.pool.org, o.pool.repo, o.pool.branch): o.pool for o in outcomes}
        for pr in prs.values():
            if pr.key in merged:
                continue
            await self._set_context(pr, pr.key in in_pool, bases, pools, blockers)

    async def _set_context(
        self,
        pr: PullRequest,
        in_pool: bool,
        bases: dict[tuple[str, str, str], SubPool],
        pools: dict[PoolKey, TidePoolSpec],
        blockers: list[Blocker],
    ) -> None:
        tide = self.caches.config.tide
        queries = [s for s in pools.values() if tide_settings.covers(s, pr.org, pr.repo)]
        if not queries:
            return
        jobs = self.caches.repo_jobs(pr.org, pr.repo)
        settings = tide_settings.pool_settings(
            tide, queries[0], pr.org, pr.repo, pr.base_ref, jobs, blockers
        )
        pool = bases.get((pr.org, pr.repo, pr.base_ref))
        passing: list[str] = []
        if pool is not None:
            passing = [
                job.context
                for job in pool.jobs
                if job.base_sha == pool.sha
                and job.state == "success"
                and job.type == "presubmit"
                and job.pulls == ((pr.number, pr.head_sha),)
            ]
            passing += [job.context for job in context_results(pr, pool.sha)]
        applicable = [b for b in blockers if b.applies(pr.org, pr.repo, pr.base_ref)]
        state, description = expected_status(
            pr,
            queries,
            settings.checker,
            in_pool=in_pool,
            merge_blocked=merge_blocked_reason(pr, settings),
            blockers=applicable,
            passing_current=passing,
            display_all=tide.display_all_tide_queries_in_status,
            blocks_policy=settings.merge_blocks_policy,
        )
        description = clipped(description)
        current = pr.context(TIDE_CONTEXT)
        if current is not None and (current.state, current.description) == (state, description):
            return
        if self.dry_run:
            logger.info("dry run: %s tide %s %r", pr.key, state, description)
            return
        await self.github.create_status(
            pr.org,
            pr.repo,
            pr.head_sha,
            state=state,
            context=TIDE_CONTEXT,
            description=description,
            target_url=target_url(tide, pr),
        )

    async def _record(self, outcomes: list[Outcome], pools: dict[PoolKey, TidePoolSpec]) -> None:
        """Each TidePool's status: its sub-pools, the newest actions, the last action."""
        now = self.clock()
        for key in pools:
            mine = [o for o in outcomes if o.owner == key]
            history = self.caches.history.setdefault(key, [])
            status = record.status(
                [(o.decision, o.pool, o.error) for o in mine], history, now, HISTORY
            )
            if key in self.caches.generations:
                status["observedGeneration"] = self.caches.generations[key]
            if self.dry_run:
                continue
            try:
                await asyncio.to_thread(
                    self.cluster.patch_custom_status, key[0], "tidepools", key[1], status
                )
            except ApiError as error:
                if error.status != 404:  # deleted meanwhile
                    raise
