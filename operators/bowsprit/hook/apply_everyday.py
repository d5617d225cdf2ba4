"""Carrying out the everyday plugins' effects: assignees and review requests taken away
or asked for, issues edited (title, state, milestone), merged branches deleted."""

from __future__ import annotations

from typing import Any, Protocol

from bowsprit.clients.github import GitHubError
from bowsprit.hook.effects import (
    EditIssue,
    EverydayEffect,
    UnassignIssue,
    UnrequestReview,
)


class GitHubEveryday(Protocol):
    async def unassign_issue(self, org: str, repo: str, number: int, logins: list[str]) -> None: ...
    async def unrequest_review(
        self, org: str, repo: str, number: int, logins: list[str]
    ) -> None: ...
    async def edit_issue(
        self, org: str, repo: str, number: int, fields: dict[str, Any]
    ) -> None: ...
    async def delete_branch(self, org: str, repo: str, branch: str) -> None: ...


async def apply_everyday(github: GitHubEveryday, effect: EverydayEffect) -> None:
    if isinstance(effect, UnassignIssue):
        await github.unassign_issue(effect.org, effect.repo, effect.number, list(effect.logins))
    elif isinstance(effect, UnrequestReview):
        await github.unrequest_review(effect.org, effect.repo, effect.number, list(effect.logins))
    elif isinstance(effect, EditIssue):
        await github.edit_issue(effect.org, effect.repo, effect.number, issue_fields(effect))
    else:
        try:
            await github.delete_branch(effect.org, effect.repo, effect.branch)
        except GitHubError as error:
            if error.status not in (404, 422):  # already gone: what was asked for holds
                raise


def issue_fields(effect: EditIssue) -> dict[str, Any]:
    """The PATCH body: only what the effect changes (a cleared milestone is null)."""
    fields: dict[str, Any] = {}
    if effect.title is not None:
        fields["title"] = effect.title
    if effect.state is not None:
        fields["state"] = effect.state
    if effect.body is not None:
        fields["body"] = effect.body
    if effect.state_reason is not None:
        fields["state_reason"] = effect.state_reason
    if effect.milestone is not None:
        fields["milestone"] = effect.milestone
    elif effect.clear_milestone:
        fields["milestone"] = None
    return fields
