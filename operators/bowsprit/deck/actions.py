"""Login with GitHub, /rerun and /abort (Prow's cmd/deck rerun.go, abort.go, githuboauth).

GET /rerun and GET /abort show what would happen and a form; the POST does it, only with
a valid CSRF token (double submit: a signed token of a random cookie) and only for a
user the rerun rules allow. Not logged in: the page offers the GitHub login, which
comes back to the same page."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import yaml
from aiohttp import web
from pydantic import ValidationError

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.clients.oauth import OAuthError
from bowsprit.deck.auth import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    Decision,
    may_trigger,
    trigger_settings,
)
from bowsprit.deck.context import Deck
from bowsprit.deck.jobs import FINAL
from bowsprit.deck.latest import NoDefinition, latest_body
from bowsprit.lib.clock import rfc3339

CSRF_COOKIE = "bowsprit-deck-csrf"
OAUTH_COOKIE = "bowsprit-deck-oauth"
RERUN_KEPT_LABELS_SKIPPED = ("prow.k8s.io/build-id", "prow.k8s.io/id")


def current_user(deck: Deck, request: web.Request) -> str | None:
    return deck.signer.login(request.cookies.get(SESSION_COOKIE), int(deck.now().timestamp()))


def _safe_dest(dest: str) -> str:
    """Only a path on this site (never `//host` or a scheme): no open redirect."""
    if not dest.startswith("/") or dest.startswith("//") or "\\" in dest:
        return "/"
    return dest


def add_routes(app: web.Application, deck: Deck) -> None:
    routes = Actions(deck)
    app.router.add_get("/github-login", routes.login)
    app.router.add_get("/github-login/redirect", routes.login_redirect)
    app.router.add_post("/logout", routes.logout)
    app.router.add_get("/rerun", routes.rerun_page)
    app.router.add_post("/rerun", routes.rerun)
    app.router.add_get("/abort", routes.abort_page)
    app.router.add_post("/abort", routes.abort)


class Actions:
    def __init__(self, deck: Deck) -> None:
        self.deck = deck

    def _cookie(self, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="Lax",
            secure=self.deck.secure_cookies,
            path="/",
        )

    # Login ---------------------------------------------------------------------------

    async def login(self, request: web.Request) -> web.Response:
        if self.deck.oauth is None:
            raise web.HTTPNotFound(
                text="GitHub login is not configured (--github-oauth-config-file)"
            )
        dest = _safe_dest(request.query.get("dest", "/"))
        nonce = os.urandom(16).hex()
        response = web.HTTPFound(self.deck.oauth.authorize_url(nonce))
        value = f"{nonce}|{dest}"
        self._cookie(response, OAUTH_COOKIE, f"{value}|{self.deck.signer.mac('oauth', value)}", 600)
        raise response

    async def login_redirect(self, request: web.Request) -> web.Response:
        if self.deck.oauth is None:
            raise web.HTTPNotFound(text="GitHub login is not configured")
        parts = request.cookies.get(OAUTH_COOKIE, "").split("|")
        if len(parts) != 3 or parts[2] != self.deck.signer.mac("oauth", f"{parts[0]}|{parts[1]}"):
            raise web.HTTPBadRequest(
                text="the login took too long or came from elsewhere; try again"
            )
        nonce, dest, _ = parts
        if request.query.get("state") != nonce:
            raise web.HTTPBadRequest(text="login state mismatch; try again")
        try:
            login = await self.deck.oauth.login(request.query.get("code", ""))
        except OAuthError as error:
            raise web.HTTPBadGateway(text=str(error)) from error
        response = web.HTTPFound(_safe_dest(dest))
        session = self.deck.signer.session(login, int(self.deck.now().timestamp()))
        self._cookie(response, SESSION_COOKIE, session, SESSION_SECONDS)
        response.del_cookie(OAUTH_COOKIE, path="/")
        raise response

    async def logout(self, request: web.Request) -> web.Response:
        await self._check_csrf(request)
        response = web.HTTPFound("/")
        response.del_cookie(SESSION_COOKIE, path="/")
        raise response

    # CSRF ----------------------------------------------------------------------------

    def _csrf(self, request: web.Request, response: web.StreamResponse) -> str:
        seed = request.cookies.get(CSRF_COOKIE)
        if not seed:
            seed = os.urandom(16).hex()
            self._cookie(response, CSRF_COOKIE, seed, SESSION_SECONDS)
        return self.deck.signer.csrf(seed)

    async def _check_csrf(self, request: web.Request) -> None:
        form = await request.post()
        token = str(form.get("csrf", "")) or request.headers.get("X-CSRF-Token", "")
        if not self.deck.signer.csrf_ok(request.cookies.get(CSRF_COOKIE, ""), token):
            raise web.HTTPForbidden(
                text="missing or stale CSRF token: reload the page and try again"
            )

    # Rerun and abort ----------------------------------------------------------------

    def _job(self, request: web.Request) -> dict[str, Any]:
        name = request.query.get("prowjob", "")
        pj = self.deck.prowjobs.find(name) if name else None
        if pj is None or not self.deck.visibility().shows(pj):
            raise web.HTTPNotFound(text=f"no ProwJob named {name!r}")
        return pj

    async def _decision(self, pj: dict[str, Any], login: str | None) -> Decision:
        config = self.deck.config()
        if self.deck.github is None:
            github_less = Decision(False, "deck has no GitHub client to check who may rerun")
            configs = config.deck.rerun_auth_configs or {}
            if any(c.allow_anyone for c in configs.values()) or (
                pj["spec"].get("rerun_auth_config") or {}
            ).get("allow_anyone"):
                return Decision(True, "anyone may rerun this job")
            return github_less
        refs = pj["spec"].get("refs") or {}
        trigger = trigger_settings(
            self._plugin_configs(), str(refs.get("org", "")), str(refs.get("repo", ""))
        )
        return await may_trigger(
            pj, login, config.deck.rerun_auth_configs, self.deck.github, trigger, self.deck.bot
        )

    def _plugin_configs(self) -> list[PluginConfigSpec]:
        specs = []
        for item in self.deck.plugin_configs.newest_first()[1]:
            try:
                specs.append(PluginConfigSpec.model_validate(item.get("spec") or {}))
            except ValidationError:
                continue  # admission should have refused it; hook ignores it too
        return specs

    def _new_job(self, request: web.Request, pj: dict[str, Any], name: str) -> dict[str, Any]:
        """The rerun's ProwJob: a copy, or with mode=latest built from the definition."""
        if request.query.get("mode") != "latest":
            return rerun_body(pj, name, self.deck.now())
        definitions = {
            plural: store.newest_first()[1] for plural, store in self.deck.definitions.items()
        }
        try:
            return latest_body(pj, definitions, name)
        except NoDefinition as error:
            raise web.HTTPBadRequest(
                text=f"cannot rerun with the latest definition: {error}"
            ) from error

    async def _page(self, request: web.Request, action: str) -> web.Response:
        pj = self._job(request)
        login = current_user(self.deck, request)
        decision = await self._decision(pj, login)
        response = web.Response(content_type="text/html")
        body = self._new_job(request, pj, "PREVIEW") if action == "rerun" else pj
        response.text = self.deck.render(
            "action.html",
            title=f"{action.capitalize()} {pj['spec']['job']}",
            action=action,
            pj=pj,
            preview=yaml.safe_dump(body, sort_keys=False),
            decision=decision,
            user=login,
            login_enabled=self.deck.oauth is not None,
            dest=str(request.rel_url),
            csrf=self._csrf(request, response),
            mode=request.query.get("mode", ""),
            finished=(pj.get("status") or {}).get("state") in FINAL,
        )
        return response

    async def rerun_page(self, request: web.Request) -> web.Response:
        return await self._page(request, "rerun")

    async def abort_page(self, request: web.Request) -> web.Response:
        return await self._page(request, "abort")

    async def _authorised(self, request: web.Request) -> tuple[dict[str, Any], str | None]:
        await self._check_csrf(request)
        pj = self._job(request)
        login = current_user(self.deck, request)
        decision = await self._decision(pj, login)
        if not decision.allowed:
            raise (web.HTTPUnauthorized if login is None else web.HTTPForbidden)(
                text=decision.reason
            )
        return pj, login

    async def rerun(self, request: web.Request) -> web.Response:
        if not self.deck.rerun_creates_job:
            raise web.HTTPMethodNotAllowed(
                "POST", ["GET"], text="rerun is read-only (--rerun-creates-job is off)"
            )
        pj, _ = await self._authorised(request)
        body = self._new_job(request, pj, self.deck.new_name())
        created = await asyncio.to_thread(
            self.deck.cluster.create_custom, pj["metadata"]["namespace"], "prowjobs", body
        )
        raise web.HTTPSeeOther(f"/view/prowjob/{created['metadata']['name']}")

    async def abort(self, request: web.Request) -> web.Response:
        pj, login = await self._authorised(request)
        state = (pj.get("status") or {}).get("state", "triggered")
        if state not in ("triggered", "pending"):
            raise web.HTTPBadRequest(text=f"cannot abort a job in state {state}")
        status = {
            "state": "aborted",
            "description": f"Aborted by {login or 'an anonymous user'} from deck.",
        }
        await asyncio.to_thread(
            self.deck.cluster.patch_custom_status,
            pj["metadata"]["namespace"],
            "prowjobs",
            pj["metadata"]["name"],
            status,
            pj["metadata"].get("resourceVersion"),
        )
        raise web.HTTPSeeOther("/")


def rerun_body(pj: dict[str, Any], name: str, now: Any) -> dict[str, Any]:
    """A new ProwJob with the old one's spec, labels and annotations (Prow's rerun of an
    existing job: pjutil.NewProwJob(pj.Spec, pj.Labels, pj.Annotations)); run IDs dropped."""
    metadata = pj.get("metadata") or {}
    labels = {
        k: v
        for k, v in (metadata.get("labels") or {}).items()
        if k not in RERUN_KEPT_LABELS_SKIPPED
    }
    annotations = {
        k: v
        for k, v in (metadata.get("annotations") or {}).items()
        if k not in RERUN_KEPT_LABELS_SKIPPED
    }
    annotations["bowsprit.dev/rerun-of"] = str(metadata.get("name", ""))
    annotations["bowsprit.dev/rerun-at"] = rfc3339(now)
    return {
        "apiVersion": pj.get("apiVersion", "bowsprit.dev/v1"),
        "kind": "ProwJob",
        "metadata": {
            "name": name,
            "namespace": metadata.get("namespace", "default"),
            "labels": labels,
            "annotations": annotations,
        },
        "spec": pj.get("spec") or {},
    }
