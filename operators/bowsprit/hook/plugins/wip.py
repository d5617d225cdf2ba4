"""The wip plugin: a title starting with WIP (any case, optionally bracketed) or a draft
pull request gets do-not-merge/work-in-progress, taken away when neither holds any
more (Prow's pkg/plugins/wip)."""

from __future__ import annotations

import re

from bowsprit.hook.effects import AddLabel, Effect, RemoveLabel
from bowsprit.hook.events import PullRequestEvent
from bowsprit.hook.plugins.base import Context, Plugin

WORK_IN_PROGRESS = "do-not-merge/work-in-progress"
NOT_WORD = r"[^0-9A-Za-z_]"  # Go's \W: ASCII classes, whatever the title's script
TITLE_RE = re.compile(rf"(?i)^{NOT_WORD}?WIP{NOT_WORD}")
# The only actions after which the title or the draft state may have changed.
ACTIONS = ("opened", "reopened", "edited", "ready_for_review", "converted_to_draft")


def needs_label(title: str, draft: bool) -> bool:
    return draft or bool(TITLE_RE.search(title))


def decide(
    org: str, repo: str, number: int, title: str, draft: bool, has_label: bool
) -> list[Effect]:
    wanted = needs_label(title, draft)
    if wanted and not has_label:
        return [AddLabel(org, repo, number, WORK_IN_PROGRESS)]
    if has_label and not wanted:
        return [RemoveLabel(org, repo, number, WORK_IN_PROGRESS)]
    return []


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in ACTIONS:
        return []
    repo, pull = event.repo, event.pull
    # Prow reads the labels afresh: the event's copy may predate another plugin's change.
    labels = await ctx.github.list_labels(repo.org, repo.name, pull.number)
    return decide(
        repo.org, repo.name, pull.number, pull.title, pull.draft, WORK_IN_PROGRESS in labels
    )


PLUGIN = Plugin(
    name="wip",
    description="The wip (Work In Progress) plugin applies the '"
    + WORK_IN_PROGRESS
    + "' Label to pull requests whose title starts with 'WIP' or are in the 'draft' stage, "
    "and removes it from pull requests when they remove the title prefix or become ready "
    "for review. The '"
    + WORK_IN_PROGRESS
    + "' Label is typically used to block a pull request from merging while it is still "
    "in progress.",
    events=("pull_request",),
    on_pull_request=handle_pull_request,
)
