"""The owners-label plugin (Prow's pkg/plugins/owners-label): the `labels` of the OWNERS
files covering a pull request's changed files are added to it (those the repository
has; others are logged)."""

from __future__ import annotations

import logging

from bowsprit.api.pluginconfig import OwnersSettings
from bowsprit.hook.effects import AddLabel, Effect
from bowsprit.hook.events import PullRequestEvent
from bowsprit.hook.plugins.base import Context, Plugin
from bowsprit.hook.plugins.owners.repoowners import RepoOwners

logger = logging.getLogger("bowsprit.hook.owners_label")


def needed_labels(owners: RepoOwners, files: list[str]) -> set[str]:
    found: set[str] = set()
    for name in files:
        found |= owners.find_labels_for_file(name)
    return found


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in ("opened", "reopened", "synchronize"):
        return []
    repo, pull = event.repo, event.pull
    owners = await ctx.owners.load(
        ctx.github, repo.org, repo.name, pull.base_sha, ctx.config.owners or OwnersSettings()
    )
    files = await ctx.github.list_pull_files(repo.org, repo.name, pull.number)
    needed = needed_labels(owners, files)
    if not needed:
        return []  # nothing asked for: no more GitHub calls
    existing = set(await ctx.github.list_repo_labels(repo.org, repo.name))
    current = set(await ctx.github.list_labels(repo.org, repo.name, pull.number))
    missing = sorted(needed - current - existing)
    if missing:
        logger.warning(
            "%s#%d: unable to add nonexistent labels: %s", repo.full_name, pull.number, missing
        )
    return [
        AddLabel(repo.org, repo.name, pull.number, label)
        for label in sorted((needed - current) & existing)
    ]


PLUGIN = Plugin(
    name="owners-label",
    description="The owners-label plugin automatically adds labels to PRs based on the files "
    "they touch. Specifically, the 'labels' sections of OWNERS files are used to determine "
    "which labels apply to the changes.",
    events=("pull_request",),
    on_pull_request=handle_pull_request,
)
