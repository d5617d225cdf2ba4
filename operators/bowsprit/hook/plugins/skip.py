"""The skip plugin: `/skip` on an open pull request marks the stale statuses of jobs that
do not block merging (Presubmits: Prow's optional or skip_report jobs) as skipped
successes (Prow's pkg/plugins/skip)."""

from __future__ import annotations

import re
from typing import Any

from bowsprit.hook.effects import Effect, SetStatus
from bowsprit.hook.events import GenericCommentEvent, parse_pull
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.jobpod.jobs import Job

SKIP_RE = re.compile(r"(?mi)^/skip\s*$", re.ASCII)


def decide(
    body: str,
    where: tuple[str, str, str, str],
    jobs: tuple[Job, ...],
    statuses: list[dict[str, Any]],
) -> list[Effect]:
    """Prow's handle: every presubmit of the branch (org, repo, head SHA, base branch)
    with a status that is not a success, unless its context is required or the same
    comment runs it again (`/test` it)."""
    org, repo, sha, branch = where
    latest = {str(item.get("context")): str(item.get("state")) for item in statuses}
    if latest and all(state == "success" for state in latest.values()):
        return []  # Prow: the combined status is already a success
    effects: list[Effect] = []
    for job in jobs:
        if not job.presubmit or not job.runs_on_branch(branch):
            continue
        state = latest.get(job.context)
        if state is None or state == "success":
            continue
        if not job.optional and not job.skip_report:  # Prow's ContextRequired
            continue
        if job.triggered_by(body):  # trigger will run it: its status will be real
            continue
        effects.append(SetStatus(org, repo, sha, job.context, "success", "Skipped"))
    return effects


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if not event.is_pr or event.issue_state != "open" or event.action != "created":
        return []
    if not SKIP_RE.search(event.body):
        return []
    org, repo = event.repo.org, event.repo.name
    pull = parse_pull(await ctx.github.get_pull(org, repo, event.number))
    statuses = await ctx.github.list_statuses(org, repo, pull.head_sha)
    where = (org, repo, pull.head_sha, pull.base_ref)
    return decide(event.body, where, ctx.presubmits, statuses)


PLUGIN = Plugin(
    name="skip",
    description="The skip plugin allows users to clean up GitHub stale commit statuses for "
    "non-blocking jobs on a PR.",
    events=("issue_comment", "pull_request_review", "pull_request_review_comment"),
    commands=(
        Command(
            "/skip",
            "Cleans up GitHub stale commit statuses for non-blocking jobs on a PR.",
            ("/skip",),
            "Anyone can trigger this command on a PR.",
        ),
    ),
    on_generic_comment=handle_generic_comment,
)
