# ruff: noqa: E501 - the tables keep Prow's strings whole
"""The help, retitle and milestone plugins, with Prow's TestLabel (pkg/plugins/help/
help_test.go), TestHandleGenericComment (pkg/plugins/retitle/retitle_test.go) and
TestMilestoneStatus (pkg/plugins/milestone/milestone_test.go) tables, run against the
HTTP fake GitHub."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from bowsprit.api.pluginconfig import HelpSettings, MilestoneSettings, PluginConfig, RetitleSettings
from bowsprit.api.prowplugins import import_plugin_config
from bowsprit.clients.github import GitHubClient
from bowsprit.hook.plugins import help, milestone, retitle
from bowsprit.hook.plugins.respond import format_response_raw
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.everyday_harness import comment, scene
from tests.hook.plugin_harness import (
    FULL,
    ORG,
    added,
    apply,
    client,
    comments,
    context,
    deleted,
    fake,
    github,
    removed,
)

__all__ = ["client", "fake", "github"]  # fixtures


@dataclass(frozen=True)
class Case:
    name: str
    body: str
    labels: list[str]
    added: list[str]
    removed: list[str]
    is_pr: bool = False
    state: str = "open"
    action: str = "created"


HELP_CASES = [
    Case(
        "Ignore irrelevant comment",
        "irrelelvant",
        [],
        [],
        [],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case("Ignore a PR", "/help", [], [], [], is_pr=True, state="open", action="created"),
    Case(
        "Ignore a closed issue", "/help", [], [], [], is_pr=False, state="closed", action="created"
    ),
    Case(
        "Ignore a non-created comment",
        "/help",
        [],
        [],
        [],
        is_pr=False,
        state="open",
        action="edited",
    ),
    Case(
        "Want helpLabel",
        "/help",
        [],
        ["help wanted"],
        [],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want helpLabel, already have it.",
        "/help",
        ["help wanted"],
        [],
        [],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to remove helpLabel, have it",
        "/remove-help",
        ["help wanted"],
        [],
        ["help wanted"],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to remove helpLabel, don't have it",
        "/remove-help",
        [],
        [],
        [],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to remove helpLabel and goodFirstIssueLabel, have helpLabel and goodFirstIssueLabel",
        "/remove-help",
        ["help wanted", "good first issue"],
        [],
        ["help wanted", "good first issue"],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to add goodFirstIssueLabel and helpLabel, don't have both",
        "/good-first-issue",
        [],
        ["help wanted", "good first issue"],
        [],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to add goodFirstIssueLabel and helpLabel, don't have goodFirstIssueLabel but have helpLabel",
        "/good-first-issue",
        ["help wanted"],
        ["good first issue"],
        [],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to add goodFirstIssueLabel and helpLabel, have both",
        "/good-first-issue",
        ["help wanted", "good first issue"],
        [],
        [],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to remove goodFirstIssueLabel, have helpLabel and goodFirstIssueLabel",
        "/remove-good-first-issue",
        ["help wanted", "good first issue"],
        [],
        ["good first issue"],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to remove goodFirstIssueLabel, have goodFirstIssueLabel",
        "/remove-good-first-issue",
        ["good first issue"],
        [],
        ["good first issue"],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to remove goodFirstIssueLabel, have helpLabel but don't have goodFirstIssueLabel",
        "/remove-good-first-issue",
        ["help wanted"],
        [],
        [],
        is_pr=False,
        state="open",
        action="created",
    ),
    Case(
        "Want to remove goodFirstIssueLabel, but don't have it",
        "/remove-good-first-issue",
        [],
        [],
        [],
        is_pr=False,
        state="open",
        action="created",
    ),
]


@pytest.mark.parametrize("case", HELP_CASES, ids=lambda case: case.name)
async def test_help_labels(case: Case, github: FakeGitHub, client: GitHubClient) -> None:
    scene(github, labels=case.labels)
    event = replace(
        comment(case.body, "Alice", is_pr=case.is_pr, state=case.state), action=case.action
    )
    await apply(client, await help.handle_generic_comment(context(client, "help"), event))
    assert added(github) == sorted(case.added)
    assert removed(github) == sorted(case.removed)


async def test_help_comment_and_its_pruning(github: FakeGitHub, client: GitHubClient) -> None:
    scene(github)
    ctx = context(client, "help", help=HelpSettings(help_guidelines_summary="- be clear"))
    event = comment("/good-first-issue", "Alice", is_pr=False)
    await apply(client, await help.handle_generic_comment(ctx, event))
    (posted,) = comments(github)
    assert posted.startswith(
        "@Alice: \n\tThis request has been marked as suitable for new contributors.\n\n### Guidelines\n- be clear\n"
    )
    assert (
        "[here](https://git.k8s.io/community/contributors/guide/help-wanted.md#good-first-issue)"
        in posted
    )
    github.add_comment(FULL, 1, "Alice", "thanks")  # not the bot's: stays
    await apply(
        client,
        await help.handle_generic_comment(ctx, comment("/remove-help", "Alice", is_pr=False)),
    )
    assert removed(github) == ["good first issue", "help wanted"]
    assert len(deleted(github)) == 1


@dataclass(frozen=True)
class RetitleCase:
    name: str
    state: str
    allow_closed: bool
    action: str
    is_pr: bool
    body: str
    trusted: bool
    title: str
    reply: str


RETITLE_CASES = [
    RetitleCase(
        "when closed issues are not allowed, comment on closed issue is ignored",
        "closed",
        False,
        "created",
        False,
        "/retitle foobar",
        True,
        "",
        "",
    ),
    RetitleCase(
        "when closed issues are allowed, trusted user edits PR title on closed issue",
        "closed",
        True,
        "created",
        True,
        "/retitle foobar",
        True,
        "foobar",
        "",
    ),
    RetitleCase(
        "edited comment on open issue is ignored",
        "open",
        False,
        "edited",
        False,
        "/retitle foobar",
        True,
        "",
        "",
    ),
    RetitleCase(
        "new unrelated comment on open issue is ignored",
        "open",
        False,
        "created",
        False,
        "whatever else",
        True,
        "",
        "",
    ),
    RetitleCase(
        "new comment on open issue comments when user is not trusted",
        "open",
        False,
        "created",
        False,
        "/retitle foobar",
        False,
        "",
        "Re-titling can only be requested by trusted users, like repository collaborators.",
    ),
    RetitleCase(
        "new comment on open issue comments with no title",
        "open",
        False,
        "created",
        False,
        "/retitle     ",
        True,
        "",
        "Titles may not be empty.",
    ),
    RetitleCase(
        "new comment on open issue comments with a title with invalid keyword",
        "open",
        False,
        "created",
        False,
        "/retitle Fixes #9999",
        True,
        "",
        "Titles may not contain [keywords](https://help.github.com/articles/closing-issues-using-keywords) which can automatically close issues.",
    ),
    RetitleCase(
        "trusted user edits PR title",
        "open",
        False,
        "created",
        True,
        "/retitle foobar",
        True,
        "foobar",
        "",
    ),
    RetitleCase(
        "trusted user edits issue title",
        "open",
        False,
        "created",
        False,
        "/retitle foobar",
        True,
        "foobar",
        "",
    ),
    RetitleCase(
        "carriage return is stripped",
        "open",
        False,
        "created",
        False,
        "/retitle foobar\r",
        True,
        "foobar",
        "",
    ),
]


@pytest.mark.parametrize("case", RETITLE_CASES, ids=lambda case: case.name)
async def test_retitle(case: RetitleCase, github: FakeGitHub, client: GitHubClient) -> None:
    item = scene(github)
    before = item.title
    if case.trusted:
        github.add_member(ORG, "user")
    event = replace(
        comment(case.body, "user", is_pr=case.is_pr, state=case.state),
        action=case.action,
        html_url="",
    )
    ctx = context(client, "retitle", retitle=RetitleSettings(allow_closed_issues=case.allow_closed))
    await apply(client, await retitle.handle_generic_comment(ctx, event))
    assert item.title == (case.title or before)
    expected = [format_response_raw(case.body, "", "user", case.reply)] if case.reply else []
    assert comments(github) == expected


@dataclass(frozen=True)
class MilestoneCase:
    name: str
    body: str
    commenter: str
    previous: int
    expected: int
    no_repo_maintainer: bool = False


MILESTONE_CASES = [
    MilestoneCase(
        "Update the milestone when a sig-lead uses the command", "/milestone v1.0", "sig-lead", 0, 1
    ),
    MilestoneCase(
        "Don't update the milestone if a sig-lead enters an invalid milestone",
        "/milestone v2.0",
        "sig-lead",
        0,
        0,
    ),
    MilestoneCase(
        "Don't update the milestone when a sig-lead uses the command with an invalid milestone",
        "/milestone abc",
        "sig-lead",
        0,
        0,
    ),
    MilestoneCase(
        "Don't update the milestone if a sig-follow enters a valid milestone",
        "/milestone v1.0",
        "sig-follow",
        0,
        0,
    ),
    MilestoneCase(
        "Clear the milestone if a sig lead tries to clear", "/milestone clear", "sig-lead", 1, 0
    ),
    MilestoneCase(
        "Don't clear the milestone if a sig follow tries to clear",
        "/milestone clear",
        "sig-follow",
        10,
        10,
    ),
    MilestoneCase(
        "Multiline comment", "Foo\n/milestone v1.0\r\n/priority critical-urgent", "sig-lead", 10, 1
    ),
    MilestoneCase(
        "Use default maintainer team when none is specified",
        "Foo\n/milestone v1.0\r\n/priority critical-urgent",
        "default-sig-lead",
        10,
        1,
        True,
    ),
    MilestoneCase(
        "Don't use default maintainer team when one is specified",
        "Foo\n/milestone v1.0\r\n/priority critical-urgent",
        "default-sig-lead",
        10,
        10,
    ),
]
MILESTONES = {1: "v1.0", 10: "v0.10"}


def milestone_settings(no_repo_maintainer: bool) -> MilestoneSettings:
    """What `bowsprit convert` makes of Prow's repo_milestone in the test: the repository's
    entry, else the "" default."""
    document = {
        "plugins": {FULL: ["milestone"]},
        "repo_milestone": {"": {"maintainers_team": "admins"}},
    }
    if not no_repo_maintainer:
        document["repo_milestone"][FULL] = {"maintainers_team": "leads"}  # type: ignore[index]
    (converted,) = import_plugin_config(document).objects
    assert isinstance(converted, PluginConfig) and converted.spec.milestone is not None
    return converted.spec.milestone


@pytest.mark.parametrize("case", MILESTONE_CASES, ids=lambda case: case.name)
async def test_milestone(case: MilestoneCase, github: FakeGitHub, client: GitHubClient) -> None:
    item = scene(github)
    github.repos[FULL].milestones.update(MILESTONES)
    item.milestone = MILESTONES.get(case.previous)
    github.teams[(ORG, "leads")] = {"sig-lead"}
    github.teams[(ORG, "admins")] = {"default-sig-lead"}
    ctx = context(client, "milestone", milestone=milestone_settings(case.no_repo_maintainer))
    await apply(
        client, await milestone.handle_generic_comment(ctx, comment(case.body, case.commenter))
    )
    assert item.milestone == MILESTONES.get(case.expected)


async def test_milestone_replies(github: FakeGitHub, client: GitHubClient) -> None:
    scene(github)
    github.repos[FULL].milestones.update(MILESTONES)
    github.teams[(ORG, "leads")] = {"sig-lead"}
    settings = MilestoneSettings(maintainers_team="leads", maintainers_friendly_name="sig leads")
    ctx = context(client, "milestone", milestone=settings)
    await apply(
        client,
        await milestone.handle_generic_comment(ctx, comment("/milestone v1.0", "sig-follow")),
    )
    await apply(
        client, await milestone.handle_generic_comment(ctx, comment("/milestone v9", "sig-lead"))
    )
    refused, invalid = comments(github)
    assert (
        "You must be a member of the [org/leads](https://github.com/orgs/org/teams/leads/members) GitHub team to set the milestone."
        in refused
    )
    assert "please contact your sig leads and have them propose you" in refused
    assert (
        "Milestones in this repository: [`v0.10`, `v1.0`]\n\nUse `/milestone clear` to clear the milestone."
        in invalid
    )
