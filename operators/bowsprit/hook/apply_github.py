"""Carrying out the GitHub effects beyond labels and plain comments: statuses, the bot's
one comment per purpose (found and edited, never duplicated), pruning, assignees."""

from __future__ import annotations

from typing import Any, Protocol

from bowsprit.hook.effects import AssignIssue, GitHubEffect, PruneComments, SetStatus, UpsertComment


class GitHubCommentsAndStatuses(Protocol):
    async def list_issue_comments(
        self, org: str, repo: str, number: int
    ) -> list[dict[str, Any]]: ...
    async def create_comment(
        self, org: str, repo: str, number: int, body: str
    ) -> dict[str, Any]: ...
    async def edit_comment(self, org: str, repo: str, comment_id: int, body: str) -> None: ...
    async def delete_comment(self, org: str, repo: str, comment_id: int) -> None: ...
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
    async def assign_issue(self, org: str, repo: str, number: int, logins: list[str]) -> None: ...


def bot_comments(comments: list[dict[str, Any]], bot: str, marker: str) -> list[dict[str, Any]]:
    """The bot's comments that contain `marker`, oldest first."""
    return [
        item
        for item in comments
        if (item.get("user") or {}).get("login") == bot and marker in str(item.get("body", ""))
    ]


async def apply_github(github: GitHubCommentsAndStatuses, effect: GitHubEffect) -> None:
    if isinstance(effect, SetStatus):
        await github.create_status(
            effect.org,
            effect.repo,
            effect.sha,
            state=effect.state,
            context=effect.context,
            description=effect.description,
            target_url=effect.target_url or None,
        )
    elif isinstance(effect, AssignIssue):
        await github.assign_issue(effect.org, effect.repo, effect.number, list(effect.logins))
    elif isinstance(effect, UpsertComment):
        await _upsert(github, effect)
    else:
        await _prune(github, effect)


async def _upsert(github: GitHubCommentsAndStatuses, effect: UpsertComment) -> None:
    comments = await github.list_issue_comments(effect.org, effect.repo, effect.number)
    mine = bot_comments(comments, effect.bot, effect.marker)
    if not mine:
        await github.create_comment(effect.org, effect.repo, effect.number, effect.body)
        return
    keep, *extra = mine
    if keep.get("body") != effect.body:
        await github.edit_comment(effect.org, effect.repo, int(keep["id"]), effect.body)
    for item in extra:
        await github.delete_comment(effect.org, effect.repo, int(item["id"]))


async def _prune(github: GitHubCommentsAndStatuses, effect: PruneComments) -> None:
    comments = await github.list_issue_comments(effect.org, effect.repo, effect.number)
    for item in bot_comments(comments, effect.bot, effect.marker):
        await github.delete_comment(effect.org, effect.repo, int(item["id"]))
