"""The require-matching-label plugin: a pull request with no label matching a rule's
regexp gets the rule's missing_label (and comment); it goes when a matching label comes
(Prow's pkg/plugins/require-matching-label): on pull request and issue events (opened,
reopened, labeled, unlabeled) and on /check-required-labels."""

from __future__ import annotations

import re

from bowsprit.api.pluginconfig import RequireMatchingLabelSettings
from bowsprit.hook.effects import AddLabel, Comment, Effect, PruneComments, RemoveLabel
from bowsprit.hook.events import GenericCommentEvent, IssueEvent, PullRequestEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import SPACE, format_simple_response
from bowsprit.lib import goregex

PR_ACTIONS = ("opened", "reopened", "labeled", "unlabeled")
ISSUE_ACTIONS = PR_ACTIONS  # Prow's handleIssueActions
CHECK_RE = re.compile(rf"(?mi)^/check-required-labels{SPACE}*$")


def applies(
    rule: RequireMatchingLabelSettings, org: str, repo: str, branch: str, label: str
) -> bool:
    """Prow's matchingConfigs for one rule; branch "" means an issue. A rule without an
    org applies to the orgs its PluginConfig names (the dispatcher already chose it)."""
    if (branch == "" and not rule.issues) or (branch != "" and not rule.prs):
        return False
    if rule.org is not None and rule.org != org:
        return False
    if rule.repo and rule.repo != repo:
        return False
    if rule.branch and branch and rule.branch != branch:
        return False
    return not label or bool(goregex.compile(rule.regexp).search(label))


def decide(
    rules: list[RequireMatchingLabelSettings],
    org: str,
    repo: str,
    number: int,
    labels: list[str],
    bot: str,
) -> list[Effect]:
    effects: list[Effect] = []
    for rule in rules:
        has_missing = rule.missing_label in labels
        has_matching = any(goregex.compile(rule.regexp).search(label) for label in labels)
        if has_matching and has_missing:
            effects.append(RemoveLabel(org, repo, number, rule.missing_label))
            if rule.missing_comment:
                effects.append(PruneComments(org, repo, number, bot, rule.missing_comment))
        elif not has_matching and not has_missing:
            effects.append(AddLabel(org, repo, number, rule.missing_label))
            if rule.missing_comment:
                body = format_simple_response(rule.missing_comment)
                effects.append(Comment(org, repo, number, body))
    return effects


def evaluate(
    rules: list[RequireMatchingLabelSettings],
    org: str,
    repo: str,
    number: int,
    branch: str,
    label: str,
    labels: list[str],
    bot: str,
) -> list[Effect]:
    """Prow's handle once the labels are known: the rules that apply, then each one's
    decision."""
    chosen = [rule for rule in rules if applies(rule, org, repo, branch, label)]
    return decide(chosen, org, repo, number, labels, bot)


async def _handle(
    ctx: Context,
    org: str,
    repo: str,
    number: int,
    branch: str,
    label: str,
    current: tuple[str, ...] | None = None,
) -> list[Effect]:
    """`current`: the labels the webhook carries (issue events), used as they are for a
    label event; otherwise, and after the grace period, the labels are read afresh."""
    rules = [
        rule
        for rule in ctx.config.require_matching_label or []
        if applies(rule, org, repo, branch, label)
    ]
    if not rules:
        return []
    if not label:  # opened or reopened: give other automation time to label first
        await ctx.sleep(max(rule.grace_period.total_seconds() for rule in rules))
        current = None  # stale now
    labels = (
        list(current) if current is not None else await ctx.github.list_labels(org, repo, number)
    )
    return decide(rules, org, repo, number, labels, ctx.bot)


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in PR_ACTIONS:
        return []
    repo = event.repo
    return await _handle(
        ctx, repo.org, repo.name, event.pull.number, event.pull.base_ref, event.label or ""
    )


async def handle_issue(ctx: Context, event: IssueEvent) -> list[Effect]:
    """Prow's handleIssue: an issue is the empty branch; a label event's labels come from
    the webhook."""
    if event.action not in ISSUE_ACTIONS:
        return []
    repo = event.repo
    return await _handle(
        ctx, repo.org, repo.name, event.number, "", event.label or "", event.labels
    )


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.issue_state != "open" or event.action != "created":
        return []
    if not CHECK_RE.search(event.body):
        return []
    repo = event.repo
    branch = ""
    if event.is_pr:
        pull = await ctx.github.get_pull(repo.org, repo.name, event.number)
        branch = str(pull["base"]["ref"])
    return await _handle(ctx, repo.org, repo.name, event.number, branch, "")


def describe(rule: RequireMatchingLabelSettings) -> str:
    """Prow's RequireMatchingLabel.Describe."""
    text = f"Applies the '{rule.missing_label}' label "
    text += "to " if not rule.missing_comment else "and comments on "
    if rule.issues:
        text += "Issues "
        if rule.prs:
            text += "and "
    if rule.prs:
        if rule.branch:
            text += f"'{rule.branch}' branch "
        text += "PRs "
    if not rule.repo:
        text += f"in the '{rule.org or '*'}' GitHub org "
    else:
        text += f"in the '{rule.org or '*'}/{rule.repo}' GitHub repo "
    return text + f"that have no labels matching the regular expression '{rule.regexp}'."


PLUGIN = Plugin(
    name="require-matching-label",
    description="The require-matching-label plugin is a configurable plugin that applies a "
    "label to issues and/or PRs that do not have any labels matching a regular expression. An "
    "example of this is applying a 'needs-sig' label to all issues that do not have a 'sig/*' "
    "label. This plugin can have multiple configurations to provide this kind of behavior for "
    "multiple different label sets. The configuration allows issue type, PR branch, and an "
    "optional explanation comment to be specified.",
    config_help="PluginConfig spec.require_matching_label: a list of rules (org, repo, "
    "branch, prs, issues, regexp, missing_label, missing_comment, grace_period).",
    events=("pull_request", "issues", "issue_comment", "pull_request_review"),
    commands=(
        Command(
            "/check-required-labels",
            "Checks for required labels.",
            ("/check-required-labels",),
            "Anyone",
            True,
        ),
    ),
    on_pull_request=handle_pull_request,
    on_generic_comment=handle_generic_comment,
    on_issue=handle_issue,
)
