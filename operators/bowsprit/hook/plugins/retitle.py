"""The retitle plugin: `/retitle <title>` by trusted users (those trigger trusts), never a
title with issue-closing keywords; closed items only with allow_closed_issues (Prow's
pkg/plugins/retitle)."""

from __future__ import annotations

import re

from bowsprit.api.pluginconfig import TriggerSettings
from bowsprit.hook.effects import Comment, EditIssue, Effect
from bowsprit.hook.events import GenericCommentEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import format_response_raw
from bowsprit.jobpod.trust import trusted_user

RETITLE_RE = re.compile(r"(?mi)^/retitle\s*(.*)$", re.ASCII)
# Prow's invalidcommitmsg.CloseIssueRegex; its (?i) covers the whole group (Go's \s, \w: ASCII).
CLOSE_ISSUE_RE = re.compile(
    r"((?i:clos(?:e[sd]?)|fix(?:es|ed)?|resolv(?:e[sd]?)))[\s:]+(\w+/\w+)?#(\d+)",
    re.ASCII,
)
NOT_TRUSTED = "Re-titling can only be requested by trusted users, like repository collaborators."
EMPTY = "Titles may not be empty."
KEYWORDS = (
    "Titles may not contain [keywords](https://help.github.com/articles/closing-issues-using-"
    "keywords) which can automatically close issues."
)


def decide(event: GenericCommentEvent, trusted: bool) -> list[Effect]:
    org, repo, number = event.repo.org, event.repo.name, event.number

    def reply(message: str) -> list[Effect]:
        body = format_response_raw(event.body, event.html_url, event.author, message)
        return [Comment(org, repo, number, body)]

    match = RETITLE_RE.search(event.body)
    if match is None:
        return []
    if not trusted:
        return reply(NOT_TRUSTED)
    title = match.group(1).strip()
    if not title:
        return reply(EMPTY)
    if CLOSE_ISSUE_RE.search(title):
        return reply(KEYWORDS)
    return [EditIssue(org, repo, number, title=title)]


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    allow_closed = bool(ctx.config.retitle and ctx.config.retitle.allow_closed_issues)
    if not allow_closed and event.issue_state != "open":
        return []
    if event.action != "created" or not RETITLE_RE.search(event.body):
        return []
    settings = ctx.config.trigger or TriggerSettings()
    trusted = await trusted_user(
        ctx.github, settings, ctx.bot, event.repo.org, event.repo.name, event.author
    )
    return decide(event, trusted)


PLUGIN = Plugin(
    name="retitle",
    description="The retitle plugin allows users to re-title pull requests and issues where "
    "GitHub permissions don't allow them to.",
    config_help="PluginConfig spec.retitle.allow_closed_issues: also retitle closed issues "
    "and pull requests.",
    events=("issue_comment", "pull_request_review", "pull_request_review_comment"),
    commands=(
        Command(
            "/retitle <title>",
            "Edits the pull request or issue title.",
            ("/retitle New Title",),
            "Collaborators on the repository.",
            featured=True,
        ),
    ),
    on_generic_comment=handle_generic_comment,
)
