"""The reporters: each carries out its rules' verdict through a narrow client protocol.

A reporter raises on failures worth retrying; what will never succeed (a status for a
commit force-pushed away, a refused Slack webhook) is logged and dropped, as Prow does,
and counts as reported so the job is not retried forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.clients.github import GitHubError
from bowsprit.clients.slack import SlackError
from bowsprit.crier import decide
from bowsprit.crier.comment import plan_comment
from bowsprit.crier.decide import Job, TemplateError
from bowsprit.crier.slack import slack_message

logger = logging.getLogger("bowsprit.crier")


class GitHubApi(Protocol):
    async def bot_login(self) -> str: ...

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

    async def list_issue_comments(
        self, org: str, repo: str, number: int
    ) -> list[dict[str, Any]]: ...

    async def create_comment(
        self, org: str, repo: str, number: int, body: str
    ) -> dict[str, Any]: ...

    async def edit_comment(self, org: str, repo: str, comment_id: int, body: str) -> None: ...

    async def delete_comment(self, org: str, repo: str, comment_id: int) -> None: ...


class SlackApi(Protocol):
    async def post(self, text: str, channel: str | None) -> None: ...


class Reporter(Protocol):
    name: str

    def wants(self, job: Job, config: ProwConfigSpec) -> bool: ...

    async def report(self, job: Job, config: ProwConfigSpec, *, suspect: bool) -> str:
        """Report the job's state; `suspect` when a process before this one may have done
        it already (its record lost). Returns what was done, for the log."""
        ...


def dropped(error: GitHubError) -> bool:
    """Errors Prow swallows: the commit is gone (force-pushed away) or has every status
    GitHub allows; retrying cannot help."""
    message = error.message.lower()
    return error.status == 404 or (
        error.status == 422
        and ("no commit found" in message or "maximum number of statuses" in message)
    )


class GitHubReporter:
    name = decide.GITHUB

    def __init__(self, github: GitHubApi, known: Callable[[Job], list[Job]] | None = None) -> None:
        self.github = github
        # The jobs of the same pull request this process knows of (for summary comments).
        self.known = known or (lambda job: [])
        self._locks: dict[tuple[str, str, int], asyncio.Lock] = {}

    def wants(self, job: Job, config: ProwConfigSpec) -> bool:
        return decide.github_reports(job, config.crier)

    async def report(self, job: Job, config: ProwConfigSpec, *, suspect: bool) -> str:
        status = decide.commit_status(job)
        try:
            done = await self._status(status, suspect)
            if decide.wants_comment(job, config.crier):
                done += ", " + await self._comment(job, config)
        except GitHubError as error:
            if not dropped(error):
                raise
            logger.warning("%s: GitHub refused the report for good, dropped: %s", job.name, error)
            return "dropped"
        return done

    async def _status(self, status: decide.CommitStatus, suspect: bool) -> str:
        if suspect:
            existing = await self.github.list_statuses(status.org, status.repo, status.sha)
            if decide.already_set(status, existing):
                return f"status {status.state} already set"
        await self.github.create_status(
            status.org,
            status.repo,
            status.sha,
            state=status.state,
            context=status.context,
            description=status.description,
            target_url=status.target_url,
        )
        return f"status {status.state}"

    async def _comment(self, job: Job, config: ProwConfigSpec) -> str:
        refs = job.spec.refs
        assert refs is not None and refs.pulls
        org, repo, number = refs.org, refs.repo, refs.pulls[0].number
        # One pull request's comment is read and rewritten by one worker at a time.
        async with self._locks.setdefault((org, repo, number), asyncio.Lock()):
            comments = await self.github.list_issue_comments(org, repo, number)
            bot = await self.github.bot_login()
            try:
                extra = decide.report_template(job, config.plank)
            except TemplateError as error:
                # The default: no extra text (a Go template from Prow cannot render).
                logger.warning("%s: %s; the failure comment goes without it", job.name, error)
                extra = None
            if decide.wants_summary(job, config.crier):
                jobs = decide.summary_jobs(job, self.known(job))
                if jobs is None:
                    return "summary comment waits for the other jobs"
                plan = plan_comment(jobs, comments, bot, extra, summary=True)
            else:
                plan = plan_comment([job], comments, bot, extra)
            for comment_id in plan.delete:
                await self.github.delete_comment(org, repo, comment_id)
            if plan.edit is not None:
                await self.github.edit_comment(org, repo, *plan.edit)
            if plan.create is not None:
                await self.github.create_comment(org, repo, number, plan.create)
        if plan.create is not None:
            return "failure comment posted"
        if plan.edit is not None:
            return "failure comment edited"
        return "failure comment deleted" if plan.delete else "failure comment unchanged"


class SlackReporter:
    name = decide.SLACK

    def __init__(self, slack: SlackApi) -> None:
        self.slack = slack

    def wants(self, job: Job, config: ProwConfigSpec) -> bool:
        try:
            return slack_message(job, config.crier.slack_reporter_configs) is not None
        except TemplateError:
            return True  # report() says what is wrong

    async def report(self, job: Job, config: ProwConfigSpec, *, suspect: bool) -> str:
        try:
            message = slack_message(job, config.crier.slack_reporter_configs)
        except TemplateError as error:
            logger.error("%s: %s; nothing posted", job.name, error)
            return "dropped"
        if message is None:
            return "nothing to post"
        try:
            await self.slack.post(message.text, message.channel)
        except SlackError as error:
            if error.retryable:
                raise
            logger.error("%s: Slack refused the message for good, dropped: %s", job.name, error)
            return "dropped"
        return f"posted to {message.channel or 'the webhook channel'}"
