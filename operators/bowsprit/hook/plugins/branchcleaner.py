"""The branchcleaner plugin: when a pull request from a branch of the same repository is
merged, that branch is deleted, unless preserved (Prow's pkg/plugins/branchcleaner)."""

from __future__ import annotations

import re

from bowsprit.hook.effects import DeleteBranch, Effect
from bowsprit.hook.events import PullRequestEvent
from bowsprit.hook.plugins.base import Context, Plugin


def preserved(branch: str, patterns: list[str]) -> bool:
    """Prow's IsPreservedBranch: equal, or an unanchored regular expression match (an
    invalid expression matches nothing)."""
    for pattern in patterns:
        if branch == pattern:
            return True
        try:
            if re.search(pattern, branch):
                return True
        except re.error:
            continue
    return False


def decide(event: PullRequestEvent, keep: list[str]) -> list[Effect]:
    pull = event.pull
    if event.action != "closed" or not pull.merged:
        return []
    base_repo = pull.base_repo or event.repo.full_name
    if base_repo != pull.head_repo or preserved(pull.head_ref, keep):
        return []
    return [DeleteBranch(event.repo.org, event.repo.name, pull.head_ref)]


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    settings = ctx.config.branchcleaner
    return decide(event, list(settings.preserved_branches or []) if settings else [])


PLUGIN = Plugin(
    name="branchcleaner",
    description="The branchcleaner plugin automatically deletes source branches for merged "
    "PRs between two branches on the same repository. This is helpful to keep repos that "
    "don't allow forking clean.",
    config_help="PluginConfig spec.branchcleaner.preserved_branches: branches never deleted.",
    events=("pull_request",),
    on_pull_request=handle_pull_request,
)
