# ruff: noqa: E501 - table rows kept one per line
"""Which events make approve decide (Prow's TestHandleGenericComment, TestHandleReview and
TestHandlePullRequest): a handled event reads the PR and posts the notification."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bowsprit.clients.github import GitHubClient
from bowsprit.hook.events import (
    GenericCommentEvent,
    PullRequestEvent,
    RepoRef,
    ReviewEvent,
    parse_pull,
)
from bowsprit.hook.plugins import approve
from bowsprit.testing.fakegithub import FakeGitHub, payloads
from tests.hook.owners.conftest import BOT, context

REPO = RepoRef("org", "repo")


def comment(body: str, author: str = "cjwagner", **fields: Any) -> GenericCommentEvent:
    event = GenericCommentEvent("g", "created", REPO, 5, True, body, author, "open", "author", "")
    return replace(event, **fields)


COMMENTS = [
    ("approve", comment("/approve"), {}, True),
    ("approve no-issue", comment("/approve no-issue"), {}, True),
    ("approve cancel", comment("/approve cancel"), {}, True),
    ("remove-approve", comment("/remove-approve"), {}, True),
    ("not a command", comment("looks good\n  /approve"), {}, False),
    ("edited comment", comment("/approve", action="edited"), {}, False),
    ("on an issue", comment("/approve", is_pr=False), {}, False),
    ("on a closed PR", comment("/approve", issue_state="closed"), {}, False),
    ("by the bot", comment("/approve", author=BOT), {}, False),
    ("lgtm without lgtm_acts_as_approve", comment("/lgtm"), {}, False),
    ("lgtm with lgtm_acts_as_approve", comment("/lgtm"), {"lgtm_acts_as_approve": True}, True),
]


@pytest.mark.parametrize(
    ("event", "settings", "handled"), [c[1:] for c in COMMENTS], ids=[c[0] for c in COMMENTS]
)
async def test_generic_comment(
    client: GitHubClient, event: GenericCommentEvent, settings: dict[str, Any], handled: bool
) -> None:
    effects = await approve.handle_generic_comment(
        context(client, "approve", approve=settings), event
    )
    assert bool(effects) is handled


def review(
    github: FakeGitHub, action: str, state: str, body: str = "", **fields: Any
) -> ReviewEvent:
    repo = github.repos["org/repo"]
    pull = parse_pull(payloads.pull(github.url, repo, repo.pulls[5]))
    return replace(
        ReviewEvent("g", action, REPO, pull, "cjwagner", False, state, body, ""), **fields
    )


REVIEWS = [
    ("approved state", "submitted", "APPROVED", "", {}, {}, True),
    ("changes requested state", "submitted", "CHANGES_REQUESTED", "", {}, {}, True),
    ("pending review state", "submitted", "PENDING", "", {}, {}, False),
    ("edited review", "edited", "APPROVED", "", {}, {}, False),
    ("dismissed review", "dismissed", "DISMISSED", "", {}, {}, True),
    ("approve command in the body", "submitted", "APPROVED", "/approve", {}, {}, False),
    ("ignore_review_state", "submitted", "APPROVED", "", {"ignore_review_state": True}, {}, False),
    ("by an app bot", "submitted", "APPROVED", "", {}, {"author_is_bot": True}, False),
    ("commented", "submitted", "COMMENTED", "", {}, {}, False),
]


@pytest.mark.parametrize(
    ("action", "state", "body", "settings", "fields", "handled"),
    [c[1:] for c in REVIEWS],
    ids=[c[0] for c in REVIEWS],
)
async def test_review(
    client: GitHubClient,
    github: FakeGitHub,
    action: str,
    state: str,
    body: str,
    settings: dict[str, Any],
    fields: dict[str, Any],
    handled: bool,
) -> None:
    event = review(github, action, state, body, **fields)
    effects = await approve.handle_review(context(client, "approve", approve=settings), event)
    assert bool(effects) is handled


PULLS = [
    ("pr opened", "opened", None, "human", "open", True),
    ("pr reopened", "reopened", None, "human", "open", True),
    ("pr sync", "synchronize", None, "human", "open", True),
    ("pr labeled", "labeled", "approved", "human", "open", True),
    ("pr labeled by the bot", "labeled", "approved", BOT, "open", False),
    ("pr another label", "labeled", "lgtm", "human", "open", False),
    ("pr closed", "labeled", "approved", "human", "closed", False),
    ("pr review requested", "review_requested", None, "human", "open", False),
]


@pytest.mark.parametrize(
    ("action", "label", "sender", "state", "handled"),
    [c[1:] for c in PULLS],
    ids=[c[0] for c in PULLS],
)
async def test_pull_request(
    client: GitHubClient,
    github: FakeGitHub,
    action: str,
    label: str | None,
    sender: str,
    state: str,
    handled: bool,
) -> None:
    repo = github.repos["org/repo"]
    pull = replace(parse_pull(payloads.pull(github.url, repo, repo.pulls[5])), state=state)
    event = PullRequestEvent("g", action, REPO, pull, sender, label, False)
    effects = await approve.handle_pull_request(context(client, "approve"), event)
    assert bool(effects) is handled
