# ruff: noqa: E501 - the tables keep Prow's strings whole
"""The welcome, branchcleaner and mergecommitblocker plugins, with Prow's TestHandlePR
tables (pkg/plugins/welcome/welcome_test.go, pkg/plugins/branchcleaner/
branchcleaner_test.go) run against the HTTP fake GitHub."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bowsprit.api.pluginconfig import BranchCleanerSettings, TriggerSettings, WelcomeSettings
from bowsprit.api.prowplugins import import_plugin_config
from bowsprit.clients.github import GitHubClient
from bowsprit.hook.plugins import branchcleaner, mergecommitblocker, welcome
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.plugin_routes import push_commit
from tests.hook.everyday_harness import HEAD, pr_event, pull, scene
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

# Prow's testWelcomeTemplate, as a Go template: plain field references read the same.
TEMPLATE = "Welcome human! 🤖 {{.AuthorName}} {{.AuthorLogin}} {{.Repo}} {{.Org}}}"


@dataclass(frozen=True)
class WelcomeCase:
    name: str
    author: str
    number: int
    action: str
    always_post: bool
    only_org_members: bool
    comment: bool
    add_pr: bool = False
    bot: bool = False


WELCOME_CASES = [
    WelcomeCase("existing contributorA", "contributorA", 20, "opened", False, False, False),
    WelcomeCase("existing contributorB", "contributorB", 40, "opened", False, False, False),
    WelcomeCase(
        "existing contributor when it should greet everyone",
        "contributorB",
        40,
        "opened",
        True,
        False,
        True,
    ),
    WelcomeCase("new contributor", "newContributor", 50, "opened", False, False, True),
    WelcomeCase(
        "new contributor when it should greet everyone",
        "newContributor",
        50,
        "opened",
        True,
        False,
        True,
    ),
    WelcomeCase(
        "new contributor and API recorded PR already",
        "newContributor",
        50,
        "opened",
        False,
        False,
        True,
        add_pr=True,
    ),
    WelcomeCase(
        "new contributor, not PR open event", "newContributor", 50, "edited", False, False, False
    ),
    WelcomeCase(
        "new contributor, but is a bot", "robot", 500, "opened", False, False, False, bot=True
    ),
    WelcomeCase(
        "new contribution from the org member", "member", 101, "opened", False, False, False
    ),
    WelcomeCase("new contribution from collaborator", "collab", 102, "opened", False, False, False),
    WelcomeCase(
        "contribution from org member when it should greet everyone",
        "member",
        40,
        "opened",
        True,
        True,
        True,
    ),
]


@pytest.mark.parametrize("case", WELCOME_CASES, ids=lambda case: case.name)
async def test_welcome(case: WelcomeCase, github: FakeGitHub, client: GitHubClient) -> None:
    github.add_repo(ORG, "repo")
    for number, author in ((1, "contributorA"), (2, "contributorB"), (3, "contributorB")):
        github.add_pull(FULL, number, author, HEAD)
    github.add_member(ORG, "member")
    github.add_collaborator(FULL, "collab")
    # The PR exists to be commented on, so GitHub's search finds it: Prow's "API recorded
    # PR already" rule (only this PR: still a first one) is what every case goes through.
    github.add_pull(FULL, case.number, case.author, HEAD)
    settings = WelcomeSettings(message_template=TEMPLATE, always_post=case.always_post)
    trigger = TriggerSettings(only_org_members=case.only_org_members)
    ctx = context(client, "welcome", welcome=settings, trigger=trigger)
    event = pr_event(case.action, pull(case.number, case.author, author_is_bot=case.bot))
    await apply(client, await welcome.handle_pull_request(ctx, event))
    assert len(comments(github)) == (1 if case.comment else 0)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (None, "Welcome @newContributor! It looks like this is your first PR to org/repo 🎉"),
        (
            "Welcome @{{.AuthorLogin}}! It looks like this is your first PR to {{.Org}}/{{.Repo}} 🎉",
            "Welcome @newContributor! It looks like this is your first PR to org/repo 🎉",
        ),
        (
            "Hi {{ AuthorLogin }}{% if Org == 'org' %}, friend of org{% endif %}",
            "Hi newContributor, friend of org",
        ),
    ],
)
def test_welcome_messages(template: str | None, message: str) -> None:
    """Prow's default message, its Go form, and a Jinja template."""
    assert (
        welcome.render(template or welcome.DEFAULT_MESSAGE, ORG, "repo", "newContributor")
        == message
    )


def test_welcome_settings_are_matched_by_repos_as_prows() -> None:
    document = {
        "plugins": {"org/repo": ["welcome"], "org/other": ["welcome"]},
        "welcome": [
            {"repos": ["org/repo"], "message_template": "Hi repo", "always_post": True},
            {"repos": ["org"], "message_template": "Hi org"},
        ],
    }
    found = {o.spec.repos[0]: o.spec.welcome for o in import_plugin_config(document).objects}  # type: ignore[attr-defined]
    assert found["org/repo"] == WelcomeSettings(message_template="Hi repo", always_post=True)
    assert found["org/other"] == WelcomeSettings(message_template="Hi org")


@dataclass(frozen=True)
class CleanerCase:
    name: str
    action: str
    branch: str
    merged: bool
    head_repo: str = ""
    preserved: dict[str, list[str]] = field(default_factory=dict)
    deleted: bool = False


CLEANER_CASES = [
    CleanerCase("Opened PR nothing to do", "opened", "my-feature1", False),
    CleanerCase("Closed PR unmerged nothing to do", "closed", "my-feature2", False),
    CleanerCase(
        "PR from different repo nothing to do", "closed", "my-fix1", True, "different-org/repo"
    ),
    CleanerCase(
        "PR from same repo with preserved branch in repo",
        "closed",
        "betatest",
        True,
        "my-org/repo",
        {"my-org": ["release", "betatest"]},
    ),
    CleanerCase(
        "PR from same repo with preserved branch regex match",
        "closed",
        "betatest-1",
        True,
        "my-org/repo",
        {"my-org": ["release", "betatest-.*"]},
    ),
    CleanerCase(
        "PR from same repo without preserved branch regex match",
        "closed",
        "betatest1",
        True,
        "my-org/repo",
        {"my-org": ["release", "betatest-.*"]},
        True,
    ),
    CleanerCase(
        "PR from same repo with preserved branch in org",
        "closed",
        "betatest",
        True,
        "my-org/repo",
        {"my-org/repo": ["release", "betatest"]},
    ),
    CleanerCase(
        "PR from same repo with other repo preserved branch",
        "closed",
        "release",
        True,
        "my-org/repo",
        {"my-org/other-repo": ["release", "betatest"]},
        True,
    ),
    CleanerCase(
        "PR from same repo without preserved branch",
        "closed",
        "release",
        True,
        "my-org/repo",
        {},
        True,
    ),
    CleanerCase(
        "PR from same repo delete head ref", "closed", "my-chore1", True, "my-org/repo", {}, True
    ),
]


@pytest.mark.parametrize("case", CLEANER_CASES, ids=lambda case: case.name)
async def test_branchcleaner(case: CleanerCase, github: FakeGitHub, client: GitHubClient) -> None:
    """Prow's repository is my-org/repo; the preserved branches go through `bowsprit
    convert`'s reading of branch_cleaner, as a real plugins.yaml would."""
    github.add_repo("my-org", "repo", {"main": "a" * 40, case.branch: HEAD})
    document = {
        "plugins": {"my-org/repo": ["branchcleaner"]},
        "branch_cleaner": {"preserved_branches": case.preserved},
    }
    (converted,) = import_plugin_config(document).objects
    settings = converted.spec.branchcleaner  # type: ignore[attr-defined]
    ctx = context(client, "branchcleaner", branchcleaner=settings or BranchCleanerSettings())
    item = pull(
        head_ref=case.branch, merged=case.merged, head_repo=case.head_repo, base_repo="my-org/repo"
    )
    event = pr_event(case.action, item)
    event = type(event)(**{**event.__dict__, "repo": type(event.repo)("my-org", "repo")})
    await apply(client, await branchcleaner.handle_pull_request(ctx, event))
    assert (case.branch not in github.repos["my-org/repo"].branches) is case.deleted


async def test_branchcleaner_branch_already_gone(github: FakeGitHub, client: GitHubClient) -> None:
    """A branch someone deleted first: what was asked for holds, nothing fails."""
    github.add_repo(ORG, "repo")
    event = pr_event("closed", pull(merged=True, head_ref="gone"))
    await apply(
        client, await branchcleaner.handle_pull_request(context(client, "branchcleaner"), event)
    )


async def test_mergecommitblocker(github: FakeGitHub, client: GitHubClient) -> None:
    """Prow's handle: a merge commit adds the label and comment; once the PR's commits
    have none, the label goes and the bot's comment is pruned."""
    item = scene(github)
    push_commit(github, FULL, 1, "c" * 40, "Merge branch 'main' into feature")
    item.merge_commits.add("c" * 40)
    ctx = context(client, "mergecommitblocker")
    await apply(client, await mergecommitblocker.handle_pull_request(ctx, pr_event("opened")))
    assert added(github) == [mergecommitblocker.LABEL]
    (posted,) = comments(github)
    assert posted.startswith(mergecommitblocker.COMMENT + "\n\n<details>")
    await apply(client, await mergecommitblocker.handle_pull_request(ctx, pr_event("synchronize")))
    assert len(comments(github)) == 1  # already labelled: nothing more
    item.merge_commits.clear()
    await apply(client, await mergecommitblocker.handle_pull_request(ctx, pr_event("synchronize")))
    assert removed(github) == [mergecommitblocker.LABEL]
    assert len(deleted(github)) == 1  # the bot's comment
