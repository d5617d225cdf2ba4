"""The one error the GitHub layer raises to its callers."""

from __future__ import annotations


class GitHubError(Exception):
    """A request that will not succeed by retrying: a 4xx (other than rate limits), or
    retries exhausted. `status` is None when no response came (connection errors)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
