# ruff: noqa: E501 - the table keeps Prow's strings whole
"""The assign plugin, with Prow's TestAssignAndReview table (pkg/plugins/assign/
assign_test.go) run against the HTTP fake GitHub: Prow's fake refuses "evil" as assignee
and requests reviews only of its contributors; here they are the repository's
collaborators (everyone in the table but "evil")."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bowsprit.clients.github import GitHubClient
from bowsprit.hook.effects import AssignIssue, RequestReview, UnassignIssue, UnrequestReview
from bowsprit.hook.plugins import assign
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.everyday_harness import comment, scene
from tests.hook.plugin_harness import FULL, ORG, apply, client, comments, context, fake, github

__all__ = ["client", "fake", "github"]  # fixtures

PEOPLE = [
    "rando",
    "fejta",
    "spxtr",
    "hello-world",
    "allow_underscore",
    "bert",
    "ernie",
    "ashitaka",
    "eboshi",
    "merlin",
    "cjwagner",
    "innocent",
    "san",
]
PEOPLE += [f"user{n}" for n in range(1, 14)]


@dataclass(frozen=True)
class Case:
    name: str
    body: str
    commenter: str
    assigned: list[str]
    unassigned: list[str]
    requested: list[str]
    unrequested: list[str]
    commented: bool


CASES = [
    Case("unrelated comment", "uh oh", "o", [], [], [], [], False),
    Case("assign on open", "/assign", "rando", ["rando"], [], [], [], False),
    Case("assign me", "/assign", "rando", ["rando"], [], [], [], False),
    Case("unassign myself", "/unassign", "rando", [], ["rando"], [], [], False),
    Case("tab completion", "/assign @fejta ", "rando", ["fejta"], [], [], [], False),
    Case("no @ works too", "/assign fejta", "rando", ["fejta"], [], [], [], False),
    Case(
        "multi commands",
        "/assign @fejta\n/unassign @spxtr",
        "rando",
        ["fejta"],
        ["spxtr"],
        [],
        [],
        False,
    ),
    Case(
        "interesting names",
        "/assign @hello-world @allow_underscore",
        "rando",
        ["hello-world", "allow_underscore"],
        [],
        [],
        [],
        False,
    ),
    Case("bad login", "/assign @Invalid$User", "rando", [], [], [], [], False),
    Case("bad login, no @", "/assign Invalid$User", "rando", [], [], [], [], False),
    Case("assign friends", "/assign @bert @ernie", "rando", ["bert", "ernie"], [], [], [], False),
    Case(
        "assign greater than 10 users",
        "/assign @user1 @user2 @user3 @user4 @user5 @user6 @user7 @user8 @user9 @user10 @user11 @user12 @user13",
        "rando",
        [
            "user12",
            "user13",
            "user6",
            "user1",
            "user11",
            "user2",
            "user3",
            "user4",
            "user5",
            "user10",
        ],
        [],
        [],
        [],
        True,
    ),
    Case(
        "unassign buddies",
        "/unassign @ashitaka @eboshi",
        "san",
        [],
        ["ashitaka", "eboshi"],
        [],
        [],
        False,
    ),
    Case(
        "unassign buddies, trailing space.",
        "/unassign @ashitaka @eboshi \r",
        "san",
        [],
        ["ashitaka", "eboshi"],
        [],
        [],
        False,
    ),
    Case("evil commenter", "/assign @merlin", "evil", ["merlin"], [], [], [], False),
    Case("evil commenter self assign", "/assign", "evil", [], [], [], [], True),
    Case(
        "evil assignee",
        "/assign @evil @evil @evil @evil @merlin",
        "innocent",
        ["merlin"],
        [],
        [],
        [],
        True,
    ),
    Case(
        "evil unassignee",
        "/unassign @evil @merlin",
        "innocent",
        [],
        ["evil", "merlin"],
        [],
        [],
        False,
    ),
    Case("review on open", "/cc @merlin", "rando", [], [], ["merlin"], [], False),
    Case("tab completion", "/cc @cjwagner ", "rando", [], [], ["cjwagner"], [], False),
    Case("no @ works too", "/cc cjwagner ", "rando", [], [], ["cjwagner"], [], False),
    Case(
        "multi commands",
        "/cc @cjwagner\n/uncc @spxtr",
        "rando",
        [],
        [],
        ["cjwagner"],
        ["spxtr"],
        False,
    ),
    Case(
        "interesting names",
        "/cc @hello-world @allow_underscore",
        "rando",
        [],
        [],
        ["hello-world", "allow_underscore"],
        [],
        False,
    ),
    Case("bad login", "/cc @Invalid$User", "rando", [], [], [], [], False),
    Case("bad login", "/cc Invalid$User", "rando", [], [], [], [], False),
    Case(
        "request multiple",
        "/cc @cjwagner @merlin",
        "rando",
        [],
        [],
        ["cjwagner", "merlin"],
        [],
        False,
    ),
    Case(
        "unrequest buddies",
        "/uncc @ashitaka @eboshi",
        "san",
        [],
        [],
        [],
        ["ashitaka", "eboshi"],
        False,
    ),
    Case("evil commenter", "/cc @merlin", "evil", [], [], ["merlin"], [], False),
    Case("evil reviewer requested", "/cc @evil @merlin", "innocent", [], [], ["merlin"], [], True),
    Case(
        "evil reviewer unrequested",
        "/uncc @evil @merlin",
        "innocent",
        [],
        [],
        [],
        ["evil", "merlin"],
        False,
    ),
    Case(
        "multi command types",
        "/assign @fejta\n/unassign @spxtr @cjwagner\n/uncc @merlin \n/cc @cjwagner",
        "rando",
        ["fejta"],
        ["spxtr", "cjwagner"],
        ["cjwagner"],
        ["merlin"],
        False,
    ),
    Case("request review self", "/cc", "cjwagner", [], [], ["cjwagner"], [], False),
    Case("unrequest review self", "/uncc", "cjwagner", [], [], [], ["cjwagner"], False),
    Case(
        "request review self, with unrequest friend, with trailing space.",
        "/cc \n/uncc @spxtr ",
        "cjwagner",
        [],
        [],
        ["cjwagner"],
        ["spxtr"],
        False,
    ),
    Case(
        "request team review",
        "/cc @kubernetes/sig-testing-misc",
        "rando",
        [],
        [],
        ["kubernetes/sig-testing-misc"],
        [],
        False,
    ),
    Case(
        "unrequest team review",
        "/uncc @kubernetes/sig-testing-misc",
        "rando",
        [],
        [],
        [],
        ["kubernetes/sig-testing-misc"],
        False,
    ),
]


def logins(effects: list[object], kind: type) -> list[str]:
    return sorted(login for e in effects if isinstance(e, kind) for login in e.logins)  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_assign_and_review(case: Case, github: FakeGitHub, client: GitHubClient) -> None:
    item = scene(github)
    for login in PEOPLE:
        github.add_collaborator(FULL, login)
    effects = await assign.handle_generic_comment(
        context(client, "assign"), comment(case.body, case.commenter, issue_author="")
    )
    await apply(client, list(effects))
    assert logins(effects, AssignIssue) == sorted(case.assigned)
    assert logins(effects, UnassignIssue) == sorted(case.unassigned)
    assert logins(effects, RequestReview) == sorted(case.requested)
    assert logins(effects, UnrequestReview) == sorted(case.unrequested)
    assert bool(comments(github)) is case.commented
    # What GitHub holds afterwards: the assignees, the users asked to review.
    assert sorted(item.assignees) == sorted(set(case.assigned) - set(case.unassigned))
    users = [login for login in case.requested if "/" not in login]
    assert sorted(item.requested_reviewers) == sorted(users)


async def test_errors_name_who_github_would_not_take(
    github: FakeGitHub, client: GitHubClient
) -> None:
    scene(github)
    github.add_collaborator(FULL, "merlin")
    effects = await assign.handle_generic_comment(
        context(client, "assign"), comment("/assign @evil @merlin\n/cc @evil @author", "innocent")
    )
    await apply(client, list(effects))
    first, second = comments(github)
    assert first.startswith(
        "@innocent: GitHub didn't allow me to assign the following users: evil.\n\n"
    )
    assert (
        f"only [{ORG} members](https://github.com/orgs/{ORG}/people) with read permissions" in first
    )
    assert second.startswith(
        "@innocent: GitHub didn't allow me to request PR reviews from the following users: evil, author."
    )
    assert "authors cannot review their own PRs." in second


async def test_commenters_can_be_assigned(github: FakeGitHub, client: GitHubClient) -> None:
    item = scene(github)
    github.add_comment(FULL, 1, "passerby", "I can take this")
    effects = await assign.handle_generic_comment(
        context(client, "assign"), comment("/assign @passerby", "innocent")
    )
    await apply(client, list(effects))
    assert item.assignees == ["passerby"]
    assert comments(github) == []


async def test_cc_is_for_pull_requests_only(github: FakeGitHub, client: GitHubClient) -> None:
    scene(github)
    github.add_collaborator(FULL, "merlin")
    effects = await assign.handle_generic_comment(
        context(client, "assign"), comment("/cc @merlin", "rando", is_pr=False)
    )
    assert effects == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("", []),
        (" @jungle", ["jungle"]),
        (" @erick @fejta", ["erick", "fejta"]),
        (" @kubernetes/sig-testing-misc", ["kubernetes/sig-testing-misc"]),
        (
            " @kubernetes/sig-testing-misc @kubernetes/sig-testing-bugs",
            ["kubernetes/sig-testing-misc", "kubernetes/sig-testing-bugs"],
        ),
    ],
)
def test_parse_logins(text: str, found: list[str]) -> None:
    """Prow's TestParseLogins."""
    assert assign.parse_logins(text) == found
