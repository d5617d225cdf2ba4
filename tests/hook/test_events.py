"""Webhook payloads to typed events: every real sample, and payloads of the wrong shape."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bowsprit.hook import events
from bowsprit.testing.fakegithub import webhook_samples

SAMPLES = list(webhook_samples())
HANDLED = {
    "pull_request",
    "issue_comment",
    "pull_request_review",
    "pull_request_review_comment",
    "push",
    "issues",
}


def sample(event: str, name: str) -> dict[str, Any]:
    found = next(s for s in SAMPLES if s.event == event and s.name == name)
    loaded: dict[str, Any] = json.loads(found.body)
    return loaded


@pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures")
@pytest.mark.parametrize("item", SAMPLES, ids=[f"{s.event}/{s.name}" for s in SAMPLES])
def test_every_sample_parses(item: Any) -> None:
    payload = json.loads(item.body)
    parsed = events.parse(item.event, "guid-1", payload)
    if item.event not in HANDLED:
        assert parsed == []
        return
    for event in parsed:
        # Every sample is of Codertocat/Hello-World but the transferred issue's.
        full_name = payload["repository"]["full_name"]
        assert event.guid == "guid-1" and event.repo.full_name == full_name


def test_pull_request_fields() -> None:
    event, body = events.parse("pull_request", "g", sample("pull_request", "opened.payload"))
    assert isinstance(event, events.PullRequestEvent)
    pull = event.pull
    assert (event.action, event.sender, pull.number, pull.author) == (
        "opened",
        "Codertocat",
        2,
        "Codertocat",
    )
    assert pull.base_ref == "master" and pull.head_ref == "changes"
    assert pull.head_sha.startswith("ec26c3e5") and pull.labels == ("bug",)
    assert pull.draft is False and pull.mergeable is None
    assert pull.html_url == "https://github.com/Codertocat/Hello-World/pull/2"
    # The body of an opened PR reads as a new comment by its author (Prow's rule).
    assert isinstance(body, events.GenericCommentEvent)
    assert (body.action, body.is_pr, body.number, body.author) == ("created", True, 2, "Codertocat")
    assert body.body == pull.body and body.body.startswith("This is a pretty simple change")


@pytest.mark.parametrize(
    ("event", "name", "kinds"),
    [
        ("pull_request", "opened.with-null-body", ["PullRequestEvent"]),
        ("pull_request", "closed.payload", ["PullRequestEvent"]),
        ("issues", "opened.payload", ["IssueEvent", "GenericCommentEvent"]),
        ("issues", "opened.with-empty-body.payload", ["IssueEvent"]),
        ("issues", "edited.payload", ["IssueEvent", "GenericCommentEvent"]),
        ("issues", "assigned.payload", ["IssueEvent"]),
        ("ping", "payload", []),
    ],
    ids=["null-body", "closed", "issue-opened", "empty-issue", "issue-edited", "assigned", "ping"],
)
def test_which_events_a_webhook_holds(event: str, name: str, kinds: list[str]) -> None:
    parsed = events.parse(event, "g", sample(event, name))
    assert [type(item).__name__ for item in parsed] == kinds


def test_an_issue_body_is_a_comment_not_on_a_pr() -> None:
    _, body = events.parse("issues", "g", sample("issues", "opened.payload"))
    assert isinstance(body, events.GenericCommentEvent)
    assert (body.action, body.is_pr, body.number) == ("created", False, 1)


@pytest.mark.parametrize(
    ("name", "action", "label", "labels"),
    [
        ("opened.payload", "opened", None, ("bug",)),
        ("labeled.payload", "labeled", "bug", ("bug",)),
        ("unlabeled.payload", "unlabeled", "bug", ("bug",)),  # as octokit's sample has it
        ("assigned.payload", "assigned", None, ("bug",)),
    ],
)
def test_issue_events_carry_the_label_and_the_labels(
    name: str, action: str, label: str | None, labels: tuple[str, ...]
) -> None:
    # Prow's IssueEvent: Label is the changed one, Issue.Labels the labels after the change.
    issue, *_ = events.parse("issues", "g", sample("issues", name))
    assert isinstance(issue, events.IssueEvent)
    assert (issue.action, issue.label, issue.labels) == (action, label, labels)
    assert (issue.number, issue.is_pr, issue.author, issue.sender) == (
        1,
        False,
        "Codertocat",
        "Codertocat",
    )
    assert issue.state == "open" and issue.repo.full_name == "Codertocat/Hello-World"


def test_comments_reviews_and_review_comments_are_generic_comments() -> None:
    (comment,) = events.parse("issue_comment", "g", sample("issue_comment", "created.payload"))
    assert isinstance(comment, events.GenericCommentEvent)
    assert (comment.is_pr, comment.number, comment.author) == (False, 1, "Codertocat")
    review, submitted = events.parse(
        "pull_request_review", "g", sample("pull_request_review", "submitted.payload")
    )
    assert isinstance(submitted, events.ReviewEvent)  # and the review itself, for its state
    assert (submitted.action, submitted.state, submitted.pull.number) == (
        "submitted",
        "COMMENTED",
        2,
    )
    assert isinstance(review, events.GenericCommentEvent)
    assert (review.action, review.is_pr, review.number, review.body) == ("created", True, 2, "")
    (inline,) = events.parse(
        "pull_request_review_comment", "g", sample("pull_request_review_comment", "created.payload")
    )
    assert isinstance(inline, events.GenericCommentEvent)
    assert inline.body.startswith("Maybe you should use more emoji")


def test_push_fields() -> None:
    (push,) = events.parse("push", "g", sample("push", "with-new-branch.payload"))
    assert isinstance(push, events.PushEvent)
    assert (push.branch, push.deleted, push.changed_files) == ("master", False, ("README.md",))
    (tag,) = events.parse("push", "g", sample("push", "payload"))
    assert isinstance(tag, events.PushEvent) and tag.deleted and tag.branch == "simple-tag"


def _set(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    *parents, last = path.split(".")
    target: Any = changed
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return changed


@pytest.mark.parametrize(
    ("event", "name", "path", "value"),
    [
        ("pull_request", "opened.payload", "pull_request.number", "2"),
        ("pull_request", "opened.payload", "pull_request.number", True),
        ("pull_request", "opened.payload", "pull_request.head", None),
        ("pull_request", "opened.payload", "pull_request.head.sha", 12),
        ("pull_request", "opened.payload", "pull_request.labels", [{"name": 1}]),
        ("pull_request", "opened.payload", "pull_request.labels", "bug"),
        ("pull_request", "opened.payload", "pull_request.draft", "no"),
        ("pull_request", "opened.payload", "repository", KeyError),
        ("pull_request", "opened.payload", "repository.owner", []),
        ("pull_request", "opened.payload", "action", None),
        ("issue_comment", "created.payload", "comment.user", "me"),
        ("issue_comment", "created.payload", "issue.number", 1.5),
        ("push", "with-new-branch.payload", "commits", {}),
        ("push", "with-new-branch.payload", "ref", None),
        ("pull_request_review", "submitted.payload", "review", KeyError),
        ("pull_request", "opened.payload", "pull_request.body", 3),
        ("issues", "opened.payload", "issue.body", ["x"]),
        ("issues", "opened.payload", "issue.number", None),
        ("issues", "labeled.payload", "label.name", 5),
        ("issues", "labeled.payload", "issue.labels", [{"name": 1}]),
    ],
    ids=lambda value: str(value) if not isinstance(value, list | dict) else type(value).__name__,
)
def test_wrong_shapes_are_bad_payloads(event: str, name: str, path: str, value: Any) -> None:
    # The message names the field at fault (top-level ones as payload.<key>).
    field = path if "." in path else f"payload.{path}"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        field = f"{path}[].name"  # a label's name inside the list
    with pytest.raises(events.BadPayload, match=f"^{re.escape(field)}: expected "):
        events.parse(event, "g", _set(sample(event, name), path, value))


@pytest.mark.parametrize("payload", [[], "x", 3, None, True], ids=repr)
def test_non_objects_are_bad_payloads(payload: Any) -> None:
    with pytest.raises(events.BadPayload):
        events.parse("pull_request", "g", payload)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"repository": {"full_name": "a/b"}}, ("a", "b")),
        ({"organization": {"login": "a"}}, ("a", None)),
        ({"repository": {"full_name": 3}, "organization": {"login": "o"}}, ("o", None)),
        ({"repository": "a/b"}, (None, None)),
        ([], (None, None)),
    ],
    ids=["repo", "org", "bad-repo-falls-back", "string-repo", "list"],
)
def test_repo_of_never_trusts_the_shape(payload: Any, expected: tuple[Any, Any]) -> None:
    assert events.repo_of(payload) == expected


# Prow's own example payloads (kubernetes-sigs/prow cmd/phony/examples, copied unchanged
# into prow-phony/), with the event type phony sends each as: hook accepts all of them.
PHONY = Path(__file__).parent / "prow-phony"
PHONY_EVENTS = {
    "lgtm_comment.json": "issue_comment",
    "test_comment.json": "issue_comment",
    "opened_pr.json": "pull_request",
    "reopened_pr.json": "pull_request",
    "push.json": "push",
    "review_approve_submitted.json": "pull_request_review",
    "review_changes_submitted.json": "pull_request_review",
    "review_comment_submitted.json": "pull_request_review",
}


@pytest.mark.parametrize("name", sorted(PHONY_EVENTS))
def test_prows_phony_payloads_are_accepted(name: str) -> None:
    payload = json.loads((PHONY / name).read_text())
    parsed = events.parse(PHONY_EVENTS[name], "g", payload)
    assert parsed and all(event.repo.name for event in parsed)


def test_a_push_whose_owner_has_only_a_name_is_read_by_name() -> None:
    payload = json.loads((PHONY / "push.json").read_text())
    assert payload["repository"]["owner"] == {"name": "kubernetes", "email": ""}
    (event,) = events.parse("push", "g", payload)
    assert isinstance(event, events.PushEvent)
    assert (event.repo.org, event.repo.name, event.pusher) == ("kubernetes", "test-infra", "rmmh")
    # Other events still need the owner's login.
    broken = copy.deepcopy(sample("pull_request", "opened.payload"))
    broken["repository"]["owner"] = {"name": "Codertocat"}
    with pytest.raises(events.BadPayload, match=r"repository\.owner\.login"):
        events.parse("pull_request", "g", broken)


def test_issue_events_need_no_author_nor_sender_unless_a_comment_is_made() -> None:
    # Every `issues` action reaches the issue handlers now: one whose user or sender is
    # missing (a ghost) is still an event, not a 400; an opened issue's body still needs
    # its author to read as a comment.
    deleted = _set(_set(sample("issues", "deleted.payload"), "issue.user", None), "sender", None)
    (event,) = events.parse("issues", "g", deleted)
    assert isinstance(event, events.IssueEvent) and (event.author, event.sender) == ("", "")
    opened = _set(sample("issues", "opened.payload"), "issue.user", None)
    with pytest.raises(events.BadPayload, match="^issue.user: expected"):
        events.parse("issues", "g", opened)


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ("issue_comment", "created.payload"),
        ("issues", "opened.payload"),
        ("pull_request", "opened.payload"),
        ("pull_request_review", "submitted.payload"),
        ("pull_request_review_comment", "created.payload"),
    ],
)
def test_a_generic_comment_knows_its_webhook(event: str, name: str) -> None:
    # Prow's issue comment handlers (release-note) take issue_comment webhooks only.
    (comment,) = [
        item
        for item in events.parse(event, "g", sample(event, name))
        if isinstance(item, events.GenericCommentEvent)
    ]
    assert comment.event_type == event
