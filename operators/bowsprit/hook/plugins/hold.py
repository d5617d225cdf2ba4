"""The hold plugin: `/hold` adds do-not-merge/hold, `/hold cancel`, `/unhold` and
`/remove-hold` take it away (Prow's pkg/plugins/hold)."""

from __future__ import annotations

from bowsprit.hook.effects import AddLabel, Effect, RemoveLabel
from bowsprit.hook.events import GenericCommentEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import SPACE, command

HOLD = "do-not-merge/hold"
LABEL_RE = command("hold")
CANCEL_RE = command(rf"(remove-hold|hold{SPACE}+cancel|unhold)")


def wants_hold(body: str) -> bool | None:
    """True for /hold, False for its cancellations, None when the body says neither."""
    if CANCEL_RE.search(body):
        return False
    if LABEL_RE.search(body):
        return True
    return None


def decide(org: str, repo: str, number: int, wanted: bool, labels: list[str]) -> list[Effect]:
    has = HOLD in labels
    if wanted and not has:
        return [AddLabel(org, repo, number, HOLD)]
    if has and not wanted:
        return [RemoveLabel(org, repo, number, HOLD)]
    return []


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if not event.is_pr or event.action != "created":
        return []
    wanted = wants_hold(event.body)
    if wanted is None:
        return []
    repo = event.repo
    labels = await ctx.github.list_labels(repo.org, repo.name, event.number)
    return decide(repo.org, repo.name, event.number, wanted, labels)


PLUGIN = Plugin(
    name="hold",
    description="The hold plugin allows anyone to add or remove the '"
    + HOLD
    + "' Label from a pull request in order to temporarily prevent the PR from merging "
    "without withholding approval.",
    events=(
        "issue_comment",
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
    ),
    commands=(
        Command(
            "/[remove-][un]hold [cancel]",
            "Adds or removes the `"
            + HOLD
            + "` Label which is used to indicate that the PR should not be automatically merged.",
            ("/hold", "/hold cancel", "/unhold", "/remove-hold"),
            "Anyone can use the /hold command to add or remove the '" + HOLD + "' Label.",
        ),
    ),
    on_generic_comment=handle_generic_comment,
)
