"""Carrying out one repository's delta on its open pull requests: ProwJobs for added
contexts (trusted authors only), statuses for retired and migrated ones.

GitHub is read once per repository pass (its open pull requests) and then per pull
request only for what the delta needs; a failure on one pull request is counted and
the others go on (Prow's --continue-on-error). Everything written is idempotent, so the
pass can be repeated after a failure or a crash: ProwJob names are derived from the
pull request, its head and the job as changed (a second create finds the first), and a
status already written is not written again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from prometheus_client import Counter

from bowsprit.api.pluginconfig import TriggerSettings
from bowsprit.jobpod.jobs import Job
from bowsprit.jobpod.newjob import PullFacts, prowjob, pull_refs
from bowsprit.jobpod.trust import trusted_pull
from bowsprit.statusreconciler.decide import (
    Added,
    Delta,
    Pull,
    Status,
    needs_files,
    status_updates,
    to_trigger,
    trigger_candidates,
)
from bowsprit.statusreconciler.records import record_of

logger = logging.getLogger("bowsprit.statusreconciler")

# Prow's status-reconciler passes this as the event GUID of the jobs it starts.
EVENT_GUID = "none"
# Pull requests worked on at once within one repository.
PULL_CONCURRENCY = 8
NAMES = uuid.UUID("6f1c5e79-a0e3-4b21-9c8e-5a3d2b1f0e47")

PROWJOBS = Counter("status_reconciler_prowjobs_created", "ProwJobs started for added contexts")
STATUSES = Counter(
    "status_reconciler_statuses_written", "Statuses written on pull requests", ["action"]
)
PULL_ERRORS = Counter(
    "status_reconciler_pull_errors", "Pull requests whose reconcile failed (retried later)"
)


class GitHub(Protocol):
    """The GitHub calls status-reconciler makes (bowsprit.clients.github has them)."""

    async def list_pulls(self, org: str, repo: str) -> list[dict[str, Any]]: ...
    async def list_pull_files(self, org: str, repo: str, number: int) -> list[str]: ...
    async def get_branch_sha(self, org: str, repo: str, branch: str) -> str: ...
    async def list_statuses(self, org: str, repo: str, ref: str) -> list[dict[str, Any]]: ...
    async def create_status(
        self,
        org: str,
        repo: str,
        sha: str,
        *,
        state: str,
        context: str,
        description: str,
        target_url: str | None,
    ) -> None: ...
    async def is_member(self, org: str, user: str) -> bool: ...
    async def is_collaborator(self, org: str, repo: str, user: str) -> bool: ...


CreateProwJob = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class RepoPass:
    """One pass over a repository's open pull requests."""

    org: str
    repo: str
    delta: Delta
    github: GitHub
    create_prowjob: CreateProwJob
    trigger: TriggerSettings
    bot: str
    namespace: str  # where ProwJobs go
    dry_run: bool = False
    continue_on_error: bool = True
    errors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    written: list[tuple[int, Status]] = field(default_factory=list)
    _base_shas: dict[str, asyncio.Future[str]] = field(default_factory=dict)
    _membership: Membership = field(init=False)

    def __post_init__(self) -> None:
        self._membership = Membership(self.github)

    async def run(self) -> None:
        """Every open pull request, a few at once; failures are collected in `errors`."""
        if not self.delta:
            return
        pulls = await self.github.list_pulls(self.org, self.repo)
        limit = asyncio.Semaphore(PULL_CONCURRENCY)

        async def one(pull: dict[str, Any]) -> None:
            async with limit:
                if self.errors and not self.continue_on_error:
                    return
                try:
                    await self.pull(pull)
                except Exception as error:  # noqa: BLE001 - the other pulls go on
                    PULL_ERRORS.inc()
                    self.errors.append(f"{self.org}/{self.repo}#{pull.get('number')}: {error}")
                    logger.warning("%s/%s#%s: %s", self.org, self.repo, pull.get("number"), error)

        await asyncio.gather(*(one(pull) for pull in pulls))

    async def pull(self, raw: dict[str, Any]) -> None:
        facts = PullFacts.from_api(raw)
        pull = Pull(facts.number, facts.base_ref, bool(raw.get("draft")), raw.get("mergeable"))
        candidates = trigger_candidates(pull, self.delta.added)
        if candidates:
            await self._trigger(raw, facts, pull, candidates)
        if self.delta.removed or self.delta.migrated:
            await self._statuses(facts)

    async def _trigger(
        self, raw: dict[str, Any], facts: PullFacts, pull: Pull, candidates: list[Added]
    ) -> None:
        # Trust first: an author's answer is remembered for the pass, files are not.
        labels = tuple(str(label.get("name", "")) for label in raw.get("labels") or ())
        if not await trusted_pull(
            self._membership, self.trigger, self.bot, self.org, self.repo, facts.author, labels
        ):
            logger.info(
                "%s/%s#%d: author not trusted, left for /ok-to-test",
                self.org,
                self.repo,
                facts.number,
            )
            return
        changed: list[str] = []
        if needs_files(candidates):
            changed = await self.github.list_pull_files(self.org, self.repo, facts.number)
        jobs = to_trigger(pull, candidates, changed)
        if not jobs:
            return
        base_sha = await self._base_sha(facts.base_ref)
        refs = pull_refs(facts, base_sha)
        for job in jobs:
            name = prowjob_name(job, facts)
            body = prowjob(
                job, "presubmit", refs, name=name, namespace=self.namespace, guid=EVENT_GUID
            )
            if self.dry_run:
                logger.info(
                    "dry run: would start %s on %s/%s#%d",
                    job.name,
                    self.org,
                    self.repo,
                    facts.number,
                )
            else:
                await self.create_prowjob(body)
                PROWJOBS.inc()
                logger.info(
                    "started %s (%s) on %s/%s#%d", name, job.name, self.org, self.repo, facts.number
                )
            self.created.append(name)

    async def _base_sha(self, branch: str) -> str:
        """The base branch's head as GitHub has it now, read once per branch and pass."""
        found = self._base_shas.get(branch)
        if found is None:
            found = asyncio.ensure_future(self.github.get_branch_sha(self.org, self.repo, branch))
            self._base_shas[branch] = found
        return await found

    async def _statuses(self, facts: PullFacts) -> None:
        raw = await self.github.list_statuses(self.org, self.repo, facts.head_sha)
        current = [Status.from_api(item) for item in raw]
        writes = status_updates(current, facts.base_ref, self.delta.removed, self.delta.migrated)
        for status in writes:
            where = f"{self.org}/{self.repo}#{facts.number}"
            if self.dry_run:
                logger.info(
                    "dry run: would set %s on %s to %s (%s)",
                    status.context,
                    where,
                    status.state,
                    status.description,
                )
            else:
                await self.github.create_status(
                    self.org,
                    self.repo,
                    facts.head_sha,
                    state=status.state,
                    context=status.context,
                    description=status.description,
                    target_url=status.target_url or None,
                )
                retiring = status.description.startswith("Context retired")
                STATUSES.labels("retire" if retiring else "copy").inc()
                logger.info(
                    "set %s on %s to %s: %s",
                    status.context,
                    where,
                    status.state,
                    status.description,
                )
            self.written.append((facts.number, status))


class Membership:
    """GitHub's membership answers, each asked once per pass (authors repeat)."""

    def __init__(self, github: GitHub) -> None:
        self.github = github
        self._answers: dict[tuple[str, ...], asyncio.Future[bool]] = {}

    def _once(
        self, key: tuple[str, ...], ask: Callable[[], Awaitable[bool]]
    ) -> asyncio.Future[bool]:
        found = self._answers.get(key)
        if found is None:
            found = asyncio.ensure_future(ask())
            self._answers[key] = found
        return found

    async def is_member(self, org: str, user: str) -> bool:
        return await self._once(("member", org, user), lambda: self.github.is_member(org, user))

    async def is_collaborator(self, org: str, repo: str, user: str) -> bool:
        return await self._once(
            ("collaborator", org, repo, user),
            lambda: self.github.is_collaborator(org, repo, user),
        )


def prowjob_name(job: Job, pull: PullFacts) -> str:
    """A UUID as Prow names ProwJobs, but derived from the pull request, its head and the
    job as it now is: a repeated pass finds the job it started instead of starting a
    second one, and a later change of the job starts a new one."""
    record = json.dumps(record_of(job), sort_keys=True)
    digest = hashlib.sha256(record.encode()).hexdigest()[:16]
    key = f"{pull.org}/{pull.repo}#{pull.number}@{pull.head_sha}:{digest}"
    return str(uuid.uuid5(NAMES, key))
