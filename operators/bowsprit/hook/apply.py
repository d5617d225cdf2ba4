"""Carrying out plugins' effects: ProwJobs through the cluster, the rest through GitHub."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from bowsprit.clients.github import GitHubError
from bowsprit.hook.apply_everyday import GitHubEveryday, apply_everyday
from bowsprit.hook.apply_github import GitHubCommentsAndStatuses, apply_github
from bowsprit.hook.effects import (
    AbortPresubmits,
    AddLabel,
    AssignIssue,
    Comment,
    CreateProwJob,
    CreateReview,
    DeleteComment,
    EditComment,
    Effect,
    EverydayEffect,
    PruneComments,
    RemoveLabel,
    RequestReview,
    SetStatus,
    UpsertComment,
)
from bowsprit.jobpod import labels

logger = logging.getLogger("bowsprit.hook")

ABORT_DESCRIPTION = "Aborted: the pull request changed or was closed."
INCOMPLETE = ("scheduling", "triggered", "pending")
CONFLICT_RETRIES = 3


class GitHubWriter(GitHubCommentsAndStatuses, GitHubEveryday, Protocol):
    async def create_comment(
        self, org: str, repo: str, number: int, body: str
    ) -> dict[str, Any]: ...
    async def add_label(self, org: str, repo: str, number: int, label: str) -> None: ...
    async def remove_label(self, org: str, repo: str, number: int, label: str) -> None: ...
    async def request_review(self, org: str, repo: str, number: int, logins: list[str]) -> None: ...
    async def create_review(
        self,
        org: str,
        repo: str,
        number: int,
        *,
        body: str,
        commit_sha: str,
        comments: list[dict[str, Any]],
    ) -> None: ...


class ProwJobs(Protocol):
    """The cluster calls hook makes, awaited on the loop (bowsprit.clients.kube_async.
    AsyncKube has them, each retried on 429/5xx and lost connections)."""

    async def create_custom(
        self, namespace: str, plural: str, body: dict[str, Any]
    ) -> dict[str, Any]: ...
    async def list_custom(
        self, namespace: str, plural: str, label_selector: str = ""
    ) -> list[dict[str, Any]]: ...
    async def patch_custom_status(
        self,
        namespace: str,
        plural: str,
        name: str,
        status: dict[str, Any],
        resource_version: str | None = None,
    ) -> dict[str, Any]: ...


def conflict(error: Exception) -> bool:
    return getattr(error, "status", None) == 409


@dataclass
class Applier:
    github: GitHubWriter
    cluster: ProwJobs
    dry_run: bool = False
    abort_retry_delay: float = 5.0
    """Seconds before an abort that met CONFLICT_RETRIES conflicts in a row is tried again."""
    _retries: set[asyncio.Task[None]] = field(default_factory=set)

    async def apply(self, effects: list[Effect]) -> None:
        """In order: aborts come before the new runs of the same pull request."""
        for effect in effects:
            if self.dry_run:
                logger.info("dry run: would %s", effect)
                continue
            await self._apply(effect)

    async def _apply(self, effect: Effect) -> None:
        if isinstance(effect, CreateProwJob):
            body = effect.body
            await self.cluster.create_custom(body["metadata"]["namespace"], "prowjobs", body)
            logger.info("created ProwJob %s for %s", body["metadata"]["name"], effect.job)
        elif isinstance(effect, AbortPresubmits):
            await self._abort_or_retry(effect)
        elif isinstance(effect, Comment):
            await self.github.create_comment(effect.org, effect.repo, effect.number, effect.body)
        elif isinstance(effect, SetStatus | UpsertComment | PruneComments):
            await apply_github(self.github, effect)
        elif isinstance(effect, EverydayEffect):
            await apply_everyday(self.github, effect)
        elif isinstance(effect, AddLabel):
            await self.github.add_label(effect.org, effect.repo, effect.number, effect.label)
        elif isinstance(effect, RemoveLabel):
            try:
                await self.github.remove_label(effect.org, effect.repo, effect.number, effect.label)
            except GitHubError as error:
                if error.status != 404:  # already gone: what was asked for holds
                    raise
        else:
            await self._apply_more(effect)

    async def _abort_or_retry(self, effect: AbortPresubmits) -> None:
        if await self._abort(effect):
            return
        # Never dropped: the older runs would otherwise report over the new ones.
        logger.error(
            "aborting presubmits of %s/%s#%d: %d conflicts in a row; retrying in %.0f s",
            effect.org,
            effect.repo,
            effect.number,
            CONFLICT_RETRIES,
            self.abort_retry_delay,
        )
        task = asyncio.create_task(self._abort_later(effect))
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _apply_more(self, effect: Effect) -> None:
        """Comment edits, assignments and reviews (mostly the owners plugins' effects)."""
        github = self.github
        if isinstance(effect, EditComment):
            await github.edit_comment(effect.org, effect.repo, effect.comment_id, effect.body)
        elif isinstance(effect, DeleteComment):
            try:
                await github.delete_comment(effect.org, effect.repo, effect.comment_id)
            except GitHubError as error:
                if error.status != 404:  # already gone
                    raise
        elif isinstance(effect, AssignIssue | RequestReview):
            try:
                if isinstance(effect, AssignIssue):
                    await apply_github(github, effect)
                else:
                    await github.request_review(
                        effect.org, effect.repo, effect.number, list(effect.logins)
                    )
            except GitHubError as error:  # Prow logs these and goes on: the label matters
                logger.warning("could not %s: %s", effect, error)
        elif isinstance(effect, CreateReview):
            comments = [
                {"path": item.path, "position": item.position, "body": item.body}
                for item in effect.comments
            ]
            await github.create_review(
                effect.org,
                effect.repo,
                effect.number,
                body=effect.body,
                commit_sha=effect.commit_sha,
                comments=comments,
            )

    async def _abort_later(self, effect: AbortPresubmits) -> None:
        await asyncio.sleep(self.abort_retry_delay)
        try:
            await self._apply(effect)
        except Exception:  # noqa: BLE001 - a background retry has no caller to raise to
            logger.exception("retried abort of %s/%s#%d failed", *effect_target(effect))

    async def _abort(self, effect: AbortPresubmits) -> bool:
        """Abort the pull request's incomplete presubmits; False after CONFLICT_RETRIES
        conflicts in a row. Each write carries the version it was decided from: plank owns
        the state, so a job that moved on meanwhile is looked at again, not overwritten."""
        selector = ",".join(
            [
                f"{labels.TYPE}=presubmit",
                f"{labels.ORG}={effect.org}",
                f"{labels.REPO}={effect.repo}",
                f"{labels.PULL}={effect.number}",
            ]
        )
        for _ in range(CONFLICT_RETRIES):
            try:
                for job in await self.cluster.list_custom(effect.namespace, "prowjobs", selector):
                    await self._abort_one(job)
                return True
            except Exception as error:
                if not conflict(error):
                    raise
        return False

    async def _abort_one(self, job: dict[str, Any]) -> None:
        status = job.get("status") or {}
        if status.get("completionTime") or status.get("state", "triggered") not in INCOMPLETE:
            return
        metadata = job["metadata"]
        await self.cluster.patch_custom_status(
            metadata["namespace"],
            "prowjobs",
            metadata["name"],
            {"state": "aborted", "description": ABORT_DESCRIPTION},
            resource_version=metadata["resourceVersion"],
        )
        logger.info("aborted ProwJob %s (%s)", metadata["name"], job["spec"]["job"])


def effect_target(effect: AbortPresubmits) -> tuple[str, str, int]:
    return effect.org, effect.repo, effect.number
