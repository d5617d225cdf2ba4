"""The release-note plugin: the PR body's ```release-note block decides `release-note`,
`release-note-action-required`, `release-note-none`, or
`do-not-merge/release-note-label-needed` with Prow's comment; `/release-note-none` and
`/release-note-edit` (Prow's pkg/plugins/releasenote), with Prow's cherry-pick rule: a PR
to a branch other than master whose body says "Cherry pick of #N on release-X.Y." needs
no note of its own when every parent has one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bowsprit.api.pluginconfig import ReleaseNoteSettings
from bowsprit.hook.effects import AddLabel, Comment, EditIssue, Effect, PruneComments, RemoveLabel
from bowsprit.hook.events import GenericCommentEvent, PullRequestEvent, parse_pull
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import (
    format_response,
    format_response_raw,
    format_simple_response,
)

NEEDED = "do-not-merge/release-note-label-needed"
NOTE, NONE, ACTION_REQUIRED = "release-note", "release-note-none", "release-note-action-required"
DEPRECATION = "kind/deprecation"
ALL = (NONE, ACTION_REQUIRED, NEEDED, NOTE)
DEFAULT_GUIDE = "https://git.k8s.io/community/contributors/guide/release-notes.md"
NOTE_RE = re.compile(
    r"(?s)(?:Release note\*\*:\s*(?:<!--[^<>]*-->\s*)?```(?:release-note)?|```release-note)(.+?)```",  # noqa: E501 - Prow's regex whole
    re.ASCII,
)
NONE_RE = re.compile(r"(?i)^\W*(NONE|NO)\W*$", re.ASCII)
NOTE_CMD_RE = re.compile(r"(?mi)^/release-note\s*$", re.ASCII)
EDIT_RE = re.compile(r"(?mi)^/release-note-edit\s*$", re.ASCII)
NONE_CMD_RE = re.compile(r"(?mi)^/release-note-none\s*$", re.ASCII)
ACTION_CMD_RE = re.compile(r"(?mi)^/release-note-action-required\s*$", re.ASCII)
DEPRECATED = (
    f"the `/{NOTE}` and `/{ACTION_REQUIRED}` commands have been deprecated.\nPlease edit the "
    "`release-note` block in the PR body text to include the release note. If the release "
    "note requires additional action include the string `action required` in the release "
    "note. For example:\n````\n```release-note\nSome release note with action required.\n```\n````"
)
CHERRY_PICK_RE = re.compile(r"Cherry pick of #([0-9]+) on release-([0-9]+\.[0-9]+).")
PARENT_BODY = (
    f"All 'parent' PRs of a cherry-pick PR must have one of the \"{NOTE}\" or "
    f'"{ACTION_REQUIRED}" labels, or this PR must follow the standard/parent release note '
    "labeling requirement."
)
DEPRECATION_BODY = (
    f'Adding the "{NEEDED}" label and removing any existing "{NONE}" label because there is '
    f'a "{DEPRECATION}" label on the PR.'
)


def needed_body(guide: str) -> str:
    return (
        f'Adding the "{NEEDED}" label because no release-note block was detected, please '
        f"follow our [release note process]({guide}) to remove it."
    )


def release_note(body: str) -> str:
    found = NOTE_RE.search(body)
    return found.group(1).strip() if found else ""


def label_for(body: str, labels: set[str]) -> str:
    """Prow's determineReleaseNoteLabel."""
    note = release_note(body).strip().lower()
    deprecated = DEPRECATION in labels
    if not note:
        if deprecated:
            return NEEDED
        return NONE if NONE in labels else NEEDED
    if NONE_RE.search(note):
        return NEEDED if deprecated else NONE
    return ACTION_REQUIRED if "action required" in note else NOTE


def _relabel(org: str, repo: str, number: int, wanted: str, labels: set[str]) -> list[Effect]:
    effects: list[Effect] = []
    if wanted not in labels:
        effects.append(AddLabel(org, repo, number, wanted))
    effects += [
        RemoveLabel(org, repo, number, each) for each in ALL if each != wanted and each in labels
    ]
    return effects


def parents(body: str) -> list[int]:
    """Prow's getCherrypickParentPRNums: one "Cherry pick of #N on release-X.Y." a line."""
    found: list[int] = []
    for line in body.split("\n"):
        match = CHERRY_PICK_RE.search(line)
        if match:
            found.append(int(match.group(1)))
    return found


async def noteless_parents(ctx: Context, event: PullRequestEvent) -> list[int] | None:
    """Prow's prMustFollowRelNoteProcess: None when the PR needs no note of its own (a
    cherry-pick off master whose parents all have one), else the parents without one."""
    numbers = parents(event.pull.body) if event.pull.base_ref != "master" else []
    if not numbers:
        return []
    missing: list[int] = []
    for number in numbers:
        found = await ctx.github.list_labels(event.repo.org, event.repo.name, number)
        if NOTE not in found and ACTION_REQUIRED not in found:
            missing.append(number)
    return missing or None


def parent_comment(event: PullRequestEvent, missing: list[int]) -> Comment:
    listed = ", ".join(f"#{number}" for number in missing)
    reason = (
        f'The following parent PRs have neither the "{NOTE}" nor the "{ACTION_REQUIRED}" '
        f"labels: {listed}."
    )
    body = format_response(event.pull.author, PARENT_BODY, reason)
    return Comment(event.repo.org, event.repo.name, event.pull.number, body)


async def _when_needed(
    ctx: Context, event: PullRequestEvent, labels: set[str], missing: list[int], note_body: str
) -> tuple[str, list[Effect]]:
    """No note in the body: the label (none when an earlier comment said
    /release-note-none) and the comments Prow makes."""
    org, repo, number = event.repo.org, event.repo.name, event.pull.number
    effects: list[Effect] = []
    if missing and NEEDED not in labels:
        effects.append(parent_comment(event, missing))
    if DEPRECATION in labels:
        if NEEDED not in labels:
            effects.append(Comment(org, repo, number, format_simple_response(DEPRECATION_BODY)))
        return NEEDED, effects
    comments = await ctx.github.list_issue_comments(org, repo, number)
    if any(NONE_CMD_RE.search(str(item.get("body", ""))) for item in comments):
        return NONE, effects
    if NEEDED not in labels:
        effects.append(Comment(org, repo, number, format_simple_response(note_body)))
    return NEEDED, effects


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in ("opened", "edited", "labeled", "ready_for_review"):
        return []
    if event.action == "labeled" and event.label not in ALL:
        return []
    org, repo, number = event.repo.org, event.repo.name, event.pull.number
    settings = ctx.config.release_note or ReleaseNoteSettings()
    note_body = needed_body(settings.guidelines_url or DEFAULT_GUIDE)
    prune: list[Effect] = [
        PruneComments(org, repo, number, ctx.bot, note_body),
        PruneComments(org, repo, number, ctx.bot, PARENT_BODY),
    ]
    labels = set(await ctx.github.list_labels(org, repo, number))
    wanted = label_for(event.pull.body, labels)
    missing = await noteless_parents(ctx, event)
    effects: list[Effect] = []
    if wanted == NEEDED:
        if event.pull.merged:
            return []
        if missing is None:  # the parents' notes do: no label needed
            return [RemoveLabel(org, repo, number, NEEDED)] * (NEEDED in labels) + prune
        wanted, effects = await _when_needed(ctx, event, labels, missing, note_body)
    effects += _relabel(org, repo, number, wanted, labels)
    if missing is None or wanted in (NOTE, ACTION_REQUIRED, NONE):  # Prow's clearStaleComments
        effects += prune
    return effects


def _edited_body(body: str, note: str) -> str | None:
    matches = list(NOTE_RE.finditer(body))
    if len(matches) != 1:
        return None
    start, end = matches[0].span(1)
    return body[:start] + "\r\n" + note.strip() + "\r\n" + body[end:]


def _edit(
    event: GenericCommentEvent, body: str, member: bool, reply: Callable[[str], list[Effect]]
) -> list[Effect]:
    """/release-note-edit: an org member replaces the PR body's one release note block."""
    if not member:
        return reply("You must be an org member to edit the release note.")
    note = release_note(event.body)
    if not note:
        return reply("/release-note-edit must be used with a release note block.")
    edited = _edited_body(body, note)
    if edited is None:
        return reply("/release-note-edit must be used with a single release note block.")
    return [EditIssue(event.repo.org, event.repo.name, event.number, body=edited)]


async def _comment_effects(
    ctx: Context, event: GenericCommentEvent, pull: dict[str, Any]
) -> list[Effect]:
    org, repo, number, author = event.repo.org, event.repo.name, event.number, event.author

    def reply(message: str) -> list[Effect]:
        body = format_response_raw(event.body, event.html_url, author, message)
        return [Comment(org, repo, number, body)]

    parsed = parse_pull(pull)
    labels = set(parsed.labels)
    member = await ctx.github.is_member(org, author)
    if EDIT_RE.search(event.body):
        return _edit(event, parsed.body, member, reply)
    if NOTE_CMD_RE.search(event.body) or ACTION_CMD_RE.search(event.body):
        return reply(DEPRECATED)
    if not NONE_CMD_RE.search(event.body):
        return []
    if not member and author != parsed.author:
        return reply(
            f"you can only set the release note label to {NONE} if you are the PR author or "
            "an org member."
        )
    if label_for(parsed.body, labels) in (NOTE, ACTION_REQUIRED):
        return reply(
            f"you can only set the release note label to {NONE} if the release-note block in "
            'the PR body text is empty or "none".'
        )
    if DEPRECATION in labels:
        return reply(
            f'you can not set the release note label to "{NONE}" because the PR has the '
            f'label "{DEPRECATION}".'
        )
    return _relabel(org, repo, number, NONE, labels)


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    # Prow registers release-note for issue comments only (RegisterIssueCommentHandler):
    # a command in a PR's description or in a review does nothing.
    if event.event_type != "issue_comment":
        return []
    if not event.is_pr or event.action != "created":
        return []
    commands = (EDIT_RE, NOTE_CMD_RE, NONE_CMD_RE, ACTION_CMD_RE)
    if not any(pattern.search(event.body) for pattern in commands):
        return []
    pull = await ctx.github.get_pull(event.repo.org, event.repo.name, event.number)
    return await _comment_effects(ctx, event, pull)


PLUGIN = Plugin(
    name="release-note",
    description="The releasenote plugin implements a release note process that uses a "
    "markdown 'release-note' code block to associate a release note with a pull request. "
    f"Until the 'release-note' block in the pull request body is populated the PR will be "
    f"assigned the '{NEEDED}' label.\n<br>There are three valid types of release notes that "
    "can replace this label:\n<ol><li>PRs with a normal release note in the 'release-note' "
    f"block are given the label '{NOTE}'.</li>\n<li>PRs that have a release note of 'none' in "
    f"the block are given the label '{NONE}' to indicate that the PR does not warrant a "
    "release note.</li>\n<li>PRs that contain 'action required' in their 'release-note' block "
    f"are given the label '{ACTION_REQUIRED}' to indicate that the PR introduces potentially "
    "breaking changes that necessitate user action before upgrading to the release.</li></ol>\n"
    "To use the plugin, in the pull request body text:\n\n```release-note\n<release note "
    "content>\n```",
    config_help="PluginConfig spec.release_note.guidelines_url: the release note process "
    "linked from the comment.",
    events=("pull_request", "issue_comment"),
    commands=(
        Command(
            "/release-note-none",
            f"Adds the '{NONE}' label to indicate that the PR does not warrant a release note. "
            "This is deprecated and ideally the release note process should be followed in "
            "the PR body instead.",
            ("/release-note-none",),
            "PR Authors and Org Members.",
        ),
        Command(
            "/release-note-edit",
            "Replaces the release note block in the top level comment with the provided one.",
            ("/release-note-edit\r\n```release-note\r\nThe new release note\r\n```",),
            "Org Members.",
        ),
    ),
    on_pull_request=handle_pull_request,
    on_generic_comment=handle_generic_comment,
)
