"""Carrying out effects on GitHub (the fake, over HTTP): labels, comments, dry runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from bowsprit.clients.github import GitHubClient, GitHubError, GitHubSettings
from bowsprit.hook.apply import Applier
from bowsprit.hook.effects import (
    AbortPresubmits,
    AddLabel,
    AssignIssue,
    Comment,
    CreateProwJob,
    CreateReview,
    DeleteComment,
    EditComment,
    RemoveLabel,
    RequestReview,
    ReviewComment,
)
from bowsprit.testing.fakegithub import FakeGitHub, Fault
from bowsprit.testing.fakegithub.gitdata import ReviewCreated, ReviewRequested
from bowsprit.testing.fakegithub.state import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    LabelAdded,
    LabelRemoved,
)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("acme", "rocket")
        fake.add_pull("acme/rocket", 1, "alice", "b" * 40, labels=["needs-ok-to-test"])
        yield fake


@pytest.fixture
async def client(github: FakeGitHub, tmp_path: Path) -> AsyncIterator[GitHubClient]:
    (tmp_path / "token").write_text("t")
    made = GitHubClient(GitHubSettings(base_url=github.url, token_path=tmp_path / "token"))
    yield made
    await made.aclose()


async def test_effects_on_github_in_order(client: GitHubClient, github: FakeGitHub) -> None:
    applier = Applier(client, cast(Any, None))
    await applier.apply(
        [
            AddLabel("acme", "rocket", 1, "ok-to-test"),
            RemoveLabel("acme", "rocket", 1, "needs-ok-to-test"),
            RemoveLabel("acme", "rocket", 1, "needs-ok-to-test"),  # already gone: fine
            Comment("acme", "rocket", 1, "hello"),
        ]
    )
    assert github.actions == [
        LabelAdded("acme/rocket", 1, "ok-to-test"),
        LabelRemoved("acme/rocket", 1, "needs-ok-to-test"),
        CommentCreated("acme/rocket", 1, "bowsprit-bot", "hello"),
    ]


async def test_other_github_errors_are_raised(client: GitHubClient) -> None:
    with pytest.raises(GitHubError) as raised:
        await Applier(client, cast(Any, None)).apply([Comment("acme", "rocket", 404, "x")])
    assert raised.value.status == 404


async def test_dry_run_changes_nothing(client: GitHubClient, github: FakeGitHub) -> None:
    applier = Applier(client, cast(Any, None), dry_run=True)
    body = {"metadata": {"name": "x", "namespace": "ci"}, "spec": {"job": "unit"}}
    await applier.apply([Comment("acme", "rocket", 1, "hello"), CreateProwJob(body)])
    assert github.actions == [] and github.requests == []


class ConflictingJobs:
    """ProwJobs whose status writes conflict `conflicts` times before one succeeds."""

    def __init__(self, conflicts: int) -> None:
        self.conflicts = conflicts
        self.patched: list[str] = []

    async def create_custom(
        self, namespace: str, plural: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        raise AssertionError("no creates here")

    async def list_custom(
        self, namespace: str, plural: str, label_selector: str = ""
    ) -> list[dict[str, Any]]:
        metadata = {"namespace": namespace, "name": "old-run", "resourceVersion": "7"}
        return [{"metadata": metadata, "spec": {"job": "unit"}, "status": {"state": "pending"}}]

    async def patch_custom_status(
        self,
        namespace: str,
        plural: str,
        name: str,
        status: dict[str, Any],
        resource_version: str | None = None,
    ) -> dict[str, Any]:
        if self.conflicts:
            self.conflicts -= 1
            raise Conflict()
        self.patched.append(name)
        return {}


class Conflict(Exception):
    status = 409


async def test_an_abort_that_keeps_conflicting_is_logged_and_retried_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    jobs = ConflictingJobs(conflicts=4)  # more than one round of CONFLICT_RETRIES
    applier = Applier(cast(Any, None), jobs, abort_retry_delay=0.01)
    await applier.apply([AbortPresubmits("ci", "acme", "rocket", 1)])
    assert jobs.patched == []
    assert "acme/rocket#1: 3 conflicts in a row; retrying" in caplog.text
    async with asyncio.timeout(10):
        while not jobs.patched:
            await asyncio.sleep(0.01)
    assert jobs.patched == ["old-run"]


async def test_owners_plugins_effects(client: GitHubClient, github: FakeGitHub) -> None:
    """Edits, deletes (already gone is fine), assignments, review requests and reviews;
    an assignment GitHub refuses does not stop the label after it (Prow logs it)."""
    note = github.add_comment("acme/rocket", 1, "bowsprit-bot", "old")
    github.fail(Fault("POST", "/repos/acme/rocket/issues/1/assignees", 422))
    await Applier(client, cast(Any, None)).apply(
        [
            EditComment("acme", "rocket", note.id, "new"),
            AssignIssue("acme", "rocket", 1, ("carol",)),  # refused
            AddLabel("acme", "rocket", 1, "lgtm"),
            AssignIssue("acme", "rocket", 1, ("carol",)),
            RequestReview("acme", "rocket", 1, ("dave",)),
            CreateReview(
                "acme", "rocket", 1, "body", "b" * 40, (ReviewComment("OWNERS", 3, "bad"),)
            ),
            DeleteComment("acme", "rocket", note.id),
            DeleteComment("acme", "rocket", note.id),  # already gone
        ]
    )
    assert github.actions == [
        CommentEdited("acme/rocket", note.id, "new"),
        LabelAdded("acme/rocket", 1, "lgtm"),
        CommentDeleted("acme/rocket", note.id),
    ]
    assert github.repos["acme/rocket"].pulls[1].assignees == ["carol"]
    assert github.git.recorded == [
        ReviewRequested("acme/rocket", 1, ("dave",)),
        ReviewCreated("acme/rocket", 1, "body", (("OWNERS", 3, "bad"),)),
    ]
