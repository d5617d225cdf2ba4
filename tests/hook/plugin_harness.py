"""What the plugin tests share: one HTTP fake GitHub per module (each test sets its own
scene), a real client per test, a Context, and effects carried out by the real Applier so
assertions read GitHub's resulting state, as Prow's tests read their fake client's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.hook.apply import Applier, ProwJobs
from bowsprit.hook.effects import Effect
from bowsprit.hook.events import GenericCommentEvent, RepoRef
from bowsprit.hook.plugins.base import Context
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    LabelAdded,
    LabelRemoved,
    StatusCreated,
)

BOT = "k8s-ci-robot"
ORG, NAME = "org", "repo"
FULL = f"{ORG}/{NAME}"
REPO = RepoRef(ORG, NAME, f"https://github.com/{FULL}")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(bot=BOT) as started:
        yield started


@pytest.fixture
def github(fake: FakeGitHub) -> FakeGitHub:
    """The module's fake, emptied for this test."""
    with fake._lock:
        fake.repos.clear()
        fake.members.clear()
        fake.teams.clear()
        fake.actions.clear()
        fake.requests.clear()
        fake.faults.clear()
    return fake


@pytest.fixture
async def client(github: FakeGitHub, tmp_path: Path) -> AsyncIterator[GitHubClient]:
    (tmp_path / "token").write_text("t")
    made = GitHubClient(GitHubSettings(base_url=github.url, token_path=tmp_path / "token"))
    yield made
    await made.aclose()


async def no_sleep(seconds: float) -> None:
    """Plugins' waits (grace periods, GitHub settling) cost nothing in tests."""


def context(client: GitHubClient, plugin: str, **settings: Any) -> Context:
    return Context(
        github=client,
        config=PluginConfigSpec(repos=[ORG], plugins=[plugin], **settings),
        presubmits=(),
        postsubmits=(),
        bot=BOT,
        namespace="ci",
        new_name=lambda: "unused",
        sleep=no_sleep,
    )


async def apply(client: GitHubClient, effects: list[Effect]) -> None:
    await Applier(client, cast(ProwJobs, None)).apply(effects)


def comment_event(
    body: str, author: str = "Alice", action: str = "created", is_pr: bool = True
) -> GenericCommentEvent:
    return GenericCommentEvent(
        guid="guid",
        action=action,
        repo=REPO,
        number=1,
        is_pr=is_pr,
        body=body,
        author=author,
        issue_state="open",
        issue_author="author",
        html_url=f"https://github.com/{FULL}/pull/1#issuecomment-1",
    )


def added(fake: FakeGitHub) -> list[str]:
    return sorted(a.label for a in fake.actions if isinstance(a, LabelAdded))


def removed(fake: FakeGitHub) -> list[str]:
    return sorted(a.label for a in fake.actions if isinstance(a, LabelRemoved))


def comments(fake: FakeGitHub) -> list[str]:
    return [a.body for a in fake.actions if isinstance(a, CommentCreated)]


def edits(fake: FakeGitHub) -> list[str]:
    return [a.body for a in fake.actions if isinstance(a, CommentEdited)]


def deleted(fake: FakeGitHub) -> list[int]:
    return [a.comment_id for a in fake.actions if isinstance(a, CommentDeleted)]


def statuses(fake: FakeGitHub) -> list[tuple[str, str, str]]:
    return [
        (a.context, a.state, a.description) for a in fake.actions if isinstance(a, StatusCreated)
    ]
