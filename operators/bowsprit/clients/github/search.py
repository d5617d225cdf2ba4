"""Queries across repositories: the issue search and GraphQL."""

from __future__ import annotations

from typing import Any

from bowsprit.clients.github.errors import GitHubError
from bowsprit.clients.github.transport import Transport


class SearchCalls(Transport):
    async def search_issues(self, query: str, org: str) -> list[dict[str, Any]]:
        """Every issue or pull request the search finds (GitHub stops at 1000)."""
        return await self._pages("/search/issues", org, key="items", params={"q": query})

    async def graphql(
        self, query: str, variables: dict[str, Any], org: str | None = None
    ) -> dict[str, Any]:
        """One GraphQL query (`org` picks the App installation); GitHub's `errors` raise
        GitHubError naming the first."""
        body = await self._json(
            "POST", "/graphql", org, json={"query": query, "variables": variables}
        )
        if body.get("errors"):
            raise GitHubError(f"GraphQL: {body['errors'][0].get('message', body['errors'][0])}")
        data: dict[str, Any] = body["data"]
        return data
