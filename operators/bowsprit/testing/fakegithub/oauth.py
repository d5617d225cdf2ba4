"""The fake GitHub's OAuth app login (for deck): GitHub's
/login/oauth/authorize approves at once as `state.login` (the person at the browser),
/login/oauth/access_token trades the code for a token, and /user answers with the
token's owner."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from aiohttp import web

if TYPE_CHECKING:
    from bowsprit.testing.fakegithub import FakeGitHub


@dataclass
class OAuthState:
    login: str = "octocat"  # who approves the next login
    codes: dict[str, str] = field(default_factory=dict)  # code -> login
    tokens: dict[str, str] = field(default_factory=dict)  # token -> login
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def user_for(self, authorization: str) -> str | None:
        token = authorization.split(" ", 1)[-1]
        return self.tokens.get(token)


class OAuthRoutes:
    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/login/oauth/authorize", self.authorize)
        app.router.add_post("/login/oauth/access_token", self.access_token)

    async def authorize(self, request: web.Request) -> web.Response:
        state = self.fake.oauth
        code = f"code-{next(state._ids)}"
        state.codes[code] = state.login
        query = urlencode({"code": code, "state": request.query.get("state", "")})
        raise web.HTTPFound(f"{request.query['redirect_uri']}?{query}")

    async def access_token(self, request: web.Request) -> web.Response:
        form = await request.post()
        login = self.fake.oauth.codes.pop(str(form.get("code", "")), None)
        if login is None:
            return web.json_response({"error": "bad_verification_code"})
        token = f"gho_{login}_{next(self.fake.oauth._ids)}"
        self.fake.oauth.tokens[token] = login
        return web.json_response({"access_token": token, "token_type": "bearer", "scope": ""})
