"""Prow's pkg/plugins/lgtm/lgtm_test.go tables (TestLGTMComment, TestLGTMFromApproveReview,
TestHandlePullRequest), on the fake GitHub through the real client; outcomes read from
the effects the plugin returns."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bowsprit.clients.github import GitHubClient
from bowsprit.hook.effects import AddLabel, AssignIssue, Comment, Effect, RemoveLabel, RequestReview
from bowsprit.hook.events import GenericCommentEvent, RepoRef, ReviewEvent, parse_pull
from bowsprit.hook.plugins import lgtm
from bowsprit.hook.plugins.respond import (
    ABOUT_THIS_BOT_WITHOUT_COMMANDS as ABOUT_THIS_BOT,
)
from bowsprit.hook.plugins.respond import format_response_raw
from bowsprit.testing.fakegithub import FakeGitHub, payloads
from bowsprit.testing.fakegithub.state import Label
from tests.hook.owners.conftest import BOT, context

REPO = RepoRef("org", "repo")


def comment(body: str, commenter: str) -> GenericCommentEvent:
    return GenericCommentEvent(
        "g",
        "created",
        REPO,
        5,
        True,
        body,
        commenter,
        "open",
        "author",
        "<url>",
        assignees=("collab1", "assignee1"),
    )


def outcome(effects: list[Effect]) -> tuple[bool, bool, bool, bool]:
    """(toggled, commented, assigned, requested) as Prow's test reads its fake."""
    toggled = any(isinstance(e, AddLabel | RemoveLabel) and e.label == "lgtm" for e in effects)
    return (
        toggled,
        any(isinstance(e, Comment) for e in effects),
        any(isinstance(e, AssignIssue) for e in effects),
        any(isinstance(e, RequestReview) for e in effects),
    )


# name, body, commenter, has lgtm, toggle, comment, assign, skip collaborators, request
LGTM_COMMENT = [
    ("non-lgtm comment", "uh oh", "collab2", False, False, False, False, False, False),
    ("lgtm by reviewer, no lgtm", "/lgtm", "collab1", False, True, True, False, False, False),
    ("LGTM by reviewer, no lgtm", "/LGTM", "collab1", False, True, True, False, False, False),
    ("lgtm by reviewer, lgtm on pr", "/lgtm", "collab1", True, False, False, False, False, False),
    ("lgtm by author", "/lgtm", "author", False, False, True, False, False, False),
    ("lgtm cancel by author", "/lgtm cancel", "author", True, True, False, False, False, True),
    ("remove lgtm by author", "/remove-lgtm", "author", True, True, False, False, False, True),
    ("lgtm by non-reviewer", "/lgtm", "collab2", False, True, True, True, False, False),
    ("trailing space", "/lgtm ", "collab2", False, True, True, True, False, False),
    ("no-issue", "/lgtm no-issue", "collab2", False, True, True, True, False, False),
    ("no-issue, trailing", "/lgtm no-issue \r", "collab2", False, True, True, True, False, False),
    ("lgtm by rando", "/lgtm", "not-in-the-org", False, False, True, False, False, False),
    ("cancel by non-reviewer", "/lgtm cancel", "collab2", True, True, False, True, False, True),
    ("remove by non-reviewer", "/remove-lgtm", "collab2", True, True, False, True, False, True),
    ("cancel by rando", "/lgtm cancel", "not-in-the-org", True, False, True, False, False, False),
    ("remove by rando", "/remove-lgtm", "not-in-the-org", True, False, True, False, False, False),
    ("cancel by reviewer", "/lgtm cancel", "collab1", True, True, False, False, False, True),
    ("remove by reviewer", "/remove-lgtm", "collab1", True, True, False, False, False, True),
    ("cancel, trailing", "/lgtm cancel \r", "collab1", True, True, False, False, False, True),
    ("remove, trailing", "/remove-lgtm \r", "collab1", True, True, False, False, False, True),
    ("cancel, no lgtm", "/lgtm cancel", "collab1", False, False, False, False, False, False),
    ("remove, no lgtm", "/remove-lgtm", "collab1", False, False, False, False, False, False),
    ("based off OWNERS only", "/lgtm", "sam", False, True, True, False, True, False),
    ("assignee, not collab", "/lgtm", "assignee1", False, False, True, False, False, False),
]


@pytest.mark.parametrize(
    ("body", "commenter", "has", "toggle", "commented", "assign", "skip", "requested"),
    [case[1:] for case in LGTM_COMMENT],
    ids=[case[0] for case in LGTM_COMMENT],
)
async def test_lgtm_comment(
    client: GitHubClient,
    github: FakeGitHub,
    body: str,
    commenter: str,
    has: bool,
    toggle: bool,
    commented: bool,
    assign: bool,
    skip: bool,
    requested: bool,
) -> None:
    if has:
        github.repos["org/repo"].pulls[5].labels.append(Label("lgtm"))
    spec = {"lgtm": {"store_tree_hash": True}, "owners": {"skip_collaborators": skip}}
    ctx = context(client, "lgtm", **spec)
    effects = await lgtm.handle_generic_comment(ctx, comment(body, commenter))
    assert outcome(effects) == (toggle, commented, assign, requested)


def test_refusals_quote_the_comment_as_prow_does() -> None:
    """Prow's plugins.FormatResponseRaw."""
    assert format_response_raw("/lgtm", "<url>", "author", "you cannot LGTM your own PR.") == (
        "@author: you cannot LGTM your own PR.\n\n<details>\n\nIn response to [this](<url>):\n\n"
        ">/lgtm\n\n\n" + ABOUT_THIS_BOT + "\n</details>"
    )


def review(
    github: FakeGitHub,
    state: str,
    author: str,
    body: str = "",
    action: str = "submitted",
    bot: bool = False,
) -> ReviewEvent:
    repo = github.repos["org/repo"]
    pull = parse_pull(payloads.pull(github.url, repo, repo.pulls[5]))
    pull = replace(pull, assignees=("collab1", "assignee1"))
    return ReviewEvent("g", action, REPO, pull, author, bot, state, body, "<url>")


# TestLGTMFromApproveReview: name, state, action, body, reviewer, bot, has lgtm,
# toggle, comment, assign, store_tree_hash
FROM_REVIEW = [
    (
        "edit approve, no lgtm",
        "APPROVED",
        "edited",
        "",
        "collab1",
        False,
        False,
        False,
        False,
        False,
        True,
    ),
    (
        "dismiss approve, no lgtm",
        "APPROVED",
        "dismissed",
        "",
        "collab1",
        False,
        False,
        False,
        False,
        False,
        True,
    ),
    (
        "request changes, no lgtm",
        "CHANGES_REQUESTED",
        "submitted",
        "",
        "collab1",
        False,
        False,
        False,
        False,
        False,
        False,
    ),
    (
        "request changes, lgtm",
        "CHANGES_REQUESTED",
        "submitted",
        "",
        "collab1",
        False,
        True,
        True,
        False,
        False,
        False,
    ),
    (
        "approve, no lgtm",
        "APPROVED",
        "submitted",
        "",
        "collab1",
        False,
        False,
        True,
        True,
        False,
        True,
    ),
    (
        "approve, no lgtm, no tree hash",
        "APPROVED",
        "submitted",
        "",
        "collab1",
        False,
        False,
        True,
        False,
        False,
        False,
    ),
    (
        "approve, lgtm",
        "APPROVED",
        "submitted",
        "",
        "collab1",
        False,
        True,
        False,
        False,
        False,
        False,
    ),
    (
        "approve by non-reviewer",
        "APPROVED",
        "submitted",
        "",
        "collab2",
        False,
        False,
        True,
        True,
        True,
        True,
    ),
    (
        "request changes by non-reviewer",
        "CHANGES_REQUESTED",
        "submitted",
        "",
        "collab2",
        False,
        False,
        False,
        False,
        True,
        False,
    ),
    (
        "approve by rando",
        "APPROVED",
        "submitted",
        "",
        "not-in-the-org",
        False,
        False,
        False,
        True,
        False,
        False,
    ),
    (
        "comment review by author",
        "COMMENTED",
        "submitted",
        "",
        "author",
        False,
        False,
        False,
        False,
        False,
        False,
    ),
    (
        "/lgtm on comment review",
        "COMMENTED",
        "submitted",
        "/lgtm",
        "collab1",
        False,
        False,
        False,
        False,
        False,
        False,
    ),
    (
        "/lgtm cancel on approve review",
        "APPROVED",
        "submitted",
        "/lgtm cancel",
        "collab1",
        False,
        False,
        False,
        False,
        False,
        False,
    ),
    (
        "request changes by app bot",
        "CHANGES_REQUESTED",
        "submitted",
        "",
        "some-app[bot]",
        True,
        True,
        False,
        False,
        False,
        False,
    ),
]


@pytest.mark.parametrize(
    ("state", "action", "body", "reviewer", "bot", "has", "toggle", "commented", "assign", "store"),
    [case[1:] for case in FROM_REVIEW],
    ids=[case[0] for case in FROM_REVIEW],
)
async def test_lgtm_from_approve_review(
    client: GitHubClient,
    github: FakeGitHub,
    state: str,
    action: str,
    body: str,
    reviewer: str,
    bot: bool,
    has: bool,
    toggle: bool,
    commented: bool,
    assign: bool,
    store: bool,
) -> None:
    if has:
        github.repos["org/repo"].pulls[5].labels.append(Label("lgtm"))
    spec = {"lgtm": {"review_acts_as_lgtm": True, "store_tree_hash": store}}
    event = review(github, state, reviewer, body, action, bot)
    effects = await lgtm.handle_review(context(client, "lgtm", **spec), event)
    toggled, said, assigned, _ = outcome(effects)
    assert (toggled, said, assigned) == (toggle, commented, assign)


async def test_reviews_are_ignored_without_review_acts_as_lgtm(
    client: GitHubClient, github: FakeGitHub
) -> None:
    event = review(github, "APPROVED", "collab1")
    assert await lgtm.handle_review(context(client, "lgtm"), event) == []


def synchronize(github: FakeGitHub, labels: list[str]) -> lgtm.PullRequestEvent:
    repo = github.repos["org/repo"]
    pull = parse_pull(payloads.pull(github.url, repo, repo.pulls[5]))
    return lgtm.PullRequestEvent(
        "g", "synchronize", REPO, replace(pull, labels=tuple(labels)), "author", None, False
    )


async def test_push_removes_lgtm_and_says_so(client: GitHubClient, github: FakeGitHub) -> None:
    """TestHandlePullRequest: a synchronize on a PR with lgtm removes it, with Prow's comment."""
    effects = await lgtm.handle_pull_request(context(client, "lgtm"), synchronize(github, ["lgtm"]))
    assert effects == [
        RemoveLabel("org", "repo", 5, "lgtm"),
        Comment("org", "repo", 5, "New changes are detected. LGTM label has been removed."),
    ]
    assert await lgtm.handle_pull_request(context(client, "lgtm"), synchronize(github, [])) == []


async def test_push_with_the_same_tree_keeps_lgtm(client: GitHubClient, github: FakeGitHub) -> None:
    """store_tree_hash: the tree hash the bot recorded with lgtm equals the new head's."""
    tree = await client.get_commit_tree_sha(
        "org", "repo", github.repos["org/repo"].pulls[5].head_sha
    )
    github.add_comment("org/repo", 5, BOT, lgtm.ADDED_NOTIFICATION.format(tree))
    ctx = context(client, "lgtm", lgtm={"store_tree_hash": True})
    assert await lgtm.handle_pull_request(ctx, synchronize(github, ["lgtm"])) == []
    github.repos["org/repo"].pulls[5].comments[-1].body = lgtm.ADDED_NOTIFICATION.format("other")
    effects = await lgtm.handle_pull_request(ctx, synchronize(github, ["lgtm"]))
    assert RemoveLabel("org", "repo", 5, "lgtm") in effects


async def test_sticky_lgtm_team(client: GitHubClient, github: FakeGitHub) -> None:
    github.git.add_team("org", "trusted", "author")
    ctx = context(client, "lgtm", lgtm={"trusted_team_for_sticky_lgtm": "trusted"})
    assert await lgtm.handle_pull_request(ctx, synchronize(github, ["lgtm"])) == []


async def test_an_edited_tree_hash_comment_is_not_trusted(
    client: GitHubClient, github: FakeGitHub
) -> None:
    """TestHandlePullRequest "same tree-hash, keep label, edited comment": only a comment
    never edited since the bot wrote it vouches for the tree."""
    tree = await client.get_commit_tree_sha(
        "org", "repo", github.repos["org/repo"].pulls[5].head_sha
    )
    note = github.add_comment("org/repo", 5, BOT, lgtm.ADDED_NOTIFICATION.format(tree))
    note.updated_at = "2030-01-01T00:00:00Z"
    ctx = context(client, "lgtm", lgtm={"store_tree_hash": True})
    effects = await lgtm.handle_pull_request(ctx, synchronize(github, ["lgtm"]))
    assert RemoveLabel("org", "repo", 5, "lgtm") in effects


async def test_the_newest_tree_hash_comment_counts(
    client: GitHubClient, github: FakeGitHub
) -> None:
    """TestHandlePullRequest "2 tree-hash comments, keep label"."""
    tree = await client.get_commit_tree_sha(
        "org", "repo", github.repos["org/repo"].pulls[5].head_sha
    )
    github.add_comment("org/repo", 5, BOT, lgtm.ADDED_NOTIFICATION.format("old"))
    github.add_comment("org/repo", 5, BOT, lgtm.ADDED_NOTIFICATION.format(tree))
    ctx = context(client, "lgtm", lgtm={"store_tree_hash": True})
    assert await lgtm.handle_pull_request(ctx, synchronize(github, ["lgtm"])) == []


@pytest.mark.parametrize(
    ("team", "sticky"),
    [("Leads", True), ("Committers", False), (None, False)],
    ids=["trusted team", "other team", "disabled"],
)
async def test_sticky_lgtm_only_for_the_trusted_team(
    client: GitHubClient, github: FakeGitHub, team: str | None, sticky: bool
) -> None:
    """TestHandlePullRequest's sticky-LGTM cases: the author is in Leads."""
    github.git.add_team("org", "Leads", "author")
    github.git.add_team("org", "Committers", "someone")
    ctx = context(client, "lgtm", lgtm={"trusted_team_for_sticky_lgtm": team})
    effects = await lgtm.handle_pull_request(ctx, synchronize(github, ["lgtm"]))
    assert (effects == []) is sticky


async def test_other_pull_request_actions_do_nothing(
    client: GitHubClient, github: FakeGitHub
) -> None:
    """TestHandlePullRequest "pr_assigned"."""
    event = replace(synchronize(github, ["lgtm"]), action="assigned")
    assert await lgtm.handle_pull_request(context(client, "lgtm"), event) == []
