"""GitHub OAuth login for deck (Prow's githuboauth): the authorize URL, the code-for-token
exchange and the login the token belongs to. The OAuth app's client secret comes from a
file (a mounted Secret), in Prow's github-oauth-config format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import yaml


class OAuthError(Exception):
    """Login failed (bad code, GitHub unreachable): the user is asked to try again."""


@dataclass(frozen=True)
class OAuthConfig:
    """Prow's --github-oauth-config-file: client_id, client_secret, redirect_url, scopes."""

    client_id: str
    client_secret: str
    redirect_url: str
    scopes: tuple[str, ...] = ()

    @classmethod
    def from_file(cls, path: str | Path) -> OAuthConfig:
        try:
            data = yaml.safe_load(Path(path).read_text())
        except (OSError, yaml.YAMLError) as error:
            raise OAuthError(f"{path}: {error}") from error
        if not isinstance(data, dict):
            raise OAuthError(f"{path}: expected a mapping")
        missing = [
            key for key in ("client_id", "client_secret", "redirect_url") if not data.get(key)
        ]
        if missing:
            raise OAuthError(f"{path}: {', '.join(missing)} missing")
        return cls(
            str(data["client_id"]),
            str(data["client_secret"]),
            str(data["redirect_url"]),
            tuple(data.get("scopes") or ()),
        )


class GitHubOAuth:
    def __init__(self, config: OAuthConfig, web_url: str, api_url: str) -> None:
        self.config = config
        self.web_url = web_url.rstrip("/")
        self.api_url = api_url.rstrip("/")

    def authorize_url(self, state: str) -> str:
        query = {
            "client_id": self.config.client_id,
            "redirect_uri": self.config.redirect_url,
            "state": state,
            "scope": " ".join(self.config.scopes),
        }
        return f"{self.web_url}/login/oauth/authorize?{urlencode(query)}"

    async def login(self, code: str) -> str:
        """The GitHub login of whoever approved `code`."""
        try:
            async with httpx.AsyncClient(timeout=20) as client:
                exchanged = await client.post(
                    f"{self.web_url}/login/oauth/access_token",
                    data={
                        "client_id": self.config.client_id,
                        "client_secret": self.config.client_secret,
                        "code": code,
                        "redirect_uri": self.config.redirect_url,
                    },
                    headers={"Accept": "application/json"},
                )
                token = exchanged.json().get("access_token") if exchanged.is_success else None
                if not token:
                    raise OAuthError(f"GitHub refused the login code ({exchanged.status_code})")
                user = await client.get(
                    f"{self.api_url}/user",
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                )
        except (httpx.HTTPError, ValueError) as error:
            raise OAuthError(f"GitHub login failed: {error}") from error
        if not user.is_success:
            raise OAuthError(f"GitHub did not say who logged in ({user.status_code})")
        return str(user.json()["login"])
