"""The dco plugin: every commit of a pull request carries a Signed-off-by line, or the
pull request gets `dco-signoff: no`, a failing `dco` context and one comment listing the
commits to fix; once fixed, `dco-signoff: yes`, a passing context, and the comment goes
(Prow's pkg/plugins/dco)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bowsprit.api.pluginconfig import DcoSettings, TriggerSettings
from bowsprit.hook.effects import (
    AddLabel,
    Effect,
    PruneComments,
    RemoveLabel,
    SetStatus,
    UpsertComment,
)
from bowsprit.hook.events import GenericCommentEvent, PullRequestEvent, parse_pull
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import ABOUT_THIS_BOT, SPACE
from bowsprit.jobpod.trust import trusted_user

CONTEXT = "dco"
MESSAGE_FAILED = "Commits in PR missing Signed-off-by"
MESSAGE_SUCCESS = "All commits have Signed-off-by"
YES = "dco-signoff: yes"
NO = "dco-signoff: no"
PRUNE_MATCH = (
    "Thanks for your pull request. Before we can look at it, you'll need to add a "
    "'DCO signoff' to your commits."
)
NOT_FOUND_MESSAGE = (
    PRUNE_MATCH
    + """

:memo: **Please follow instructions in the [contributing guide]({url}) to update your commits with the DCO**

Full details of the Developer Certificate of Origin can be found at [developercertificate.org](https://developercertificate.org/).

**The list of commits missing DCO signoff**:

{commits}

<details>

{about}
</details>
"""  # noqa: E501 - Prow's text, line for line
)
CHECK_RE = re.compile(rf"(?mi)^/check-dco{SPACE}*$")
SIGNED_OFF_RE = re.compile(r"(?mi)^signed-off-by:")
PR_ACTIONS = ("opened", "reopened", "synchronize")


@dataclass(frozen=True)
class Commit:
    sha: str
    message: str
    author: str  # the GitHub login GitHub matched the author to ("" when none)
    merge: bool


def commit_of(item: dict[str, Any]) -> Commit:
    author = item.get("author") or {}
    return Commit(
        sha=str(item.get("sha", "")),
        message=str((item.get("commit") or {}).get("message", "")),
        author=str(author.get("login", "")) if isinstance(author, dict) else "",
        merge=len(item.get("parents") or []) > 1,
    )


def missing_signoff(commits: Sequence[Commit]) -> list[Commit]:
    """Commits without a Signed-off-by line; merge commits are exempt (Prow)."""
    return [c for c in commits if not c.merge and not SIGNED_OFF_RE.search(c.message)]


def markdown_sha_list(org: str, repo: str, commits: Sequence[Commit]) -> str:
    lines = []
    for commit in commits:
        if not commit.sha:
            lines.append("")
            continue
        title = commit.message.split("\n", 1)[0]
        lines.append(
            f"- [{commit.sha[:7]}](https://github.com/{org}/{repo}/commits/{commit.sha}) {title}"
        )
    return "\n".join(lines)


def contributing_url(settings: DcoSettings, org: str, repo: str) -> str:
    where = settings.contributing_repo or f"{org}/{repo}"
    branch = settings.contributing_branch or "master"
    path = settings.contributing_path or "CONTRIBUTING.md"
    return f"https://github.com/{where}/blob/{branch}/{path}"


@dataclass(frozen=True)
class Observed:
    org: str
    repo: str
    number: int
    head_sha: str
    missing: tuple[Commit, ...]
    existing_status: str  # the dco context's state on the head, "" when none
    has_yes: bool
    has_no: bool
    url: str
    add_comment: bool
    bot: str


def decide(seen: Observed) -> list[Effect]:
    """Prow's takeAction."""
    org, repo, number = seen.org, seen.repo, seen.number
    effects: list[Effect] = []
    if not seen.missing:
        if seen.has_no:
            effects.append(RemoveLabel(org, repo, number, NO))
        if not seen.has_yes:
            effects.append(AddLabel(org, repo, number, YES))
        if seen.existing_status != "success":
            effects.append(
                SetStatus(org, repo, seen.head_sha, CONTEXT, "success", MESSAGE_SUCCESS, seen.url)
            )
        effects.append(PruneComments(org, repo, number, seen.bot, PRUNE_MATCH))
        return effects
    if not seen.has_no:
        effects.append(AddLabel(org, repo, number, NO))
    if seen.has_yes:
        effects.append(RemoveLabel(org, repo, number, YES))
    if seen.existing_status != "failure":
        effects.append(
            SetStatus(org, repo, seen.head_sha, CONTEXT, "failure", MESSAGE_FAILED, seen.url)
        )
    if seen.add_comment:
        body = NOT_FOUND_MESSAGE.format(
            url=seen.url,
            commits=markdown_sha_list(org, repo, seen.missing),
            about=ABOUT_THIS_BOT,
        )
        # Prow deletes its old comment and posts anew; editing the one comment keeps
        # the conversation free of copies and notifies nobody twice.
        effects.append(UpsertComment(org, repo, number, seen.bot, PRUNE_MATCH, body))
    return effects


async def _untrusted(
    ctx: Context, settings: DcoSettings, org: str, repo: str, commits: list[Commit]
) -> list[Commit]:
    """Prow's filterTrustedUsers: trigger's trust rules applied to each commit's author."""
    trust = TriggerSettings(
        trusted_apps=settings.trusted_apps,
        only_org_members=not settings.skip_dco_check_for_collaborators,
        trusted_org=settings.trusted_org,
    )
    kept = []
    for commit in commits:
        if not commit.author or not await trusted_user(
            ctx.github, trust, ctx.bot, org, repo, commit.author
        ):
            kept.append(commit)
    return kept


async def check(
    ctx: Context, org: str, repo: str, number: int, head_sha: str, add_comment: bool
) -> list[Effect]:
    settings = ctx.config.dco or DcoSettings()
    listed = await ctx.github.list_pull_commits(org, repo, number)
    missing = missing_signoff([commit_of(item) for item in listed])
    skip = settings.skip_dco_check_for_members or settings.skip_dco_check_for_collaborators
    if missing and (skip or settings.trusted_apps):
        missing = await _untrusted(ctx, settings, org, repo, missing)
    statuses = await ctx.github.list_statuses(org, repo, head_sha)
    existing = next((str(s.get("state")) for s in statuses if s.get("context") == CONTEXT), "")
    labels = await ctx.github.list_labels(org, repo, number)
    return decide(
        Observed(
            org,
            repo,
            number,
            head_sha,
            tuple(missing),
            existing,
            YES in labels,
            NO in labels,
            contributing_url(settings, org, repo),
            add_comment,
            ctx.bot,
        )
    )


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in PR_ACTIONS:
        return []
    pull = event.pull
    return await check(
        ctx,
        event.repo.org,
        event.repo.name,
        pull.number,
        pull.head_sha,
        add_comment=event.action in ("opened", "synchronize"),
    )


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.issue_state != "open" or event.action != "created" or not event.is_pr:
        return []
    if not CHECK_RE.search(event.body):
        return []
    repo = event.repo
    pull = parse_pull(await ctx.github.get_pull(repo.org, repo.name, event.number))
    return await check(ctx, repo.org, repo.name, pull.number, pull.head_sha, add_comment=True)


PLUGIN = Plugin(
    name="dco",
    description="The dco plugin checks pull request commits for 'DCO sign off' and maintains "
    "the '" + CONTEXT + "' status context, as well as the 'dco' label.",
    config_help="PluginConfig spec.dco: skip_dco_check_for_members, trusted_apps, "
    "trusted_org, skip_dco_check_for_collaborators, contributing_repo, contributing_branch, "
    "contributing_path.",
    events=("pull_request", "issue_comment", "pull_request_review"),
    commands=(
        Command(
            "/check-dco",
            "Forces rechecking of the DCO status.",
            ("/check-dco",),
            "Anyone",
            True,
        ),
    ),
    on_pull_request=handle_pull_request,
    on_generic_comment=handle_generic_comment,
)
