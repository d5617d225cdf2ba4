"""The assign plugin: `/assign`, `/unassign` (assignees), `/cc`, `/uncc` (review
requests), each defaulting to the commenter (Prow's pkg/plugins/assign).

GitHub drops assignees and reviewers it will not take without an error; Prow's client
notices them afterwards. Here the same rules are read first (members and collaborators,
plus commenters for assignees; no self-review; at most 10 assignees), so the decision is
made from observed state and the effects stay values."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bowsprit.hook.effects import (
    AssignIssue,
    Comment,
    Effect,
    RequestReview,
    UnassignIssue,
    UnrequestReview,
)
from bowsprit.hook.events import GenericCommentEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import format_response_raw

ASSIGN_RE = re.compile(r"(?mi)^/(un)?assign(( @?[-\w]+?)*)\s*$", re.ASCII)
CC_RE = re.compile(r"(?mi)^/(un)?cc(( +@?[-/\w]+?)*)\s*$", re.ASCII)
MAX_ASSIGNEES = 10  # GitHub's limit


def parse_logins(text: str) -> list[str]:
    return [part.strip("@ ") for part in text.split(" ") if part.strip("@ ")]


def wanted(pattern: re.Pattern[str], body: str, commenter: str) -> tuple[list[str], list[str]]:
    """(to add, to remove), the last word on each login winning, as in Prow's map."""
    users: dict[str, bool] = {}
    for match in pattern.finditer(body):
        add = match.group(1) is None or match.group(1).lower() != "un"
        logins = parse_logins(match.group(2) or "") or [commenter]
        for login in logins:
            users.pop(login, None)
            users[login] = add
    return [u for u, add in users.items() if add], [u for u, add in users.items() if not add]


def assign_failure(org: str, missing: list[str]) -> str:
    return (
        f"GitHub didn't allow me to assign the following users: {', '.join(missing)}.\n\n"
        f"Note that only [{org} members](https://github.com/orgs/{org}/people) with read "
        "permissions, repo collaborators and people who have commented on this issue/PR can "
        "be assigned. Additionally, issues/PRs can only have 10 assignees at the same time.\n"
        "For more information please see [the contributor guide](https://git.k8s.io/community"
        "/contributors/guide/first-contribution.md#issue-assignment-in-github)"
    )


def review_failure(org: str, missing: list[str]) -> str:
    return (
        "GitHub didn't allow me to request PR reviews from the following users: "
        f"{', '.join(missing)}.\n\nNote that only [{org} members](https://github.com/orgs/"
        f"{org}/people) and repo collaborators can review this PR, and authors cannot review "
        "their own PRs."
    )


@dataclass(frozen=True)
class Split:
    taken: list[str]
    missing: list[str]


async def split(
    logins: list[str], allowed: Callable[[str], Awaitable[bool]], limit: int | None
) -> Split:
    taken: list[str] = []
    missing: list[str] = []
    for login in sorted(logins) if limit else logins:
        if (limit is None or len(taken) < limit) and await allowed(login):
            taken.append(login)
        else:
            missing.append(login)
    return Split(taken, missing)


async def _may_take(ctx: Context, org: str, repo: str, login: str) -> bool:
    if "/" in login:  # a team (org/slug): GitHub checks it
        return True
    return await ctx.github.is_member(org, login) or await ctx.github.is_collaborator(
        org, repo, login
    )


def _reply(event: GenericCommentEvent, message: str) -> Comment:
    body = format_response_raw(event.body, event.html_url, event.author, message)
    return Comment(event.repo.org, event.repo.name, event.number, body)


async def assign_effects(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    org, repo, number = event.repo.org, event.repo.name, event.number
    add, remove = wanted(ASSIGN_RE, event.body, event.author)
    effects: list[Effect] = []
    if remove:
        effects.append(UnassignIssue(org, repo, number, tuple(remove)))
    if not add:
        return effects
    commenters: set[str] | None = None

    async def assignable(login: str) -> bool:
        nonlocal commenters
        if await _may_take(ctx, org, repo, login):
            return True
        if commenters is None:
            found = await ctx.github.list_issue_comments(org, repo, number)
            commenters = {str((item.get("user") or {}).get("login")) for item in found}
        return login in commenters

    result = await split(add, assignable, MAX_ASSIGNEES)
    if result.taken:
        effects.append(AssignIssue(org, repo, number, tuple(result.taken)))
    if result.missing:
        effects.append(_reply(event, assign_failure(org, result.missing)))
    return effects


async def review_effects(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    org, repo, number = event.repo.org, event.repo.name, event.number
    add, remove = wanted(CC_RE, event.body, event.author)
    effects: list[Effect] = []
    if remove:
        effects.append(UnrequestReview(org, repo, number, tuple(remove)))
    if not add:
        return effects

    async def reviewer(login: str) -> bool:
        return login != event.issue_author and await _may_take(ctx, org, repo, login)

    result = await split(add, reviewer, None)
    if result.taken:
        effects.append(RequestReview(org, repo, number, tuple(result.taken)))
    if result.missing:
        effects.append(_reply(event, review_failure(org, result.missing)))
    return effects


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.action != "created":
        return []
    effects = await assign_effects(ctx, event)
    if event.is_pr:
        effects += await review_effects(ctx, event)
    return effects


PLUGIN = Plugin(
    name="assign",
    description="The assign plugin assigns or requests reviews from users/teams. Specific "
    "users can be assigned with the command '/assign @user1' or have reviews requested of "
    "them with the command '/cc @user1'. If no users are specified, the commands default to "
    "targeting the user who created the command. Assignments and requested reviews can be "
    "removed in the same way that they are added by prefixing the commands with 'un'.",
    events=("issue_comment", "pull_request_review", "pull_request_review_comment"),
    commands=(
        Command(
            "/[un]assign [[@]<username>...|[@]<orgname/teamname>...]",
            "Assigns assignee(s) or team(s) to the PR",
            (
                "/assign",
                "/unassign",
                "/assign @spongebob",
                "/assign spongebob patrick",
                "/assign @kubernetes/sig-foo-bar",
            ),
            "Anyone can use the command, but the target user(s) must be an org member, a repo "
            "collaborator, or should have previously commented on the issue or PR.",
            featured=True,
        ),
        Command(
            "/[un]cc [[@]<username>...|[@]<orgname/teamname>...]",
            "Requests a review from the user(s) or team(s).",
            (
                "/cc",
                "/uncc",
                "/cc @spongebob",
                "/cc spongebob patrick",
                "/cc @kubernetes/sig-foo-bar",
            ),
            "Anyone can use the command, but the target user(s) must be a member of the org "
            "that owns the repository.",
            featured=True,
        ),
    ),
    on_generic_comment=handle_generic_comment,
)
