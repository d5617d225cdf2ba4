# ruff: noqa: E501 - the tables keep Prow's strings whole
"""The lifecycle plugin, with Prow's TestAddLifecycleLabels, TestCloseComment and
TestReopenComment tables (pkg/plugins/lifecycle/*_test.go) run against the HTTP fake
GitHub. Prow's fake fails listing labels when the issue has the label "error"; here the
fake GitHub is told to refuse that request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from bowsprit.clients.github import GitHubClient
from bowsprit.hook.effects import EditIssue
from bowsprit.hook.plugins import lifecycle
from bowsprit.testing.fakegithub import FakeGitHub, Fault
from tests.hook.everyday_harness import comment, scene
from tests.hook.plugin_harness import (
    FULL,
    added,
    apply,
    client,
    comments,
    context,
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
    is_pr: bool
    comment: bool


CASES = [
    Case("random command -> no-op", "/random-command", [], [], [], False, False),
    Case(
        "remove lifecycle but don't specify state -> no-op",
        "/remove-lifecycle",
        [],
        [],
        [],
        False,
        False,
    ),
    Case("add lifecycle but don't specify state -> no-op", "/lifecycle", [], [], [], False, False),
    Case("add lifecycle random -> no-op", "/lifecycle random", [], [], [], False, False),
    Case("remove lifecycle random -> no-op", "/remove-lifecycle random", [], [], [], False, False),
    Case(
        "add frozen and stale with single command -> no-op",
        "/lifecycle frozen stale",
        [],
        [],
        [],
        False,
        False,
    ),
    Case(
        "add frozen and random with single command -> no-op",
        "/lifecycle frozen random",
        [],
        [],
        [],
        False,
        False,
    ),
    Case(
        "add frozen, don't have it -> frozen added",
        "/lifecycle frozen",
        [],
        ["lifecycle/frozen"],
        [],
        False,
        False,
    ),
    Case(
        "add stale, don't have it -> stale added",
        "/lifecycle stale",
        [],
        ["lifecycle/stale"],
        [],
        False,
        False,
    ),
    Case(
        "add rotten, don't have it -> rotten added",
        "/lifecycle rotten",
        [],
        ["lifecycle/rotten"],
        [],
        False,
        False,
    ),
    Case(
        "remove frozen, have it -> frozen removed",
        "/remove-lifecycle frozen",
        ["lifecycle/frozen"],
        [],
        ["lifecycle/frozen"],
        False,
        False,
    ),
    Case(
        "remove stale, have it -> stale removed",
        "/remove-lifecycle stale",
        ["lifecycle/stale"],
        [],
        ["lifecycle/stale"],
        False,
        False,
    ),
    Case(
        "remove rotten, have it -> rotten removed",
        "/remove-lifecycle rotten",
        ["lifecycle/rotten"],
        [],
        ["lifecycle/rotten"],
        False,
        False,
    ),
    Case(
        "add frozen but have it -> no-op",
        "/lifecycle frozen",
        ["lifecycle/frozen"],
        [],
        [],
        False,
        False,
    ),
    Case(
        "add stale, have active -> stale added, remove active",
        "/lifecycle stale",
        ["lifecycle/active"],
        ["lifecycle/stale"],
        ["lifecycle/active"],
        False,
        False,
    ),
    Case(
        "add frozen, have rotten -> frozen added, rotten removed",
        "/lifecycle frozen",
        ["lifecycle/rotten"],
        ["lifecycle/frozen"],
        ["lifecycle/rotten"],
        False,
        False,
    ),
    Case(
        "add rotten, have stale -> rotten added, stale removed",
        "/lifecycle rotten",
        ["lifecycle/stale"],
        ["lifecycle/rotten"],
        ["lifecycle/stale"],
        False,
        False,
    ),
    Case(
        "add frozen, have stale and rotten -> frozen added, stale and rotten removed",
        "/lifecycle frozen",
        ["lifecycle/stale", "lifecycle/rotten"],
        ["lifecycle/frozen"],
        ["lifecycle/stale", "lifecycle/rotten"],
        False,
        False,
    ),
    Case(
        "remove stale, then remove rotten and then add frozen -> stale and rotten removed, frozen added",
        "/remove-lifecycle stale\n/remove-lifecycle rotten\n/lifecycle frozen",
        ["lifecycle/stale", "lifecycle/rotten"],
        ["lifecycle/frozen"],
        ["lifecycle/stale", "lifecycle/rotten"],
        False,
        False,
    ),
    Case("add frozen on PR -> add comment", "/lifecycle frozen", [], [], [], True, True),
    Case(
        "remove frozen on PR, have it -> frozen removed",
        "/remove-lifecycle frozen",
        ["lifecycle/frozen"],
        [],
        ["lifecycle/frozen"],
        True,
        False,
    ),
    Case(
        "add stale on PR, don't have it -> stale added",
        "/lifecycle stale",
        [],
        ["lifecycle/stale"],
        [],
        True,
        False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_add_lifecycle_labels(case: Case, github: FakeGitHub, client: GitHubClient) -> None:
    scene(github, labels=case.labels)
    event = comment(case.body, "Alice", is_pr=case.is_pr)
    await apply(client, await lifecycle.handle_generic_comment(context(client, "lifecycle"), event))
    assert added(github) == sorted(case.added)
    assert removed(github) == sorted(case.removed)
    assert bool(comments(github)) is case.comment


@dataclass(frozen=True)
class StateCase:
    name: str
    action: str
    state: str
    body: str
    commenter: str
    labels: list[str]
    changes: bool
    comment: bool
    is_pr: bool
    reason: str


CLOSE_CASES = [
    StateCase(
        "non-close comment",
        "created",
        "open",
        "uh oh",
        "random-person",
        [],
        False,
        False,
        False,
        "",
    ),
    StateCase(
        "close by author", "created", "open", "/close", "author", [], True, True, False, "completed"
    ),
    StateCase(
        "close by author, trailing space.",
        "created",
        "open",
        "/close \r",
        "author",
        [],
        True,
        True,
        False,
        "completed",
    ),
    StateCase(
        "close by collaborator",
        "created",
        "open",
        "/close",
        "collaborator",
        [],
        True,
        True,
        False,
        "completed",
    ),
    StateCase(
        "close edited by author", "edited", "open", "/close", "author", [], False, False, False, ""
    ),
    StateCase(
        "close by author on closed issue",
        "created",
        "closed",
        "/close",
        "author",
        [],
        False,
        False,
        False,
        "",
    ),
    StateCase(
        "close by non-collaborator on active issue, cannot close",
        "created",
        "open",
        "/close",
        "non-collaborator",
        [],
        False,
        True,
        False,
        "",
    ),
    StateCase(
        "close by non-collaborator on stale issue",
        "created",
        "open",
        "/close",
        "non-collaborator",
        ["lifecycle/stale"],
        True,
        True,
        False,
        "completed",
    ),
    StateCase(
        "close by non-collaborator on rotten issue",
        "created",
        "open",
        "/close",
        "non-collaborator",
        ["lifecycle/rotten"],
        True,
        True,
        False,
        "completed",
    ),
    StateCase(
        "cannot close stale issue by non-collaborator when list issue fails",
        "created",
        "open",
        "/close",
        "non-collaborator",
        ["error"],
        False,
        True,
        False,
        "",
    ),
    StateCase(
        "close by author as not planned",
        "created",
        "open",
        "/close not-planned",
        "author",
        [],
        True,
        True,
        False,
        "not_planned",
    ),
    StateCase(
        "close by author as not planned, trailing space.",
        "created",
        "open",
        "/close not-planned \r",
        "author",
        [],
        True,
        True,
        False,
        "not_planned",
    ),
    StateCase(
        "close by author, multiple spaces in between.",
        "created",
        "open",
        "/close not-planned",
        "author",
        [],
        True,
        True,
        False,
        "not_planned",
    ),
    StateCase(
        "close as not planned by non-collaborator on active issue, cannot close",
        "created",
        "open",
        "/close not-planned",
        "non-collaborator",
        [],
        False,
        True,
        False,
        "",
    ),
    StateCase(
        "close as not planned by non-collaborator on stale issue",
        "created",
        "open",
        "/close not-planned",
        "non-collaborator",
        ["lifecycle/stale"],
        True,
        True,
        False,
        "not_planned",
    ),
    StateCase(
        "close as not planned by non-collaborator on rotten issue",
        "created",
        "open",
        "/close not-planned",
        "non-collaborator",
        ["lifecycle/rotten"],
        True,
        True,
        False,
        "not_planned",
    ),
    StateCase(
        "cannot close stale issue as not planned by non-collaborator when list issue fails",
        "created",
        "open",
        "/close not-planned",
        "non-collaborator",
        ["error"],
        False,
        True,
        False,
        "",
    ),
    StateCase(
        "cannot close PR as not planned",
        "created",
        "open",
        "/close not-planned",
        "author",
        ["error"],
        False,
        True,
        True,
        "",
    ),
]
REOPEN_CASES = [
    StateCase(
        "non-open comment",
        "created",
        "open",
        "does not matter",
        "random-person",
        [],
        False,
        False,
        False,
        "",
    ),
    StateCase(
        "re-open by author", "created", "closed", "/reopen", "author", [], True, True, False, ""
    ),
    StateCase(
        "re-open by collaborator",
        "created",
        "closed",
        "/reopen",
        "collaborator",
        [],
        True,
        True,
        False,
        "",
    ),
    StateCase(
        "re-open by collaborator, trailing space.",
        "created",
        "closed",
        "/reopen \r",
        "collaborator",
        [],
        True,
        True,
        False,
        "",
    ),
    StateCase(
        "re-open edited by author",
        "edited",
        "closed",
        "/reopen",
        "author",
        [],
        False,
        False,
        False,
        "",
    ),
    StateCase(
        "open by author on already open issue",
        "created",
        "open",
        "/reopen",
        "author",
        [],
        False,
        False,
        False,
        "",
    ),
    StateCase(
        "re-open by non-collaborator, cannot reopen",
        "created",
        "closed",
        "/reopen",
        "non-collaborator",
        [],
        False,
        True,
        False,
        "",
    ),
]


async def _run(case: StateCase, github: FakeGitHub, client: GitHubClient) -> tuple[Any, list[Any]]:
    item = scene(github, labels=[label for label in case.labels if label != "error"])
    item.state = case.state
    github.add_collaborator(FULL, "collaborator")
    if "error" in case.labels:
        github.fail(Fault("GET", f"/repos/{FULL}/issues/1/labels", 404))
    event = comment(case.body, case.commenter, is_pr=case.is_pr, state=case.state)
    event = type(event)(**{**event.__dict__, "action": case.action})
    effects = await lifecycle.handle_generic_comment(context(client, "lifecycle"), event)
    await apply(client, effects)
    return item, effects


@pytest.mark.parametrize("case", CLOSE_CASES, ids=lambda case: case.name)
async def test_close_comment(case: StateCase, github: FakeGitHub, client: GitHubClient) -> None:
    item, effects = await _run(case, github, client)
    assert (item.state == "closed" and case.state == "open") is case.changes
    assert bool(comments(github)) is case.comment
    if not case.is_pr:
        reasons = [e.state_reason or "" for e in effects if isinstance(e, EditIssue)]
        assert (reasons[0] if reasons else "") == case.reason


@pytest.mark.parametrize("case", REOPEN_CASES, ids=lambda case: case.name)
async def test_reopen_comment(case: StateCase, github: FakeGitHub, client: GitHubClient) -> None:
    item, _ = await _run(case, github, client)
    assert (item.state == "open" and case.state == "closed") is case.changes
    assert bool(comments(github)) is case.comment


async def test_replies_read_as_prows(github: FakeGitHub, client: GitHubClient) -> None:
    scene(github)
    event = comment("/close", "stranger")
    await apply(client, await lifecycle.handle_generic_comment(context(client, "lifecycle"), event))
    assert comments(github)[0].startswith(
        "@stranger: You can't close an active issue/PR unless you authored it or you are a collaborator."
    )
    event = comment("/close", "author")
    await apply(client, await lifecycle.handle_generic_comment(context(client, "lifecycle"), event))
    assert comments(github)[1].startswith("@author: Closed this PR.")
