"""Carrying out Tide's decisions on GitHub (Prow's mergePRs, tryMerge, setTideStatusSuccess
in pkg/tide/github.go and tide.go)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from bowsprit.clients.github import GitHubClient, GitHubError
from bowsprit.lib.contexts import description_with_base_sha
from bowsprit.tide.model import TIDE_CONTEXT, JobResult, PullRequest
from bowsprit.tide.status import IN_POOL

logger = logging.getLogger("bowsprit.tide")

MERGE_ATTEMPTS = 3
BASE_MODIFIED_BACKOFF = 4.0  # seconds, doubled per retry (Prow's tryMerge)
_TEMPLATES = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)

Sleep = Callable[[float], Awaitable[None]]


class StopBatch(Exception):
    """A refusal that will refuse every other PR of the batch too."""


@dataclass
class MergeOutcome:
    merged: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    stopped: str | None = None  # why the rest of the batch was not tried

    @property
    def error(self) -> str | None:
        if self.stopped:
            return self.stopped
        if self.failed:
            return "; ".join(f"#{n}: {why}" for n, why in sorted(self.failed.items()))
        return None


def template_values(pr: PullRequest) -> dict[str, object]:
    """What commit templates see: Prow's PullRequest field names."""
    return {
        "Number": pr.number,
        "Title": pr.title,
        "Body": pr.body,
        "Author": pr.author,
        "HeadRefName": pr.head_ref,
        "HeadRefOID": pr.head_sha,
        "BaseRefName": pr.base_ref,
        "Org": pr.org,
        "Repo": pr.repo,
    }


def render_commit(
    template: dict[str, str] | None, pr: PullRequest
) -> tuple[str | None, str | None]:
    """The merge commit's title and body from a merge_commit_template ({title, body})."""
    if not template:
        return None, None
    values = template_values(pr)
    title = template.get("title")
    body = template.get("body")
    return (
        _TEMPLATES.from_string(title).render(values) if title else None,
        _TEMPLATES.from_string(body).render(values) if body else None,
    )


def classify(error: GitHubError) -> str:
    """Prow's Merge error types from GitHub's answer."""
    message = error.message
    if error.status == 409:
        return "modified-head"
    if error.status == 405:
        if "Base branch was modified" in message:
            return "base-modified"
        if "not authorized to push" in message:
            return "unauthorized"
        if "Merge commits are not allowed" in message or "merges are not allowed" in message:
            return "forbidden"
        return "unmergeable"
    if error.status in (401, 403):
        return "unauthorized"
    return "other"


async def try_merge(merge: Callable[[], Awaitable[None]], sleep: Sleep) -> str | None:
    """Prow's tryMerge: None when merged, else why not. Retries "base branch was
    modified" with backoff; raises StopBatch for refusals that hold for every PR."""
    delay = BASE_MODIFIED_BACKOFF
    last = ""
    for attempt in range(MERGE_ATTEMPTS):
        try:
            await merge()
            return None
        except GitHubError as error:
            kind = classify(error)
            if kind == "modified-head":
                return f"PR was modified: {error.message}"
            if kind == "unauthorized":
                raise StopBatch(
                    f"branch needs to be configured to allow this robot to push: {error.message}"
                ) from error
            if kind == "forbidden":
                raise StopBatch(
                    "Tide needs to be configured to use an allowed merge method for this repo: "
                    + error.message
                ) from error
            if kind == "unmergeable":
                return (
                    "PR is unmergable. Do the Tide merge requirements match the GitHub settings"
                    f" for the repo? {error.message}"
                )
            if kind != "base-modified":
                return error.message
            last = f"base branch was modified: {error.message}"
            if attempt + 1 < MERGE_ATTEMPTS:
                await sleep(delay)
                delay *= 2
    return last


async def set_tide_success(github: GitHubClient, pr: PullRequest, target_url: str) -> None:
    """So a branch protection requiring `tide` lets the merge through; skipped when the
    context already says success."""
    current = pr.context(TIDE_CONTEXT)
    if current is not None and current.state == "success":
        return
    await github.create_status(
        pr.org,
        pr.repo,
        pr.head_sha,
        state="success",
        context=TIDE_CONTEXT,
        description=IN_POOL,
        target_url=target_url,
    )


COMMENT_TAG = "<!-- test report -->"  # crier's failure comment


async def overwrite_pending_contexts(
    github: GitHubClient, pr: PullRequest, jobs: Sequence[JobResult], base_sha: str
) -> None:
    """Prow's overwriteProwJobContextsWithStatusSuccess: a context still pending for the
    PR's own run, whose job passed in the batch being merged, is set to the batch's
    success (with its base SHA), and the bot's failure comment goes."""
    head = (pr.number, pr.head_sha)
    passed = {
        job.context: job
        for job in jobs
        if job.type == "batch"
        and job.state == "success"
        and job.base_sha == base_sha
        and head in job.pulls
    }
    pending = sorted(
        {
            job.context
            for job in jobs
            if job.type == "presubmit"
            and job.simple_state == "pending"
            and job.pulls[:1] == (head,)
        }
    )
    for context in pending:
        batch = passed.get(context)
        if batch is None:
            continue
        await github.create_status(
            pr.org,
            pr.repo,
            pr.head_sha,
            state="success",
            context=context,
            description=description_with_base_sha(batch.description, batch.base_sha),
            target_url=batch.url or None,
        )
        bot = await github.bot_login()
        for comment in await github.list_issue_comments(pr.org, pr.repo, pr.number):
            if (comment.get("user") or {}).get("login") == bot and COMMENT_TAG in str(
                comment.get("body") or ""
            ):
                await github.delete_comment(pr.org, pr.repo, int(comment["id"]))


async def merge_prs(
    github: GitHubClient,
    prs: Sequence[PullRequest],
    *,
    method: Callable[[PullRequest], str],
    template: dict[str, str] | None,
    target_url: Callable[[PullRequest], str],
    sleep: Sleep,
    pause: float,
    prepare: Callable[[PullRequest], Awaitable[None]] | None = None,
) -> MergeOutcome:
    """Merge PRs one by one with their tested head SHAs (GitHub refuses a PR pushed
    meanwhile); pause between merges so GitHub recomputes mergeability; stop the batch on
    a refusal that would repeat for every PR."""
    outcome = MergeOutcome()
    for index, pr in enumerate(sorted(prs, key=lambda pr: pr.number)):
        if index:
            await sleep(pause)
        title, body = render_commit(template, pr)
        try:
            await set_tide_success(github, pr, target_url(pr))
            if prepare is not None:
                await prepare(pr)

            async def merge(
                pr: PullRequest = pr, title: str | None = title, body: str | None = body
            ) -> None:
                await github.merge_pull(
                    pr.org,
                    pr.repo,
                    pr.number,
                    sha=pr.head_sha,
                    method=method(pr),
                    title=title,
                    message=body,
                )

            why = await try_merge(merge, sleep)
        except StopBatch as stop:
            outcome.stopped = str(stop)
            logger.error("%s: merge stopped: %s", pr.key, stop)
            break
        except GitHubError as error:
            why = error.message
        if why is None:
            outcome.merged.append(pr.number)
            logger.info("%s merged at %s (%s)", pr.key, pr.head_sha, method(pr))
        else:
            outcome.failed[pr.number] = why
            logger.warning("%s not merged: %s", pr.key, why)
    return outcome
