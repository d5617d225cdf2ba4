"""Credentials: a token read from a file (again when the file changes), or a GitHub App's
JWT and the installation tokens it is exchanged for, per org. The exchange itself is a
request, so it lives in `transport`; this module only holds and mints."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

from bowsprit.clients.github.errors import GitHubError
from bowsprit.clients.github.settings import GitHubSettings
from bowsprit.lib.clock import Clock

logger = logging.getLogger("bowsprit.github")

# An installation token lives an hour; take a new one when less than this is left, so a
# token never expires between being handed out and being used.
TOKEN_REFRESH_MARGIN = 300.0
# GitHub accepts App JWTs of at most 10 minutes; backdated a minute for clock drift.
JWT_LIFETIME = 540
JWT_BACKDATE = 60


@dataclass
class Installation:
    token: str
    expires_at: float


@dataclass
class Credentials:
    """Authorization headers: a token, or GitHub App installation tokens per org."""

    settings: GitHubSettings
    clock: Clock
    token: str | None = None
    token_mtime: float = 0.0
    private_key: str | None = None
    installations: dict[str, Installation] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: GitHubSettings, clock: Clock) -> Credentials:
        creds = cls(settings, clock)
        if settings.app_id:
            if settings.app_private_key_path is None:
                raise GitHubError("a GitHub App needs its private key path")
            creds.private_key = read_secret(settings.app_private_key_path, "private key")
        elif settings.token_path is not None:
            creds.token = read_secret(settings.token_path, "token")
            creds.token_mtime = settings.token_path.stat().st_mtime
        return creds

    def current_token(self) -> str | None:
        """The token, read again when its file changed (a rotated Kubernetes secret)."""
        path = self.settings.token_path
        if self.token is None or path is None:
            return self.token
        try:
            mtime = path.stat().st_mtime
            if mtime != self.token_mtime:
                self.token, self.token_mtime = read_secret(path, "token"), mtime
                logger.info("GitHub token re-read from %s", path)
        except (OSError, GitHubError) as error:
            logger.warning("keeping the GitHub token in use: %s", error)
        return self.token

    @property
    def is_app(self) -> bool:
        return self.private_key is not None

    def app_jwt(self) -> str:
        # Imported here: PyJWT with cryptography is 9 MB of every GitHub user's RSS
        # (crier, hook, tide, ...), and only GitHub App credentials need it.
        import jwt  # noqa: PLC0415

        assert self.private_key is not None and self.settings.app_id is not None
        now = int(self.clock().timestamp())
        claims = {"iat": now - JWT_BACKDATE, "exp": now + JWT_LIFETIME, "iss": self.settings.app_id}
        return jwt.encode(claims, self.private_key, algorithm="RS256")

    def app_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.app_jwt()}"}

    def cached_installation(self, org: str) -> str | None:
        found = self.installations.get(org)
        if found and found.expires_at - self.clock().timestamp() > TOKEN_REFRESH_MARGIN:
            return found.token
        return None


def read_secret(path: Path, what: str) -> str:
    try:
        value = path.read_text().strip()
    except OSError as error:
        raise GitHubError(f"cannot read the GitHub {what} at {path}: {error}") from error
    if not value:
        raise GitHubError(f"the GitHub {what} file {path} is empty")
    return value
