"""Calls on a repository's commits: statuses, branches, trees, blobs and file contents."""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import quote

from bowsprit.clients.github.transport import Transport, _q, _repo

logger = logging.getLogger("bowsprit.github")


class RepoCalls(Transport):
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
    ) -> None:
        body: dict[str, Any] = {"state": state, "context": context, "description": description}
        if target_url:
            body["target_url"] = target_url
        await self._send("POST", f"{_repo(org, repo)}/statuses/{_q(sha)}", org, json=body)

    async def list_statuses(self, org: str, repo: str, ref: str) -> list[dict[str, Any]]:
        """The newest status of each context on a commit (the combined status' entries)."""
        url = f"{_repo(org, repo)}/commits/{_q(ref)}/status"
        return await self._pages(url, org, key="statuses")

    async def get_branch_sha(self, org: str, repo: str, branch: str) -> str:
        found = await self._json("GET", f"{_repo(org, repo)}/branches/{_q(branch)}", org)
        return str(found["commit"]["sha"])

    async def delete_branch(self, org: str, repo: str, branch: str) -> None:
        await self._send("DELETE", f"{_repo(org, repo)}/git/refs/heads/{quote(branch)}", org)

    async def get_commit_tree_sha(self, org: str, repo: str, sha: str) -> str:
        found = await self._json("GET", f"{_repo(org, repo)}/commits/{_q(sha)}", org)
        return str(found["commit"]["tree"]["sha"])

    async def get_tree(self, org: str, repo: str, sha: str) -> list[dict[str, Any]]:
        """Every entry of a commit's tree, recursively (one request)."""
        url = f"{_repo(org, repo)}/git/trees/{_q(sha)}"
        found = await self._json("GET", url, org, params={"recursive": "1"})
        if found.get("truncated"):
            logger.warning("%s/%s@%s: GitHub truncated the tree listing", org, repo, sha)
        return list(found.get("tree") or [])

    async def get_blob_text(self, org: str, repo: str, sha: str) -> str:
        found = await self._json("GET", f"{_repo(org, repo)}/git/blobs/{_q(sha)}", org)
        return _decoded(found)

    async def get_file_text(self, org: str, repo: str, path: str, ref: str) -> str | None:
        """A file's text at a ref through the contents API; None when it is not there."""
        url = f"{_repo(org, repo)}/contents/{quote(path)}"
        response = await self._get_or_none(url, org, params={"ref": ref})
        found = response.json() if response is not None else None
        return _decoded(found) if isinstance(found, dict) else None


def _decoded(found: dict[str, Any]) -> str:
    """The text of a blob or contents answer (base64, as GitHub sends it)."""
    content = str(found.get("content", ""))
    if found.get("encoding", "base64") == "base64":
        return base64.b64decode(content).decode("utf-8", errors="replace")
    return content
