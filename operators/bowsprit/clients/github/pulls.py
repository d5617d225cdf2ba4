"""Calls on pull requests: the pull, its files and commits, reviews and reviewers, merging."""

from __future__ import annotations

from typing import Any

from bowsprit.clients.github.transport import Transport, _repo


class PullCalls(Transport):
    async def get_pull(self, org: str, repo: str, number: int) -> dict[str, Any]:
        pull: dict[str, Any] = await self._json("GET", f"{_repo(org, repo)}/pulls/{number}", org)
        return pull

    async def list_pulls(self, org: str, repo: str) -> list[dict[str, Any]]:
        """The repository's open pull requests, every page."""
        return await self._pages(f"{_repo(org, repo)}/pulls", org)  # state=open by default

    async def list_pull_changes(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        """The pull request's files with their status and patch (list_pull_files: names)."""
        return await self._pages(f"{_repo(org, repo)}/pulls/{number}/files", org)

    async def list_pull_files(self, org: str, repo: str, number: int) -> list[str]:
        files = await self.list_pull_changes(org, repo, number)
        return [str(item["filename"]) for item in files]

    async def list_pull_commits(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        """The pull request's commits (GitHub lists at most 250), oldest first."""
        return await self._pages(f"{_repo(org, repo)}/pulls/{number}/commits", org)

    async def merge_pull(
        self,
        org: str,
        repo: str,
        number: int,
        *,
        sha: str,
        method: str,
        title: str | None = None,
        message: str | None = None,
    ) -> None:
        """Merge a pull request if its head is still `sha`. GitHub's refusals come back as
        GitHubError: 405 (not mergeable, base modified, not allowed), 409 (head moved)."""
        body: dict[str, Any] = {"sha": sha, "merge_method": method}
        if title is not None:
            body["commit_title"] = title
        if message is not None:
            body["commit_message"] = message
        await self._send("PUT", f"{_repo(org, repo)}/pulls/{number}/merge", org, json=body)

    async def list_reviews(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return await self._pages(f"{_repo(org, repo)}/pulls/{number}/reviews", org)

    async def list_review_comments(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return await self._pages(f"{_repo(org, repo)}/pulls/{number}/comments", org)

    async def create_review(
        self,
        org: str,
        repo: str,
        number: int,
        *,
        body: str,
        commit_sha: str,
        comments: list[dict[str, Any]],
    ) -> None:
        review: dict[str, Any] = {"body": body, "event": "COMMENT", "comments": comments}
        if commit_sha:
            review["commit_id"] = commit_sha
        await self._send("POST", f"{_repo(org, repo)}/pulls/{number}/reviews", org, json=review)

    async def request_review(self, org: str, repo: str, number: int, logins: list[str]) -> None:
        url = f"{_repo(org, repo)}/pulls/{number}/requested_reviewers"
        await self._send("POST", url, org, json=_reviewers(logins))

    async def unrequest_review(self, org: str, repo: str, number: int, logins: list[str]) -> None:
        url = f"{_repo(org, repo)}/pulls/{number}/requested_reviewers"
        await self._send("DELETE", url, org, json=_reviewers(logins))


def _reviewers(logins: list[str]) -> dict[str, list[str]]:
    """Users and `org/team` teams, as GitHub takes them (teams by slug)."""
    body: dict[str, list[str]] = {"reviewers": [u for u in logins if "/" not in u]}
    teams = [u.split("/", 1)[1] for u in logins if "/" in u]
    if teams:
        body["team_reviewers"] = teams
    return body
