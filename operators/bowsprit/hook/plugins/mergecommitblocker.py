"""The mergecommitblocker plugin: `do-not-merge/contains-merge-commits` while a pull
request has merge commits, with Prow's comment, pruned once they are gone (Prow's
pkg/plugins/mergecommitblocker). Prow asks a git clone; a commit with more than one parent
in GitHub's list of the PR's commits is the same fact."""

from __future__ import annotations

from typing import Any

from bowsprit.hook.effects import AddLabel, Comment, Effect, PruneComments, RemoveLabel
from bowsprit.hook.events import PullRequestEvent
from bowsprit.hook.plugins.base import Context, Plugin
from bowsprit.hook.plugins.respond import format_simple_response

LABEL = "do-not-merge/contains-merge-commits"
COMMENT = (
    f"Adding label `{LABEL}` because PR contains merge commits, which are not allowed in this "
    "repository.\nUse `git rebase` to reapply your commits on top of the target branch. "
    "Detailed instructions for doing so can be found [here](https://git.k8s.io/community/"
    "contributors/guide/github-workflow.md#4-keep-your-branch-in-sync)."
)
ACTIONS = ("opened", "reopened", "synchronize")


def has_merge_commits(commits: list[dict[str, Any]]) -> bool:
    return any(len(item.get("parents") or []) > 1 for item in commits)


def decide(
    org: str, repo: str, number: int, merges: bool, labels: list[str], bot: str
) -> list[Effect]:
    has = LABEL in labels
    if has and not merges:
        return [
            RemoveLabel(org, repo, number, LABEL),
            PruneComments(org, repo, number, bot, COMMENT),
        ]
    if merges and not has:
        return [
            AddLabel(org, repo, number, LABEL),
            Comment(org, repo, number, format_simple_response(COMMENT)),
        ]
    return []


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in ACTIONS:
        return []
    org, repo, number = event.repo.org, event.repo.name, event.pull.number
    merges = has_merge_commits(await ctx.github.list_pull_commits(org, repo, number))
    labels = await ctx.github.list_labels(org, repo, number)
    return decide(org, repo, number, merges, labels, ctx.bot)


PLUGIN = Plugin(
    name="mergecommitblocker",
    description=f"The merge commit blocker plugin adds the {LABEL} label to pull requests "
    "that contain merge commits",
    events=("pull_request",),
    on_pull_request=handle_pull_request,
)
