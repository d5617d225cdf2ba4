"""The milestone plugin: `/milestone <title>` and `/milestone clear` by members of the
repository's maintainers team (Prow's pkg/plugins/milestone; settings from its
repo_milestone entry)."""

from __future__ import annotations

import re
from typing import Any

from bowsprit.api.pluginconfig import MilestoneSettings
from bowsprit.hook.effects import Comment, EditIssue, Effect
from bowsprit.hook.events import GenericCommentEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import format_response_raw

MILESTONE_RE = re.compile(r"(?m)^/milestone\s+(.+?)\s*$", re.ASCII)
CLEAR = "clear"


def must_be_authorized(org: str, settings: MilestoneSettings) -> str:
    team = settings.maintainers_team or ""
    return (
        f"You must be a member of the [{org}/{team}](https://github.com/orgs/{org}/teams/"
        f"{team}/members) GitHub team to set the milestone. If you believe you should be able "
        "to issue the /milestone command, please contact your "
        f"{settings.maintainers_friendly_name or ''} and have them propose you as an "
        "additional delegate for this responsibility."
    )


def invalid_milestone(titles: list[str]) -> str:
    listed = ", ".join(sorted(f"`{title}`" for title in titles))
    return (
        f"The provided milestone is not valid for this repository. Milestones in this "
        f"repository: [{listed}]\n\nUse `/milestone {CLEAR}` to clear the milestone."
    )


def decide(
    event: GenericCommentEvent,
    settings: MilestoneSettings,
    maintainer: bool,
    milestones: list[dict[str, Any]],
) -> list[Effect]:
    org, repo, number = event.repo.org, event.repo.name, event.number
    match = MILESTONE_RE.search(event.body)
    if match is None:
        return []

    def reply(message: str) -> list[Effect]:
        body = format_response_raw(event.body, event.html_url, event.author, message)
        return [Comment(org, repo, number, body)]

    if not maintainer:
        return reply(must_be_authorized(org, settings))
    wanted = match.group(1)
    if wanted == CLEAR:
        return [EditIssue(org, repo, number, clear_milestone=True)]
    by_title = {str(item["title"]): int(item["number"]) for item in milestones}
    if wanted not in by_title:
        return reply(invalid_milestone(list(by_title)))
    return [EditIssue(org, repo, number, milestone=by_title[wanted])]


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.action != "created" or not MILESTONE_RE.search(event.body):
        return []
    org, repo = event.repo.org, event.repo.name
    settings = ctx.config.milestone or MilestoneSettings()
    team = settings.maintainers_team
    maintainer = bool(team) and await ctx.github.team_has_member(org, str(team), event.author)
    milestones = await ctx.github.list_milestones(org, repo) if maintainer else []
    return decide(event, settings, maintainer, milestones)


PLUGIN = Plugin(
    name="milestone",
    description="The milestone plugin allows members of a configurable GitHub team to set "
    "the milestone on an issue or pull request.",
    config_help="PluginConfig spec.milestone: maintainers_team (the team slug whose members "
    "may set milestones) and maintainers_friendly_name.",
    events=("issue_comment", "pull_request_review", "pull_request_review_comment"),
    commands=(
        Command(
            "/milestone <version> or /milestone clear",
            "Updates the milestone for an issue or PR",
            ("/milestone v1.10", "/milestone v1.9", "/milestone clear"),
            "Members of the milestone maintainers GitHub team can use the '/milestone' command.",
        ),
    ),
    on_generic_comment=handle_generic_comment,
)
