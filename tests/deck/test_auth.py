"""Who may rerun or abort: the authorisation cases of Prow's cmd/deck/rerun_test.go
(TestRerun, TestLatestRerun, TestCanTriggerJob), sessions and CSRF tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bowsprit.api.jobbase import RerunAuthConfig
from bowsprit.api.pluginconfig import PluginConfigSpec, TriggerSettings
from bowsprit.deck.auth import Signer, auth_config_for, may_trigger, trigger_settings


@dataclass
class GitHub:
    members: set[tuple[str, str]] = field(default_factory=lambda: {("org", "org-member")})
    teams: set[tuple[str, str, str]] = field(default_factory=lambda: {("org", "leads", "sig-lead")})

    async def is_member(self, org: str, user: str) -> bool:
        return (org, user) in self.members

    async def is_collaborator(self, org: str, repo: str, user: str) -> bool:
        return False

    async def team_has_member(self, org: str, team: str, user: str) -> bool:
        return (org, team, user) in self.teams


def job(job_type: str = "presubmit", job_config: dict[str, Any] | None = None) -> dict[str, Any]:
    refs: dict[str, Any] = {"org": "org", "repo": "repo", "base_ref": "main"}
    if job_type == "presubmit":
        refs["pulls"] = [{"number": 1, "author": "someone", "sha": "abc"}]
    spec: dict[str, Any] = {"type": job_type, "job": "unit", "refs": refs}
    if job_config is not None:
        spec["rerun_auth_config"] = job_config
    return {"metadata": {"name": "x"}, "spec": spec}


AUTHORIZED = {"*": RerunAuthConfig(github_users=["authorized", "alsoauthorized"])}
ANYONE = {"*": RerunAuthConfig(allow_anyone=True)}


@pytest.mark.parametrize(
    ("login", "global_configs", "pj", "allowed"),
    [
        ("authorized", AUTHORIZED, job(), True),  # Handler returns ProwJob
        ("random-dude", AUTHORIZED, job(), False),  # User not authorized
        ("ugh", ANYONE, job(), True),  # Allow anyone set to true
        (None, ANYONE, job(), True),  # ... even without logging in
        ("authorized", {}, job(job_config={"github_users": ["authorized"]}), True),  # specific job
        (
            "sig-lead",
            {},
            job(job_config={"github_team_slugs": [{"org": "org", "slug": "leads"}]}),
            True,
        ),
        ("org-member", {}, job(), True),  # Org member permitted for presubmits
        ("org-member", {}, job("periodic"), False),  # Org member not permitted for periodic
        ("org-member", {"org": RerunAuthConfig(github_orgs=["org"])}, job("periodic"), True),
        (None, AUTHORIZED, job(), False),  # not logged in
    ],
    ids=[
        "listed-user",
        "unlisted-user",
        "allow-anyone",
        "allow-anyone-anonymous",
        "job-config-user",
        "job-config-team",
        "org-member-presubmit",
        "org-member-periodic",
        "global-org-list",
        "anonymous",
    ],
)
async def test_may_trigger(
    login: str | None, global_configs: dict[str, RerunAuthConfig], pj: dict[str, Any], allowed: bool
) -> None:
    decision = await may_trigger(pj, login, global_configs, GitHub(), TriggerSettings(), "bot")
    assert decision.allowed is allowed, decision.reason


def test_global_config_is_chosen_repo_then_org_then_star() -> None:
    configs = {
        "*": RerunAuthConfig(github_users=["star"]),
        "org": RerunAuthConfig(github_users=["org"]),
        "org/repo": RerunAuthConfig(github_users=["repo"]),
    }
    assert auth_config_for(configs, "org", "repo") == configs["org/repo"]
    assert auth_config_for(configs, "org", "other") == configs["org"]
    assert auth_config_for(configs, "else", "x") == configs["*"]
    assert auth_config_for(None, "org", "repo") is None


def test_sessions_and_csrf_tokens() -> None:
    signer = Signer(b"k" * 32)
    cookie = signer.session("alice", now=1000)
    assert signer.login(cookie, now=1001) == "alice"
    assert signer.login(cookie.replace("alice", "mallory"), now=1001) is None
    assert signer.login(cookie, now=1000 + 8 * 24 * 3600) is None
    assert signer.login("garbage", now=1) is None
    token = signer.csrf("seed")
    assert signer.csrf_ok("seed", token) and not signer.csrf_ok("other", token)
    assert not signer.csrf_ok("seed", "") and not Signer(b"j" * 32).csrf_ok("seed", token)
    with pytest.raises(ValueError, match="32 bytes"):
        Signer(b"short")


def test_trigger_settings_from_the_most_specific_plugin_config() -> None:
    configs = [
        PluginConfigSpec.model_validate({"repos": ["org"], "trigger": {"only_org_members": True}}),
        PluginConfigSpec.model_validate(
            {"repos": ["org/special"], "trigger": {"trusted_org": "friends"}}
        ),
        PluginConfigSpec.model_validate(
            {"repos": ["org"], "excluded_repos": ["org/out"], "plugins": ["trigger"]}
        ),
    ]
    assert trigger_settings(configs, "org", "repo").only_org_members is True
    assert trigger_settings(configs, "org", "special").trusted_org == "friends"
    assert trigger_settings(configs, "other", "repo") == TriggerSettings()


async def test_only_org_members_is_honoured() -> None:
    class Collaborator(GitHub):
        async def is_collaborator(self, org: str, repo: str, user: str) -> bool:
            return user == "collab"

    strict = TriggerSettings(only_org_members=True)
    loose = TriggerSettings()
    assert (await may_trigger(job(), "collab", {}, Collaborator(), loose, "bot")).allowed
    assert not (await may_trigger(job(), "collab", {}, Collaborator(), strict, "bot")).allowed
