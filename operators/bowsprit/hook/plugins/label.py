"""The label plugin: `/kind`, `/area`, `/priority`, `/sig`, ... and `/label`, with their
`/remove-` forms; additional_labels and restricted labels (Prow's pkg/plugins/label).

The decision (`decide`) is pure: the comment, the repository's and the item's labels,
and who may set which restricted label, in; effects out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bowsprit.api.pluginconfig import AssignOnLabel, LabelSettings, RestrictedLabel
from bowsprit.hook.effects import AddLabel, AssignIssue, Comment, Effect, RemoveLabel
from bowsprit.hook.events import GenericCommentEvent, PullRequestEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import SPACE, format_response_raw, without_html_comments

DEFAULT_LABELS = ("kind", "priority", "area")
NEEDS_LABELS = ("kind", "priority", "sig", "triage")  # needs-* labels kept in step
FAMILIES = "area|committee|kind|language|priority|sig|triage|wg"
LABEL_RE = re.compile(rf"(?m)^/({FAMILIES}){SPACE}*(.*?){SPACE}*$")
REMOVE_LABEL_RE = re.compile(rf"(?m)^/remove-({FAMILIES}){SPACE}*(.*?){SPACE}*$")
CUSTOM_LABEL_RE = re.compile(rf"(?m)^/label{SPACE}*(.*?){SPACE}*$")
CUSTOM_REMOVE_LABEL_RE = re.compile(rf"(?m)^/remove-label{SPACE}*(.*?){SPACE}*$")
TRIAGE_ACCEPTED = "triage/accepted"


def restricted_labels_for(
    settings: LabelSettings, org: str, repo: str
) -> dict[str, RestrictedLabel]:
    """Prow's Label.RestrictedLabelsFor: `*`, then the org, then org/repo; the same label
    in several scopes merges its users, teams and assign_on."""
    result: dict[str, RestrictedLabel] = {}
    scopes = settings.restricted_labels or {}
    for key in ("*", org, f"{org}/{repo}"):
        for item in scopes.get(key, []):
            name = item.label.lower()
            existing = result.get(name)
            if existing is None:
                result[name] = item
                continue
            assign_on = {each.label: each for each in existing.assign_on or []}
            assign_on.update({each.label: each for each in item.assign_on or []})
            result[name] = RestrictedLabel(
                label=existing.label,
                allowed_users=sorted(
                    {*(existing.allowed_users or []), *(item.allowed_users or [])}
                ),
                allowed_teams=sorted(
                    {*(existing.allowed_teams or []), *(item.allowed_teams or [])}
                ),
                assign_on=[AssignOnLabel(label=each.label) for each in assign_on.values()],
            )
    return result


def family_labels(matches: list[re.Match[str]]) -> list[str]:
    """`/kind bug feature` → kind/bug, kind/feature (Prow's getLabelsFromREMatches)."""
    found: list[str] = []
    for match in matches:
        for word in match.group(0).strip().split(" ")[1:]:
            found.append(f"{match.group(1)}/{word.strip()}".lower())
    return found


def custom_labels(
    matches: list[re.Match[str]], allowed: Callable[[str], bool], invalid: list[str]
) -> list[str]:
    """`/label x` for configured labels only (Prow's getLabelsFromGenericMatches)."""
    found: list[str] = []
    for match in matches:
        parts = match.group(0).strip().split(" ")
        if parts[0] not in ("/label", "/remove-label") or len(parts) != 2:
            continue
        if allowed(parts[1].lower()):
            found.append(parts[1].lower())
        else:
            invalid.append(match.group(0))
    return found


def has_commands(body: str) -> bool:
    return any(
        pattern.search(body)
        for pattern in (LABEL_RE, REMOVE_LABEL_RE, CUSTOM_LABEL_RE, CUSTOM_REMOVE_LABEL_RE)
    )


@dataclass(frozen=True)
class Wanted:
    add: list[str]
    remove: list[str]
    nonexistent: list[str] = field(default_factory=list)


def wanted(body: str, settings: LabelSettings, restricted: dict[str, RestrictedLabel]) -> Wanted:
    additional = {label.lower() for label in settings.additional_labels or []}

    def allowed(label: str) -> bool:
        return label.lower() in restricted or label.lower() in additional

    invalid: list[str] = []
    add = family_labels(list(LABEL_RE.finditer(body))) + custom_labels(
        list(CUSTOM_LABEL_RE.finditer(body)), allowed, invalid
    )
    remove = family_labels(list(REMOVE_LABEL_RE.finditer(body))) + custom_labels(
        list(CUSTOM_REMOVE_LABEL_RE.finditer(body)), allowed, invalid
    )
    return Wanted(add, remove, invalid)


def _with_category(labels: list[str], category: str) -> set[str]:
    return {label for label in labels if label.startswith(category + "/")}


def needs_labels(add: list[str], remove: list[str], issue: list[str], repo: set[str]) -> list[str]:
    """needs-<category> when every label of a category is being removed."""
    found: list[str] = []
    for category in NEEDS_LABELS:
        needs = f"needs-{category}"
        if needs not in repo:
            continue
        removed = _with_category(remove, category)
        if not removed or _with_category(add, category):
            continue
        if removed >= _with_category(issue, category):
            found.append(needs)
    return found


def cannot_set_reason(label: str, restricted: RestrictedLabel) -> str:
    """Prow's canUserSetLabel message. Prow shows up to 20 allowed users at random; these
    are the first 20 in order, so the same comment reads the same each time."""
    message = (
        f"The label(s) `{label}` cannot be applied or removed, because you are not in one "
        "of the allowed teams and are not an allowed user."
    )
    if restricted.allowed_teams:
        return (
            message
            + " Must be a member of one of these teams: "
            + ", ".join(restricted.allowed_teams)
        )
    if restricted.allowed_users:
        shown = list(restricted.allowed_users)[:20]
        return message + " Consider assigning one of the following members: " + ",".join(shown)
    return message


@dataclass
class Outcome:
    """What the label commands came to: effects, and what could not be done."""

    effects: list[Effect] = field(default_factory=list)
    missing_in_repo: list[str] = field(default_factory=list)
    not_on_issue: list[str] = field(default_factory=list)
    non_member_triage: bool = False


@dataclass(frozen=True)
class Request:
    """One label comment and what it is judged against."""

    org: str
    repo: str
    number: int
    author: str
    body: str
    html_url: str
    restricted: dict[str, RestrictedLabel]
    repo_labels: set[str]
    issue_labels: set[str]  # lower case

    def reply(self, message: str) -> Comment:
        body = format_response_raw(self.body, self.html_url, self.author, message)
        return Comment(self.org, self.repo, self.number, body)


async def _can_set(ctx: Context, request: Request, label: str) -> str | None:
    """None when the commenter may set the label, else why not (restricted labels)."""
    rule = request.restricted.get(label)
    if rule is None:
        return None
    if any(user.lower() == request.author.lower() for user in rule.allowed_users or []):
        return None
    for team in rule.allowed_teams or []:
        if await ctx.github.team_has_member(request.org, team, request.author):
            return None
    return cannot_set_reason(label, rule)


async def _adds(ctx: Context, request: Request, labels: list[str], outcome: Outcome) -> None:
    for label in labels:
        if label in request.issue_labels:
            continue
        if label not in request.repo_labels:
            outcome.missing_in_repo.append(label)
            continue
        if label == TRIAGE_ACCEPTED and not await ctx.github.is_member(request.org, request.author):
            outcome.non_member_triage = True
            continue
        reason = await _can_set(ctx, request, label)
        outcome.effects.append(
            request.reply(reason)
            if reason
            else AddLabel(request.org, request.repo, request.number, label)
        )


async def _removes(ctx: Context, request: Request, labels: list[str], outcome: Outcome) -> None:
    for label in labels:
        if label not in request.issue_labels:
            outcome.not_on_issue.append(label)
            continue
        if label not in request.repo_labels:
            continue
        reason = await _can_set(ctx, request, label)
        outcome.effects.append(
            request.reply(reason)
            if reason
            else RemoveLabel(request.org, request.repo, request.number, label)
        )


def final_reply(
    request: Request, outcome: Outcome, nonexistent: list[str], supported: list[str]
) -> Comment | None:
    """Prow answers with the first of these that applies."""
    if nonexistent:
        return request.reply(
            f"The label(s) `{', '.join(nonexistent)}` cannot be applied. These labels "
            f"are supported: `{', '.join(supported)}`. Is this label configured under "
            "`labels -> additional_labels` or `labels -> restricted_labels` in `plugin.yaml`?"
        )
    if outcome.missing_in_repo:
        return request.reply(
            f"The label(s) `{', '.join(outcome.missing_in_repo)}` cannot be applied, because "
            "the repository doesn't have them."
        )
    if outcome.not_on_issue:
        return request.reply(
            f"Those labels are not set on the issue: `{', '.join(outcome.not_on_issue)}`"
        )
    if outcome.non_member_triage:
        return request.reply(
            f"The label `{TRIAGE_ACCEPTED}` cannot be applied. Only GitHub organization "
            "members can add the label."
        )
    return None


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.action != "created":
        return []
    body = without_html_comments(event.body)
    if not has_commands(body):
        return []
    org, name, number = event.repo.org, event.repo.name, event.number
    settings = ctx.config.label or LabelSettings()
    restricted = restricted_labels_for(settings, org, name)
    repo_labels = {label.lower() for label in await ctx.github.list_repo_labels(org, name)}
    issue_labels = await ctx.github.list_labels(org, name, number)
    asked = wanted(body, settings, restricted)
    request = Request(
        org,
        name,
        number,
        event.author,
        body,
        event.html_url,
        restricted,
        repo_labels,
        {label.lower() for label in issue_labels},
    )
    outcome = Outcome()
    await _adds(
        ctx,
        request,
        asked.add + needs_labels(asked.add, asked.remove, issue_labels, repo_labels),
        outcome,
    )
    await _removes(ctx, request, asked.remove, outcome)
    supported = list(settings.additional_labels or []) + sorted(restricted)
    last = final_reply(request, outcome, asked.nonexistent, supported)
    return outcome.effects + ([last] if last else [])


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    """A label named in a restricted label's assign_on assigns its allowed users."""
    if event.action != "labeled" or event.label is None:
        return []
    org, name = event.repo.org, event.repo.name
    settings = ctx.config.label or LabelSettings()
    effects: list[Effect] = []
    for rule in restricted_labels_for(settings, org, name).values():
        for assign_on in rule.assign_on or []:
            if assign_on.label.lower() == event.label.lower() and rule.allowed_users:
                effects.append(AssignIssue(org, name, event.pull.number, tuple(rule.allowed_users)))
    return effects


def config_help(settings: LabelSettings | None) -> str:
    labels = list(DEFAULT_LABELS) + list((settings or LabelSettings()).additional_labels or [])
    quoted = [f'"{label}/*"' for label in labels]
    return f"The label plugin will work on {', '.join(quoted[:-1])} and {quoted[-1]} labels."


PLUGIN = Plugin(
    name="label",
    description="The label plugin provides commands that add or remove certain types of "
    "labels. Labels of the following types can be manipulated: 'area/*', 'committee/*', "
    "'kind/*', 'language/*', 'priority/*', 'sig/*', 'triage/*', and 'wg/*'. More labels can "
    "be configured to be used via the /label command. Restricted labels are only able to be "
    "added by the teams and users present in their configuration, and those users can be "
    "automatically assigned when another label is added using the assign_on config.",
    config_help=config_help(None)
    + " PluginConfig spec.label: additional_labels, restricted_labels.",
    events=(
        "issue_comment",
        "issues",
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
    ),
    commands=(
        Command(
            "/[remove-](area|committee|kind|language|priority|sig|triage|wg|label) <target>",
            "Applies or removes a label from one of the recognized types of labels.",
            (
                "/kind bug",
                "/remove-area prow",
                "/sig testing",
                "/language zh",
                "/label foo-bar-baz",
            ),
            "Anyone can trigger this command on issues and PRs. `triage/accepted` can only be "
            "added by org members. Restricted labels are only able to be added by teams and "
            "users in their configuration.",
        ),
    ),
    on_generic_comment=handle_generic_comment,
    on_pull_request=handle_pull_request,
)
