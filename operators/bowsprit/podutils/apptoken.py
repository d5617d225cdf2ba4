"""A GitHub App installation token for cloning (decoration's github_app_id and
github_app_private_key_secret), minted through the GitHub layer as Prow's clonerefs does."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bowsprit.clients.github import GitHubClient, GitHubError, GitHubSettings
from bowsprit.jobpod.options import CloneRefsOptions


class AppTokenError(Exception):
    """No token could be minted (the message says why)."""


def installation_token(options: CloneRefsOptions, org: str) -> str:
    endpoints = options.github_api_endpoints or ["https://api.github.com"]
    settings = GitHubSettings(
        base_url=endpoints[0],
        app_id=options.github_app_id,
        app_private_key_path=Path(options.github_app_private_key_file or ""),
    )

    async def mint() -> str:
        client = GitHubClient(settings)
        try:
            return await client.installation_token(org)
        finally:
            await client.aclose()

    try:
        return asyncio.run(mint())
    except (GitHubError, OSError, ValueError) as error:
        raise AppTokenError(f"GitHub App token for {org}: {error}") from error
