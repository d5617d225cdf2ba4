"""The approve plugin (Prow's pkg/plugins/approve): `/approve`, `/approve no-issue`,
`/approve cancel` and `/remove-approve` (`/unapprove`... is not Prow's: see below), the
`approved` label once every changed file's OWNERS has an approver, and one notification
comment, edited in place as approvals change."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bowsprit.api.pluginconfig import ApproveSettings, OwnersSettings
from bowsprit.hook.effects import AddLabel, Comment, DeleteComment, EditComment, Effect, RemoveLabel
from bowsprit.hook.events import GenericCommentEvent, PullRequestEvent, ReviewEvent, parse_pull
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.owners.approvers import Approvers, Owners, Repo
from bowsprit.hook.plugins.owners.message import (
    DEFAULT_COMMAND_HELP_LINK,
    DEFAULT_PR_PROCESS_LINK,
    NOTIFICATION_NAME,
    message,
)
from bowsprit.hook.plugins.respond import commands

LABEL = "approved"
APPROVE, LGTM, REMOVE = "APPROVE", "LGTM", "REMOVE-APPROVE"
# Prow has no /unapprove; it is taken as /remove-approve, which the issue asks for.
UNAPPROVE = "UNAPPROVE"
NOTIFICATION_RE = re.compile(rf"(?is)^\[{NOTIFICATION_NAME}\] *?([^\n]*)(?:\n\n(.*))?")
REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")
LINK_URL = "https://github.com"


@dataclass(frozen=True)
class Item:
    """A comment, review comment or review, in the order approvals are read."""

    body: str
    author: str
    created_at: str
    html_url: str
    id: int
    review_state: str = ""


def _settings(ctx: Context) -> ApproveSettings:
    return ctx.config.approve or ApproveSettings()


def considers_reviews(settings: ApproveSettings) -> bool:
    return settings.ignore_review_state is not True


def self_approval(settings: ApproveSettings) -> bool:
    return settings.require_self_approval is not True


def is_approval_command(is_bot: Callable[[str], bool], lgtm_approves: bool, item: Item) -> bool:
    if is_bot(item.author):
        return False
    return any(
        (name == LGTM and lgtm_approves) or name in (APPROVE, REMOVE, UNAPPROVE)
        for name, _ in commands(item.body)
    )


def is_approval_state(is_bot: Callable[[str], bool], reviews_count: bool, item: Item) -> bool:
    return not is_bot(item.author) and reviews_count and item.review_state.upper() in REVIEW_STATES


def add_approvers(ap: Approvers, items: list[Item], author: str, reviews_count: bool) -> None:
    """Prow's addApprovers: each person's latest approval or cancellation wins."""
    for item in items:
        if not item.author:
            continue
        if reviews_count and item.review_state == "APPROVED":
            ap.add_approver(item.author, item.html_url, False)
        if reviews_count and item.review_state == "CHANGES_REQUESTED":
            ap.remove_approver(item.author)
        for name, raw in commands(item.body):
            _command(ap, item, author, name, raw.strip().lower())


def _command(ap: Approvers, item: Item, author: str, name: str, args: str) -> None:
    if name in (REMOVE, UNAPPROVE) or (name in (APPROVE, LGTM) and "cancel" in args):
        ap.remove_approver(item.author)
        return
    if name not in (APPROVE, LGTM):
        return
    no_issue = args == "no-issue"
    if item.author == author:
        ap.add_author_self_approver(item.author, item.html_url, no_issue)
    if name == APPROVE:
        ap.add_approver(item.author, item.html_url, no_issue)
    else:
        ap.add_lgtmer(item.author, item.html_url, no_issue)


def associated_issue(body: str, org: str) -> int:
    found = re.search(rf"(?:{re.escape(org)}/[^/]+/issues/|#)(\d+)", body)
    return int(found.group(1)) if found else 0


def _items(comments: list[dict[str, Any]], review: bool = False) -> list[Item]:
    return [
        Item(
            str(c.get("body") or ""),
            str((c.get("user") or {}).get("login") or ""),
            str(c.get("submitted_at" if review else "created_at") or ""),
            str(c.get("html_url") or ""),
            int(c.get("id") or 0),
            str(c.get("state") or "").upper() if review else "",
        )
        for c in comments
    ]


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.action != "created" or not event.is_pr or event.issue_state == "closed":
        return []
    item = Item(event.body, event.author, "", event.html_url, 0)
    settings = _settings(ctx)
    if not is_approval_command(
        lambda login: login == ctx.bot, bool(settings.lgtm_acts_as_approve), item
    ):
        return []
    repo = event.repo
    pull = await ctx.github.get_pull(repo.org, repo.name, event.number)
    return await handle(ctx, pull)


async def handle_review(ctx: Context, event: ReviewEvent) -> list[Effect]:
    """A review re-decides when its state counts; a review whose body has an approval
    command is left to the comment handler."""
    if event.action not in ("submitted", "dismissed"):
        return []
    settings = _settings(ctx)

    def is_bot(login: str) -> bool:
        return login == ctx.bot or event.author_is_bot

    item = Item(event.body, event.author, "", event.html_url, 0, event.state)
    if is_approval_command(is_bot, bool(settings.lgtm_acts_as_approve), item):
        return []
    if not is_approval_state(is_bot, considers_reviews(settings), item):
        return []
    pull = await ctx.github.get_pull(event.repo.org, event.repo.name, event.pull.number)
    return await handle(ctx, pull)


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in ("opened", "reopened", "synchronize", "labeled"):
        return []
    if event.action == "labeled" and (
        event.label != LABEL or event.sender == ctx.bot or event.pull.state == "closed"
    ):
        return []
    pull = await ctx.github.get_pull(event.repo.org, event.repo.name, event.pull.number)
    return await handle(ctx, pull)


@dataclass(frozen=True)
class Observed:
    """What approve reads of a pull request (Prow's state plus the listings)."""

    org: str
    repo: str
    number: int
    branch: str
    body: str
    author: str
    html_url: str
    assignees: tuple[str, ...]
    files: tuple[str, ...]
    has_label: bool
    manually_approved: bool  # the approved label was added by a human
    issue_comments: list[dict[str, Any]]
    review_comments: list[dict[str, Any]]
    reviews: list[dict[str, Any]]


async def handle(ctx: Context, raw_pull: dict[str, Any]) -> list[Effect]:
    """Read the PR's files, labels, comments and reviews; decide; label and notify."""
    pull = parse_pull(raw_pull)
    org = str(raw_pull["base"]["repo"]["owner"]["login"])
    name = str(raw_pull["base"]["repo"]["name"])
    gh, number = ctx.github, pull.number
    owners_settings = ctx.config.owners or OwnersSettings()
    owners = await ctx.owners.load(gh, org, name, pull.base_sha, owners_settings)
    has_label = LABEL in await gh.list_labels(org, name, number)
    observed = Observed(
        org=org,
        repo=name,
        number=number,
        branch=pull.base_ref,
        body=pull.body,
        author=pull.author,
        html_url=pull.html_url,
        assignees=pull.assignees,
        files=tuple(await gh.list_pull_files(org, name, number)),
        has_label=has_label,
        manually_approved=has_label and await _label_added_by_human(ctx, org, name, number),
        issue_comments=await gh.list_issue_comments(org, name, number),
        review_comments=await gh.list_review_comments(org, name, number),
        reviews=await gh.list_reviews(org, name, number),
    )
    return decide(observed, owners, _settings(ctx), ctx.bot)


def decide(observed: Observed, owners: Repo, settings: ApproveSettings, bot: str) -> list[Effect]:
    """Prow's approve handle, pure: who approved, what the notification says, and whether
    `approved` goes on or comes off."""
    o = observed
    app_bots = {
        str(r["user"]["login"]) for r in o.reviews if (r.get("user") or {}).get("type") == "Bot"
    }

    def is_bot(login: str) -> bool:
        return login == bot or login in app_bots

    ap = Approvers(Owners(o.files, owners, seed=o.number))
    ap.associated_issue = associated_issue(o.body, o.org)
    ap.require_issue = bool(settings.issue_required)
    ap.manually_approved = lambda: o.manually_approved
    if self_approval(settings):
        ap.add_author_self_approver(o.author, o.html_url + "#", False)
    notes = _items(o.issue_comments)
    items = sorted(
        _items(o.review_comments) + notes + _items(o.reviews, review=True),
        key=lambda item: item.created_at,
    )
    reviews_count = considers_reviews(settings)
    approving = [
        item
        for item in items
        if is_approval_command(is_bot, bool(settings.lgtm_acts_as_approve), item)
        or is_approval_state(is_bot, reviews_count, item)
    ]
    add_approvers(ap, approving, o.author, reviews_count)
    ap.add_assignees(*o.assignees)
    text = message(
        ap,
        link_url=LINK_URL,
        command_help_link=settings.commandHelpLink or DEFAULT_COMMAND_HELP_LINK,
        pr_process_link=settings.pr_process_link or DEFAULT_PR_PROCESS_LINK,
        org=o.org,
        repo=o.repo,
        branch=o.branch,
    )
    earlier = [n for n in notes if is_bot(n.author) and NOTIFICATION_RE.match(n.body)]
    effects = notify(o.org, o.repo, o.number, earlier, text)
    approved = ap.is_approved()
    if not approved and o.has_label:
        effects.append(RemoveLabel(o.org, o.repo, o.number, LABEL))
    elif approved and not o.has_label:
        effects.append(AddLabel(o.org, o.repo, o.number, LABEL))
    return effects


def notify(org: str, repo: str, number: int, notifications: list[Item], text: str) -> list[Effect]:
    """One notification: the newest is edited in place (Prow deletes and re-creates it),
    older ones deleted; nothing when it already says this."""
    if not notifications:
        return [Comment(org, repo, number, text)]
    *older, latest = notifications
    effects: list[Effect] = [DeleteComment(org, repo, item.id) for item in older]
    if text not in latest.body:
        effects.append(EditComment(org, repo, latest.id, text))
    return effects


async def _label_added_by_human(ctx: Context, org: str, repo: str, number: int) -> bool:
    """Prow's WasLabelAddedByHuman: the newest `labeled approved` event's actor."""
    events = await ctx.github.list_issue_events(org, repo, number)
    for event in reversed(events):
        if event.get("event") == "labeled" and (event.get("label") or {}).get("name") == LABEL:
            return (event.get("actor") or {}).get("login") != ctx.bot
    return False


PLUGIN = Plugin(
    name="approve",
    description="The approve plugin implements a pull request approval process that manages "
    "the 'approved' label and an approval notification comment. Approval is achieved when "
    "the set of users that have approved the PR is capable of approving every file changed "
    "by the PR. A user is able to approve a file if their username or an alias they belong "
    "to is listed in the 'approvers' section of an OWNERS file in the directory of the file "
    "or higher in the directory tree.\n<br>\n<br>Per-repo configuration may be used to "
    "require that PRs link to an associated issue before approval is granted. It may also "
    "be used to specify that the PR authors implicitly approve their own PRs.\n<br>For more "
    'information see <a href="https://docs.prow.k8s.io/docs/components/plugins/approve/'
    'approvers/">here</a>.',
    config_help="PluginConfig spec.approve: issue_required, require_self_approval, "
    "lgtm_acts_as_approve, ignore_review_state, commandHelpLink, pr_process_link; "
    "spec.owners: skip_collaborators, owners_filename, owners_aliases_filename, dir_denylist.",
    events=("issue_comment", "pull_request_review", "pull_request_review_comment", "pull_request"),
    commands=(
        Command(
            "/[remove-]approve [no-issue|cancel]",
            "Approves a pull request",
            ("/approve", "/approve no-issue", "/remove-approve"),
            "Users listed as 'approvers' in appropriate OWNERS files.",
            True,
        ),
    ),
    on_pull_request=handle_pull_request,
    on_generic_comment=handle_generic_comment,
    on_review=handle_review,
)
