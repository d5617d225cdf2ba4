"""The GitHub layer every component uses: one async client, `GitHubClient`.

Bottom up: `endpoint` (one kept-alive aiohttp session per --github-endpoint, and the fall
back to the next), `auth` (token file or App JWT and installation tokens), `rules` (pure:
rate-limit waits, backoff, pagination links), `transport` (authenticated requests with
retries, rate limits, ETag revalidation and pagination), then the calls grouped by what
they touch (`issues`, `pulls`, `repos`, `users`, `search`), which `client` gathers.
Components import from here, not from the modules, so the layout can change under them.
"""

from __future__ import annotations

from bowsprit.clients.github.auth import JWT_BACKDATE, JWT_LIFETIME, TOKEN_REFRESH_MARGIN
from bowsprit.clients.github.client import GitHubClient
from bowsprit.clients.github.errors import GitHubError
from bowsprit.clients.github.rules import (
    SECONDARY_LIMIT_WAIT,
    backoff,
    next_link,
    rate_limit_wait,
)
from bowsprit.clients.github.settings import GitHubSettings, add_github_flags, settings_from_args
from bowsprit.clients.github.transport import CACHE_ENTRIES, PER_PAGE, Jitter, Sleep

__all__ = [
    "CACHE_ENTRIES",
    "JWT_BACKDATE",
    "JWT_LIFETIME",
    "PER_PAGE",
    "SECONDARY_LIMIT_WAIT",
    "TOKEN_REFRESH_MARGIN",
    "GitHubClient",
    "GitHubError",
    "GitHubSettings",
    "Jitter",
    "Sleep",
    "add_github_flags",
    "backoff",
    "next_link",
    "rate_limit_wait",
    "settings_from_args",
]
