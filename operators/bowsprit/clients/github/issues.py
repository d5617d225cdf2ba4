"""Calls on issues and pull requests as issues: comments, labels, assignees, milestones,
events, and edits of the issue itself."""

from __future__ import annotations

from typing import Any

from bowsprit.clients.github.transport import Transport, _q, _repo


class IssueCalls(Transport):
    async def list_issue_comments(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return await self._pages(f"{_repo(org, repo)}/issues/{number}/comments", org)

    async def create_comment(self, org: str, repo: str, number: int, body: str) -> dict[str, Any]:
        url = f"{_repo(org, repo)}/issues/{number}/comments"
        created: dict[str, Any] = await self._json("POST", url, org, json={"body": body})
        return created

    async def edit_comment(self, org: str, repo: str, comment_id: int, body: str) -> None:
        url = f"{_repo(org, repo)}/issues/comments/{comment_id}"
        await self._send("PATCH", url, org, json={"body": body})

    async def delete_comment(self, org: str, repo: str, comment_id: int) -> None:
        await self._send("DELETE", f"{_repo(org, repo)}/issues/comments/{comment_id}", org)

    async def list_labels(self, org: str, repo: str, number: int) -> list[str]:
        labels = await self._pages(f"{_repo(org, repo)}/issues/{number}/labels", org)
        return _names(labels)

    async def add_label(self, org: str, repo: str, number: int, label: str) -> None:
        url = f"{_repo(org, repo)}/issues/{number}/labels"
        await self._send("POST", url, org, json={"labels": [label]})

    async def remove_label(self, org: str, repo: str, number: int, label: str) -> None:
        url = f"{_repo(org, repo)}/issues/{number}/labels/{_q(label)}"
        await self._send("DELETE", url, org)

    async def list_repo_labels(self, org: str, repo: str) -> list[str]:
        return _names(await self._pages(f"{_repo(org, repo)}/labels", org))

    async def assign_issue(self, org: str, repo: str, number: int, logins: list[str]) -> None:
        url = f"{_repo(org, repo)}/issues/{number}/assignees"
        await self._send("POST", url, org, json={"assignees": logins})

    async def unassign_issue(self, org: str, repo: str, number: int, logins: list[str]) -> None:
        url = f"{_repo(org, repo)}/issues/{number}/assignees"
        await self._send("DELETE", url, org, json={"assignees": logins})

    async def edit_issue(self, org: str, repo: str, number: int, fields: dict[str, Any]) -> None:
        await self._send("PATCH", f"{_repo(org, repo)}/issues/{number}", org, json=fields)

    async def list_milestones(self, org: str, repo: str) -> list[dict[str, Any]]:
        """The repository's open milestones."""
        return await self._pages(f"{_repo(org, repo)}/milestones", org)

    async def list_issue_events(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return await self._pages(f"{_repo(org, repo)}/issues/{number}/events", org)


def _names(labels: list[dict[str, Any]]) -> list[str]:
    return [str(label["name"]) for label in labels]
