"""The verify-owners plugin (Prow's pkg/plugins/verify-owners): OWNERS and OWNERS_ALIASES
files a pull request changes are read at its head; invalid ones get the
`do-not-merge/invalid-owners-file` label and a review pointing at them, users they newly
add who are not trusted get the label and a comment; `/verify-owners` checks again."""

from __future__ import annotations

import re
from typing import Any

from bowsprit.api.pluginconfig import OwnersSettings, TriggerSettings
from bowsprit.hook.effects import (
    AddLabel,
    Comment,
    CreateReview,
    DeleteComment,
    Effect,
    RemoveLabel,
    ReviewComment,
)
from bowsprit.hook.events import (
    GenericCommentEvent,
    PullRequest,
    PullRequestEvent,
    RepoRef,
    parse_pull,
)
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.owners.cache import filenames
from bowsprit.hook.plugins.owners.repoowners import OwnersError, parent, parse_aliases
from bowsprit.hook.plugins.owners.verify import (
    UNTRUSTED,
    Problem,
    Untrusted,
    check_owners_file,
    newly_added,
    untrusted_reason,
)
from bowsprit.hook.plugins.respond import SPACE, format_response_raw
from bowsprit.hook.plugins.respond import bot_comments_matching as bot_comments
from bowsprit.lib import goregex

LABEL = "do-not-merge/invalid-owners-file"
VERIFY_RE = re.compile(rf"(?mi)^/verify-owners{SPACE}*$")
MAX_USERS_CHECKED = 50  # Prow stops asking GitHub about users after this many


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in ("opened", "reopened", "synchronize"):
        return []
    return await handle(ctx, event.repo, event.pull)


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.issue_state != "open" or not event.is_pr or event.action != "created":
        return []
    if not VERIFY_RE.search(event.body):
        return []
    pull = parse_pull(await ctx.github.get_pull(event.repo.org, event.repo.name, event.number))
    return await handle(ctx, event.repo, pull)


async def _trust(ctx: Context, org: str, repo: str, user: str) -> str | None:
    """None when trusted, else why not (Prow's trigger.TrustedUser, in its order)."""
    settings = ctx.config.trigger or TriggerSettings()
    if user == ctx.bot or await ctx.github.is_member(org, user):
        return None
    collaborator: bool | None = None
    if not settings.only_org_members:
        collaborator = await ctx.github.is_collaborator(org, repo, user)
        if collaborator:
            return None
    if user.endswith("[bot]") and user.removesuffix("[bot]") in (settings.trusted_apps or []):
        return None
    secondary: bool | None = None
    if settings.trusted_org and settings.trusted_org != org:
        secondary = await ctx.github.is_member(settings.trusted_org, user)
        if secondary:
            return None
    return untrusted_reason(False, collaborator, secondary)


class _Checker:
    """Asks GitHub about each user once, and about at most MAX_USERS_CHECKED users."""

    def __init__(self, ctx: Context, repo: RepoRef, skip: bool) -> None:
        self.ctx, self.repo, self.skip = ctx, repo, skip
        self.trusted: set[str] = set()
        self.untrusted = Untrusted()

    async def check(self, user: str, patch: str, filename: str) -> None:
        if self.skip:  # skip_collaborators: OWNERS alone decide, anyone may be listed
            return
        if len(self.untrusted.reasons) + len(self.trusted) > MAX_USERS_CHECKED:
            return
        if not newly_added(user, patch):
            return
        if user in self.untrusted.reasons:
            self.untrusted.add(user, "", filename)
            return
        if user in self.trusted:
            return
        reason = await _trust(self.ctx, self.repo.org, self.repo.name, user)
        if reason is None:
            self.trusted.add(user)
        else:
            self.untrusted.add(user, reason, filename)


def _changed(
    changes: list[dict[str, Any]], settings: OwnersSettings
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The OWNERS files the PR adds or changes (outside denied folders, which Prow skips),
    and its change of the aliases file."""
    owners_name, aliases_name = filenames(settings)
    denied = [goregex.compile(pattern) for pattern in settings.dir_denylist or []]
    owners = [
        c
        for c in changes
        if str(c["filename"]).rsplit("/", 1)[-1] == owners_name
        and c.get("status") != "removed"
        and not any(d.search(parent(str(c["filename"]))) for d in denied)
    ]
    return owners, next((c for c in changes if c["filename"] == aliases_name), None)


async def handle(ctx: Context, repo: RepoRef, pull: PullRequest) -> list[Effect]:
    settings = ctx.config.owners or OwnersSettings()
    owners_name, aliases_name = filenames(settings)
    org, name, number = repo.org, repo.name, pull.number
    changes = await ctx.github.list_pull_changes(org, name, number)
    owners_changes, aliases_change = _changed(changes, settings)
    has_label = LABEL in await ctx.github.list_labels(org, name, number)
    if not owners_changes and aliases_change is None and not has_label:
        return []
    invalid = [] if has_label else [AddLabel(org, name, number, LABEL)]
    # Prow reads the PR merged into its base: the aliases file is the PR's when it changes
    # it, else the base branch's as it is now.
    ref = pull.head_sha if aliases_change is not None else pull.base_ref
    aliases_text = await ctx.github.get_file_text(org, name, aliases_name, ref)
    try:
        aliases = parse_aliases(aliases_text or "")
    except OwnersError:
        return [*invalid, Comment(org, name, number, f"The content of {aliases_name} is invalid.")]
    effects: list[Effect] = []
    if any(not members for members in aliases.values()):
        text = "There are empty aliases in OWNER_ALIASES, cleanup is advised."
        effects.append(Comment(org, name, number, text))
    checker = _Checker(ctx, repo, skip=bool(settings.skip_collaborators))
    if aliases_change is not None:
        patch = str(aliases_change.get("patch") or "")
        for user in sorted(frozenset().union(*aliases.values()) if aliases else ()):
            await checker.check(user, patch, aliases_name)
    problems: dict[str, Problem] = {}
    for change in owners_changes:
        path, patch = str(change["filename"]), str(change.get("patch") or "")
        text = await ctx.github.get_file_text(org, name, path, pull.head_sha) or ""
        problem, people = check_owners_file(
            path, text, patch, settings.labels_denylist or [], owners_name
        )
        if problem is not None:
            problems[path] = problem
        for user in people:
            if user.lower() not in aliases:
                await checker.check(user, patch, path)
    return effects + await _report(ctx, repo, pull, problems, checker.untrusted, invalid)


async def _report(
    ctx: Context,
    repo: RepoRef,
    pull: PullRequest,
    problems: dict[str, Problem],
    untrusted: Untrusted,
    invalid: list[AddLabel],
) -> list[Effect]:
    """The label, the review of invalid files, the untrusted users' comment (replacing an
    older one), or, when all is well, the label and that comment gone."""
    org, name, number = repo.org, repo.name, pull.number
    owners_name, _ = filenames(ctx.config.owners)
    trigger = ctx.config.trigger or TriggerSettings()
    join = trigger.join_org_url or f"https://github.com/orgs/{org}/people"
    header = UNTRUSTED.format(owners=owners_name, join=join, org=org)
    effects: list[Effect] = []
    if problems or untrusted.reasons:
        effects += invalid
    if problems:
        plural = "" if len(problems) == 1 else "s"
        reply = f"{len(problems)} invalid {owners_name} file{plural}"
        comments = tuple(ReviewComment(p, item.line, item.message) for p, item in problems.items())
        body = format_response_raw(pull.body, pull.html_url, pull.author, reply)
        effects.append(CreateReview(org, name, number, body, pull.head_sha, comments))
    if untrusted.reasons:
        effects += await _prune(ctx, repo, number, header)
        effects.append(Comment(org, name, number, untrusted.comment(org, join, owners_name)))
    if not problems and not untrusted.reasons:
        if not invalid:  # the label is there
            effects.append(RemoveLabel(org, name, number, LABEL))
        effects += await _prune(ctx, repo, number, header)
    return effects


async def _prune(ctx: Context, repo: RepoRef, number: int, header: str) -> list[Effect]:
    listed: list[dict[str, Any]] = await ctx.github.list_issue_comments(repo.org, repo.name, number)
    return [
        DeleteComment(repo.org, repo.name, int(item["id"]))
        for item in bot_comments(listed, ctx.bot, lambda body: header in body)
    ]


PLUGIN = Plugin(
    name="verify-owners",
    description="The verify-owners plugin validates OWNERS and OWNERS_ALIASES files (by "
    "default) and ensures that they always contain collaborators of the org, if they are "
    "modified in a PR. On validation failure it automatically adds the "
    f"'{LABEL}' label to the PR, and a review comment on the incriminating "
    "file(s). Per-repo configuration for filenames is possible.",
    config_help="PluginConfig spec.owners: owners_filename, owners_aliases_filename, "
    "labels_denylist, skip_collaborators; spec.trigger: only_org_members, trusted_apps, "
    "trusted_org, join_org_url.",
    events=("pull_request", "issue_comment", "pull_request_review", "pull_request_review_comment"),
    commands=(Command("/verify-owners", LABEL, ("/verify-owners",), "Anyone"),),
    on_pull_request=handle_pull_request,
    on_generic_comment=handle_generic_comment,
)
