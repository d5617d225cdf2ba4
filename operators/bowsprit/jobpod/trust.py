"""Who may trigger jobs (Prow's trigger.TrustedUser and TrustedPullRequest)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from bowsprit.api.pluginconfig import PluginConfigSpec, TriggerSettings

OK_TO_TEST = "ok-to-test"
NEEDS_OK_TO_TEST = "needs-ok-to-test"
LGTM = "lgtm"


class Membership(Protocol):
    async def is_member(self, org: str, user: str) -> bool: ...
    async def is_collaborator(self, org: str, repo: str, user: str) -> bool: ...


async def trusted_user(
    github: Membership, settings: TriggerSettings, bot: str, org: str, repo: str, user: str
) -> bool:
    """The bot itself, a trusted GitHub App, a collaborator (unless only_org_members), a
    member of the org, or of trusted_org. Asked in Prow's order, cheapest answer first."""
    if user == bot:
        return True
    if user in {f"{app}[bot]" for app in settings.trusted_apps or []}:
        return True
    if not settings.only_org_members and await github.is_collaborator(org, repo, user):
        return True
    if await github.is_member(org, user):
        return True
    trusted_org = settings.trusted_org
    if not trusted_org or trusted_org == org:
        return False
    return await github.is_member(trusted_org, user)


async def trusted_pull(
    github: Membership,
    settings: TriggerSettings,
    bot: str,
    org: str,
    repo: str,
    author: str,
    labels: tuple[str, ...],
) -> bool:
    """A pull request is trusted when its author is, or when it carries ok-to-test."""
    if OK_TO_TEST in labels and not settings.ignore_ok_to_test:
        return True
    return await trusted_user(github, settings, bot, org, repo, author)


def trigger_settings_for(
    configs: Iterable[PluginConfigSpec], org: str, repo: str
) -> TriggerSettings:
    """The trigger settings of a repository: from the most specific PluginConfig that has
    them (one naming org/repo before one naming its org, unless it excludes the repo), as
    hook picks them; Prow's defaults without one (Prow's TriggerFor)."""
    full = f"{org}/{repo}"
    by_org: TriggerSettings | None = None
    for spec in configs:
        if spec.trigger is None:
            continue
        if full in spec.repos:
            return spec.trigger
        if by_org is None and org in spec.repos and full not in (spec.excluded_repos or []):
            by_org = spec.trigger
    return by_org or TriggerSettings()
