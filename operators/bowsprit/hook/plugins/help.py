"""The help plugin: `/help`, `/remove-help`, `/good-first-issue`,
`/remove-good-first-issue` on open issues, with Prow's guideline comment (Prow's
pkg/plugins/help)."""

from __future__ import annotations

import re

from bowsprit.api.pluginconfig import HelpSettings
from bowsprit.hook.effects import AddLabel, Comment, Effect, PruneComments, RemoveLabel
from bowsprit.hook.events import GenericCommentEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import format_response_raw

HELP, GOOD_FIRST_ISSUE = "help wanted", "good first issue"
HELP_RE = re.compile(r"(?mi)^/help\s*$", re.ASCII)
HELP_REMOVE_RE = re.compile(r"(?mi)^/remove-help\s*$", re.ASCII)
GFI_RE = re.compile(r"(?mi)^/good-first-issue\s*$", re.ASCII)
GFI_REMOVE_RE = re.compile(r"(?mi)^/remove-good-first-issue\s*$", re.ASCII)
HELP_MARK = "This request has been marked as needing help from a contributor."
GFI_MARK = "This request has been marked as suitable for new contributors."
DEFAULT_URL = "https://git.k8s.io/community/contributors/guide/help-wanted.md"


def _message(mark: str, url: str, summary: str, remove: str) -> str:
    tail = (
        "If this request no longer meets these requirements, the label can be removed\n"
        f"by commenting with the `{remove}` command.\n"
    )
    if summary:
        return (
            f"\n\t{mark}\n\n### Guidelines\n{summary}\n\nFor more details on the requirements "
            f"of such an issue, please see [here]({url}) and ensure that they are met.\n\n" + tail
        )
    return (
        f"\n\t{mark}\n\nPlease ensure the request meets the requirements listed [here]({url}).\n\n"
        + tail
    )


def help_message(settings: HelpSettings | None) -> str:
    url = (settings.help_guidelines_url if settings else None) or DEFAULT_URL
    summary = (settings.help_guidelines_summary if settings else None) or ""
    return _message(HELP_MARK, url, summary, "/remove-help")


def good_first_issue_message(settings: HelpSettings | None) -> str:
    url = (settings.help_guidelines_url if settings else None) or DEFAULT_URL
    summary = (settings.help_guidelines_summary if settings else None) or ""
    return _message(GFI_MARK, url + "#good-first-issue", summary, "/remove-good-first-issue")


def decide(
    event: GenericCommentEvent, labels: list[str], settings: HelpSettings | None, bot: str
) -> list[Effect]:
    """Prow's handle: the first command that applies wins."""
    org, repo, number, body = event.repo.org, event.repo.name, event.number, event.body
    has_help, has_gfi = HELP in labels, GOOD_FIRST_ISSUE in labels

    def reply(message: str) -> Comment:
        text = format_response_raw(body, event.html_url, event.author, message)
        return Comment(org, repo, number, text)

    if has_help and HELP_REMOVE_RE.search(body):
        effects: list[Effect] = [
            RemoveLabel(org, repo, number, HELP),
            PruneComments(org, repo, number, bot, HELP_MARK),
        ]
        if has_gfi:
            effects += [
                RemoveLabel(org, repo, number, GOOD_FIRST_ISSUE),
                PruneComments(org, repo, number, bot, GFI_MARK),
            ]
        return effects
    if not has_gfi and GFI_RE.search(body):
        effects = [
            reply(good_first_issue_message(settings)),
            AddLabel(org, repo, number, GOOD_FIRST_ISSUE),
        ]
        if not has_help:
            effects.append(AddLabel(org, repo, number, HELP))
        return effects
    if not has_help and HELP_RE.search(body):
        return [reply(help_message(settings)), AddLabel(org, repo, number, HELP)]
    if has_gfi and GFI_REMOVE_RE.search(body):
        return [
            RemoveLabel(org, repo, number, GOOD_FIRST_ISSUE),
            PruneComments(org, repo, number, bot, GFI_MARK),
        ]
    return []


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.is_pr or event.issue_state != "open" or event.action != "created":
        return []
    if not any(p.search(event.body) for p in (HELP_RE, HELP_REMOVE_RE, GFI_RE, GFI_REMOVE_RE)):
        return []
    labels = await ctx.github.list_labels(event.repo.org, event.repo.name, event.number)
    return decide(event, labels, ctx.config.help, ctx.bot)


PLUGIN = Plugin(
    name="help",
    description=f"The help plugin provides commands that add or remove the '{HELP}' and the "
    f"'{GOOD_FIRST_ISSUE}' labels from issues.",
    events=("issue_comment",),
    commands=(
        Command(
            "/[remove-](help|good-first-issue)",
            f"Applies or removes the '{HELP}' and '{GOOD_FIRST_ISSUE}' labels to an issue.",
            ("/help", "/remove-help", "/good-first-issue", "/remove-good-first-issue"),
            "Anyone can trigger this command on a PR.",
        ),
    ),
    on_generic_comment=handle_generic_comment,
)
