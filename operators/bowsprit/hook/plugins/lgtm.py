"""The lgtm plugin (Prow's pkg/plugins/lgtm): `/lgtm`, `/lgtm cancel` and `/remove-lgtm`
manage the `lgtm` label; a new push removes it (unless the tree is unchanged and
`store_tree_hash` is on, or the author is in `trusted_team_for_sticky_lgtm`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bowsprit.api.pluginconfig import LgtmSettings, OwnersSettings
from bowsprit.hook.effects import (
    AddLabel,
    AssignIssue,
    Comment,
    DeleteComment,
    Effect,
    RemoveLabel,
    RequestReview,
)
from bowsprit.hook.events import GenericCommentEvent, PullRequestEvent, RepoRef, ReviewEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.owners.repoowners import norm_login
from bowsprit.hook.plugins.respond import SPACE, format_response_raw
from bowsprit.hook.plugins.respond import bot_comments_matching as bot_comments

LABEL = "lgtm"
ADDED_NOTIFICATION = "LGTM label has been added.  <details>Git tree hash: {}</details>"
ADDED_NOTIFICATION_RE = re.compile(re.escape(ADDED_NOTIFICATION).replace(r"\{\}", "(.*)"))
REMOVED_NOTIFICATION = "New changes are detected. LGTM label has been removed."
LGTM_RE = re.compile(rf"(?mi)^/lgtm(?: no-issue)?{SPACE}*$")
CANCEL_RE = re.compile(rf"(?mi)^/(remove-lgtm|lgtm cancel){SPACE}*$")


@dataclass(frozen=True)
class Request:
    """Who asked for what, from a comment or a review (Prow's reviewCtx)."""

    repo: RepoRef
    number: int
    author: str
    issue_author: str
    body: str
    html_url: str
    want: bool
    assignees: tuple[str, ...]


def _settings(ctx: Context) -> LgtmSettings:
    return ctx.config.lgtm or LgtmSettings()


def _owners(ctx: Context) -> OwnersSettings:
    return ctx.config.owners or OwnersSettings()


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if not event.is_pr or event.issue_state != "open" or event.action != "created":
        return []
    if LGTM_RE.search(event.body):
        want = True
    elif CANCEL_RE.search(event.body):
        want = False
    else:
        return []
    request = Request(
        event.repo,
        event.number,
        event.author,
        event.issue_author,
        event.body,
        event.html_url,
        want,
        event.assignees,
    )
    return await handle(ctx, request)


async def handle_review(ctx: Context, event: ReviewEvent) -> list[Effect]:
    """`review_acts_as_lgtm`: an approving review adds lgtm, requested changes remove it."""
    if not _settings(ctx).review_acts_as_lgtm or event.action != "submitted":
        return []
    if event.author == ctx.bot or event.author_is_bot:
        return []
    if LGTM_RE.search(event.body) or CANCEL_RE.search(event.body):
        return []  # the comment handler reads the body's command
    if event.state not in ("APPROVED", "CHANGES_REQUESTED"):
        return []
    request = Request(
        event.repo,
        event.pull.number,
        event.author,
        event.pull.author,
        event.body,
        event.html_url,
        event.state == "APPROVED",
        event.pull.assignees,
    )
    return await handle(ctx, request)


async def _may_lgtm(ctx: Context, request: Request) -> list[Effect] | None:
    """The refusal to post, or None when the commenter may change lgtm (plus, for a
    collaborator, assigning them)."""
    repo, author = request.repo, request.author
    is_author = author == request.issue_author

    def refuse(reply: str) -> list[Effect]:
        text = format_response_raw(request.body, request.html_url, author, reply)
        return [Comment(repo.org, repo.name, request.number, text)]

    if is_author and request.want:
        return refuse("you cannot LGTM your own PR.")
    if is_author:
        return None
    if not _owners(ctx).skip_collaborators:
        if not await ctx.github.is_collaborator(repo.org, repo.name, author):
            return refuse("changing LGTM is restricted to collaborators")
        return None
    pull = await ctx.github.get_pull(repo.org, repo.name, request.number)
    owners = await ctx.owners.load(
        ctx.github, repo.org, repo.name, str(pull["base"]["sha"]), _owners(ctx)
    )
    files = await ctx.github.list_pull_files(repo.org, repo.name, request.number)
    allowed: set[str] = set()
    for name in files:
        allowed |= owners.approvers(name).set() | owners.reviewers(name).set()
    if norm_login(author) not in allowed:
        return refuse("adding LGTM is restricted to approvers and reviewers in OWNERS files.")
    return None


async def handle(ctx: Context, request: Request) -> list[Effect]:
    refused = await _may_lgtm(ctx, request)
    if refused is not None:
        return refused
    repo, number = request.repo, request.number
    effects: list[Effect] = []
    if (
        request.author != request.issue_author
        and request.author not in request.assignees
        and not _owners(ctx).skip_collaborators
    ):
        # Prow assigns a collaborator who lgtms, so they can be asked for review later.
        effects.append(AssignIssue(repo.org, repo.name, number, (request.author,)))
    settings = _settings(ctx)
    has_lgtm = LABEL in await ctx.github.list_labels(repo.org, repo.name, number)
    if has_lgtm and not request.want:
        effects.append(RemoveLabel(repo.org, repo.name, number, LABEL))
        if settings.store_tree_hash:
            effects.append(RequestReview(repo.org, repo.name, number, request.assignees))
            effects += await _prune(ctx, repo, number, ADDED_NOTIFICATION_RE.search)
    elif not has_lgtm and request.want:
        effects.append(AddLabel(repo.org, repo.name, number, LABEL))
        if not await sticky(ctx, repo.org, request.issue_author):
            if settings.store_tree_hash:
                pull = await ctx.github.get_pull(repo.org, repo.name, number)
                head = str(pull["head"]["sha"])
                tree = await ctx.github.get_commit_tree_sha(repo.org, repo.name, head)
                effects.append(
                    Comment(repo.org, repo.name, number, ADDED_NOTIFICATION.format(tree))
                )
            effects += await _prune(ctx, repo, number, lambda body: REMOVED_NOTIFICATION in body)
    return effects


async def _prune(
    ctx: Context, repo: RepoRef, number: int, matches: Callable[[str], object]
) -> list[Effect]:
    """Delete the bot's comments that `matches` (Prow's CommentPruner)."""
    listed = await ctx.github.list_issue_comments(repo.org, repo.name, number)
    return [
        DeleteComment(repo.org, repo.name, int(item["id"]))
        for item in bot_comments(listed, ctx.bot, lambda body: bool(matches(body)))
    ]


async def sticky(ctx: Context, org: str, author: str) -> bool:
    """The author is in `trusted_team_for_sticky_lgtm`: their pushes keep lgtm."""
    team = _settings(ctx).trusted_team_for_sticky_lgtm
    if not team:
        return False
    members = await ctx.github.list_team_members(org, team)
    return author in (members or [])


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    """A push removes lgtm, unless the tree is the one lgtm was given to."""
    pull, repo = event.pull, event.repo
    if pull.merged or event.action != "synchronize" or LABEL not in pull.labels:
        return []
    if await sticky(ctx, repo.org, pull.author):
        return []
    settings = _settings(ctx)
    if settings.store_tree_hash:
        listed = await ctx.github.list_issue_comments(repo.org, repo.name, pull.number)
        given = ""
        for item in reversed(listed):
            found = ADDED_NOTIFICATION_RE.search(str(item.get("body") or ""))
            login = (item.get("user") or {}).get("login")
            if found and login == ctx.bot and item.get("updated_at") == item.get("created_at"):
                given = found.group(1)
                break
        if given:
            tree = await ctx.github.get_commit_tree_sha(repo.org, repo.name, pull.head_sha)
            if tree == given:
                return []
    effects: list[Effect] = [RemoveLabel(repo.org, repo.name, pull.number, LABEL)]
    if settings.store_tree_hash:
        effects.append(RequestReview(repo.org, repo.name, pull.number, pull.assignees))
    effects.append(Comment(repo.org, repo.name, pull.number, REMOVED_NOTIFICATION))
    return effects


PLUGIN = Plugin(
    name="lgtm",
    description="The lgtm plugin manages the application and removal of the 'lgtm' (Looks "
    "Good To Me) label which is typically used to gate merging.",
    config_help='PluginConfig spec.lgtm: review_acts_as_lgtm (reviews of "approve" or '
    '"request changes" act as adding or removing LGTM), store_tree_hash (squashing commits '
    "does not remove LGTM), trusted_team_for_sticky_lgtm (commits from this team do not "
    "remove LGTM); spec.owners.skip_collaborators (OWNERS reviewers instead of collaborators).",
    events=("issue_comment", "pull_request_review", "pull_request_review_comment", "pull_request"),
    commands=(
        Command(
            "/[remove-]lgtm [cancel] or GitHub Review action",
            "Adds or removes the 'lgtm' label which is typically used to gate merging.",
            (
                "/lgtm",
                "/lgtm cancel",
                "/remove-lgtm",
                '<a href="https://help.github.com/articles/about-pull-request-reviews/">'
                "'Approve' or 'Request Changes'</a>",
            ),
            "Collaborators on the repository. '/lgtm cancel' can be used additionally by the "
            "PR author.",
            True,
        ),
    ),
    on_pull_request=handle_pull_request,
    on_generic_comment=handle_generic_comment,
    on_review=handle_review,
)
