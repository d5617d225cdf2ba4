"""The lifecycle plugin: `/lifecycle frozen|stale|rotten|active`, `/remove-lifecycle`,
`/close [not-planned]` and `/reopen` (Prow's pkg/plugins/lifecycle: lifecycle.go, close.go,
reopen.go)."""

from __future__ import annotations

import logging
import re

from bowsprit.clients.github import GitHubError
from bowsprit.hook.effects import AddLabel, Comment, EditIssue, Effect, RemoveLabel
from bowsprit.hook.events import GenericCommentEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import format_response_raw

logger = logging.getLogger("bowsprit.hook")

ACTIVE, FROZEN = "lifecycle/active", "lifecycle/frozen"
STALE, ROTTEN = "lifecycle/stale", "lifecycle/rotten"
LIFECYCLE_LABELS = (ACTIVE, FROZEN, STALE, ROTTEN)
LIFECYCLE_RE = re.compile(r"(?mi)^/(remove-)?lifecycle (active|frozen|stale|rotten)\s*$", re.ASCII)
CLOSE_RE = re.compile(r"(?mi)^/close\s*$", re.ASCII)
CLOSE_NOT_PLANNED_RE = re.compile(r"(?mi)^/close not-planned\s*$", re.ASCII)
REOPEN_RE = re.compile(r"(?mi)^/reopen\s*$", re.ASCII)


def lifecycle_effects(
    event: GenericCommentEvent, labels: list[str], wanted: list[tuple[bool, str]]
) -> list[Effect]:
    """Prow's handleOne for each command in turn, on the labels as they become."""
    org, repo, number = event.repo.org, event.repo.name, event.number
    current = list(labels)
    effects: list[Effect] = []
    for remove, label in wanted:
        if event.is_pr and label == FROZEN and not remove:
            message = f"The `{FROZEN}` label cannot be applied to Pull Requests."
            body = format_response_raw(event.body, event.html_url, event.author, message)
            effects.append(Comment(org, repo, number, body))
            continue
        if label in current and remove:
            effects.append(RemoveLabel(org, repo, number, label))
            current.remove(label)
        elif label not in current and not remove:
            for other in LIFECYCLE_LABELS:
                if other != label and other in current:
                    effects.append(RemoveLabel(org, repo, number, other))
                    current.remove(other)
            effects.append(AddLabel(org, repo, number, label))
            current.append(label)
    return effects


def close_effects(event: GenericCommentEvent, collaborator: bool, active: bool) -> list[Effect]:
    org, repo, number = event.repo.org, event.repo.name, event.number

    def reply(message: str) -> Comment:
        body = format_response_raw(event.body, event.html_url, event.author, message)
        return Comment(org, repo, number, body)

    not_planned = bool(CLOSE_NOT_PLANNED_RE.search(event.body))
    if event.issue_author != event.author and not collaborator and active:
        return [
            reply(
                "You can't close an active issue/PR unless you authored it or you are a "
                "collaborator."
            )
        ]
    if event.is_pr:
        if not_planned:
            return [reply("PRs cannot be closed as Not Planned.")]
        return [EditIssue(org, repo, number, state="closed"), reply("Closed this PR.")]
    if not_planned:
        return [
            EditIssue(org, repo, number, state="closed", state_reason="not_planned"),
            reply('Closing this issue, marking it as "Not Planned".'),
        ]
    return [
        EditIssue(org, repo, number, state="closed", state_reason="completed"),
        reply("Closing this issue."),
    ]


def reopen_effects(event: GenericCommentEvent, collaborator: bool) -> list[Effect]:
    org, repo, number = event.repo.org, event.repo.name, event.number

    def reply(message: str) -> Comment:
        body = format_response_raw(event.body, event.html_url, event.author, message)
        return Comment(org, repo, number, body)

    if event.issue_author != event.author and not collaborator:
        return [
            reply("You can't reopen an issue/PR unless you authored it or you are a collaborator.")
        ]
    what = "PR" if event.is_pr else "issue"
    return [EditIssue(org, repo, number, state="open"), reply(f"Reopened this {what}.")]


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.action != "created":
        return []
    org, repo = event.repo.org, event.repo.name
    effects: list[Effect] = []
    wanted = [
        (match.group(1) is not None, "lifecycle/" + match.group(2).lower())
        for match in LIFECYCLE_RE.finditer(event.body)
    ]
    closing = event.issue_state == "open" and (
        CLOSE_RE.search(event.body) or CLOSE_NOT_PLANNED_RE.search(event.body)
    )
    reopening = event.issue_state == "closed" and REOPEN_RE.search(event.body)
    labels: list[str] = []
    labels_known = True
    if wanted or closing:
        try:
            labels = await ctx.github.list_labels(org, repo, event.number)
        except GitHubError:
            logger.exception("%s/%s#%d: listing labels failed", org, repo, event.number)
            labels_known = False  # Prow: taken as active, no lifecycle label yet
    if wanted:
        effects += lifecycle_effects(event, labels, wanted)
    if closing or reopening:
        collaborator = await ctx.github.is_collaborator(org, repo, event.author)
        if closing:
            active = not labels_known or (STALE not in labels and ROTTEN not in labels)
            effects += close_effects(event, collaborator, active)
        else:
            effects += reopen_effects(event, collaborator)
    return effects


WHO = "Authors and collaborators on the repository can trigger this command."
PLUGIN = Plugin(
    name="lifecycle",
    description="Close, reopen, flag and/or unflag an issue or PR as frozen/stale/rotten",
    events=("issue_comment", "pull_request_review", "pull_request_review_comment"),
    commands=(
        Command(
            "/close [not-planned]", "Closes an issue or PR.", ("/close", "/close not-planned"), WHO
        ),
        Command("/reopen", "Reopens an issue or PR", ("/reopen",), WHO),
        Command(
            "/[remove-]lifecycle <frozen|stale|rotten>",
            "Flags an issue or PR as frozen/stale/rotten",
            ("/lifecycle frozen", "/remove-lifecycle stale"),
            "Anyone can trigger this command.",
        ),
    ),
    on_generic_comment=handle_generic_comment,
)
