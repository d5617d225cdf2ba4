"""Who is asking (a signed session cookie set after GitHub OAuth login), CSRF tokens, and
who may rerun or abort a job (Prow's cmd/deck rerun.go canTriggerJob): allow_anyone, the
listed users, members of the listed orgs or teams, and, for a presubmit with a pull
request, anyone trigger would let /test it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bowsprit.api.jobbase import RerunAuthConfig
from bowsprit.api.pluginconfig import PluginConfigSpec, TriggerSettings
from bowsprit.jobpod.trust import Membership, trusted_user

SESSION_COOKIE = "bowsprit-deck-session"
SESSION_SECONDS = 7 * 24 * 3600


class Signer:
    """HMAC-SHA256 with the cookie secret: sessions, OAuth state and CSRF tokens."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError(
                "the cookie secret must be at least 32 bytes (as Prow's --cookie-secret)"
            )
        self._secret = secret

    def mac(self, purpose: str, value: str) -> str:
        digest = hmac.new(self._secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def session(self, login: str, now: int) -> str:
        expires = now + SESSION_SECONDS
        value = f"{login}|{expires}"
        return f"{value}|{self.mac('session', value)}"

    def login(self, cookie: str | None, now: int) -> str | None:
        """The GitHub login a session cookie proves, if valid and not expired."""
        if not cookie or cookie.count("|") != 2:
            return None
        login, expires, mac = cookie.split("|")
        if not hmac.compare_digest(mac, self.mac("session", f"{login}|{expires}")):
            return None
        if not expires.isdigit() or int(expires) < now:
            return None
        return login

    def csrf(self, session: str) -> str:
        """A token tied to the session (the signed cookie itself, or an anonymous id)."""
        return self.mac("csrf", session)

    def csrf_ok(self, session: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(session), str(token))


class Teams(Protocol):
    async def team_has_member(self, org: str, team: str, user: str) -> bool: ...


class GitHubAsker(Membership, Teams, Protocol):
    pass


def auth_config_for(
    configs: Mapping[str, RerunAuthConfig] | None, org: str, repo: str
) -> RerunAuthConfig | None:
    """Prow's GetRerunAuthConfig: org/repo, else org, else `*`."""
    configs = configs or {}
    for key in (f"{org}/{repo}", org, "*"):
        if key in configs:
            return configs[key]
    return None


async def _allowed_by(config: RerunAuthConfig | None, login: str, github: GitHubAsker) -> bool:
    if config is None:
        return False
    if config.allow_anyone:
        return True
    if login in (config.github_users or []):
        return True
    for org in config.github_orgs or []:
        if await github.is_member(org, login):
            return True
    for slug in config.github_team_slugs or []:
        if await github.team_has_member(slug.org, slug.slug, login):
            return True
    return False


def trigger_settings(configs: Iterable[PluginConfigSpec], org: str, repo: str) -> TriggerSettings:
    """The trigger settings hook uses for the repository: from the most specific
    PluginConfig naming it (org/repo before org, Prow's TriggerFor), else the defaults."""
    full = f"{org}/{repo}"
    ranked: list[tuple[int, int, TriggerSettings]] = []
    for index, spec in enumerate(configs):
        if spec.trigger is None:
            continue
        if full in spec.repos:
            ranked.append((2, index, spec.trigger))
        elif org in spec.repos and full not in (spec.excluded_repos or []):
            ranked.append((1, index, spec.trigger))
    return min(ranked, key=lambda t: (-t[0], t[1]))[2] if ranked else TriggerSettings()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


async def may_trigger(
    pj: dict[str, Any],
    login: str | None,
    global_configs: Mapping[str, RerunAuthConfig] | None,
    github: GitHubAsker,
    trigger: TriggerSettings,
    bot: str,
) -> Decision:
    """Whether `login` (None: not logged in) may rerun or abort `pj`."""
    spec = pj.get("spec") or {}
    refs = spec.get("refs") or ((spec.get("extra_refs") or [None])[0]) or {}
    org, repo = str(refs.get("org", "")), str(refs.get("repo", ""))
    job_config = (
        RerunAuthConfig.model_validate(spec["rerun_auth_config"])
        if spec.get("rerun_auth_config")
        else None
    )
    global_config = auth_config_for(global_configs, org, repo)
    for config in (global_config, job_config):
        if config is not None and config.allow_anyone:
            return Decision(True, "anyone may rerun this job")
    if login is None:
        return Decision(False, "Log in with GitHub to rerun or abort this job")
    for config in (global_config, job_config):
        if await _allowed_by(config, login, github):
            return Decision(True, f"{login} is allowed by rerun_auth_config")
    presubmit = spec.get("type") == "presubmit" and refs.get("pulls") and org
    if presubmit and await trusted_user(github, trigger, bot, org, repo, login):
        return Decision(True, f"{login} may /test this pull request")
    return Decision(False, f"{login} is not allowed to rerun or abort this job")
