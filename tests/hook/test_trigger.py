"""The trigger plugin's handlers against the HTTP fake GitHub through the real client:
trust rules, pull request actions, comment commands and pushes, table-driven on the
effects each event asks for."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bowsprit.api.pluginconfig import PluginConfigSpec, TriggerSettings
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.hook.effects import (
    AbortPresubmits,
    AddLabel,
    Comment,
    CreateProwJob,
    Effect,
    RemoveLabel,
)
from bowsprit.hook.events import (
    GenericCommentEvent,
    PullRequest,
    PullRequestEvent,
    PushEvent,
    RepoRef,
)
from bowsprit.hook.plugins.base import Context
from bowsprit.hook.plugins.trigger import (
    handle_generic_comment,
    handle_pull_request,
    handle_push,
)
from bowsprit.jobpod.trust import trusted_pull, trusted_user
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.jobs import job

MAIN = "a" * 40
HEAD = "b" * 40
BOT = "bowsprit-bot"
REPO = RepoRef("acme", "rocket", "https://github.com/acme/rocket")
PRESUBMITS = (
    job("unit", always_run=True),
    job("docs", "Presubmit", run_if_changed=r"^docs/"),
    job("e2e", "Presubmit"),
)
POSTSUBMITS = (job("deploy", "Postsubmit", branches=["^main$"]),)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(bot=BOT) as fake:
        fake.add_repo("acme", "rocket", {"main": MAIN})
        fake.add_pull("acme/rocket", 1, "alice", HEAD, files=["src/a.py"])
        fake.add_pull("acme/rocket", 2, "mallory", HEAD, labels=["needs-ok-to-test"])
        fake.add_pull("acme/rocket", 3, "mallory", HEAD, labels=["ok-to-test"])
        fake.add_pull("acme/rocket", 4, "alice", HEAD, files=["docs/guide.md"])
        fake.add_member("acme", "alice")
        fake.add_member("friends", "dave")
        fake.add_collaborator("acme/rocket", "carol")
        yield fake


@pytest.fixture
async def client(github: FakeGitHub, tmp_path: Path) -> AsyncIterator[GitHubClient]:
    (tmp_path / "token").write_text("t")
    made = GitHubClient(GitHubSettings(base_url=github.url, token_path=tmp_path / "token"))
    yield made
    await made.aclose()


def context(client: GitHubClient, **settings: Any) -> Context:
    names = iter(f"job-{i}" for i in range(100))
    return Context(
        github=client,
        config=PluginConfigSpec(
            repos=["acme"], plugins=["trigger"], trigger=TriggerSettings(**settings)
        ),
        presubmits=PRESUBMITS,
        postsubmits=POSTSUBMITS,
        bot=BOT,
        namespace="ci",
        new_name=lambda: next(names),
    )


@pytest.mark.parametrize(
    ("user", "settings", "trusted"),
    [
        (BOT, {}, True),
        ("alice", {}, True),
        ("carol", {}, True),
        ("carol", {"only_org_members": True}, False),
        ("alice", {"only_org_members": True}, True),
        ("renovate[bot]", {"trusted_apps": ["renovate"]}, True),
        ("renovate[bot]", {}, False),
        ("renovate", {"trusted_apps": ["renovate"]}, False),
        ("dave", {"trusted_org": "friends"}, True),
        ("dave", {}, False),
        ("mallory", {}, False),
    ],
    ids=[
        "bot",
        "member",
        "collaborator",
        "collaborator-only-members",
        "member-only-members",
        "trusted-app",
        "app-not-listed",
        "app-without-bot-suffix",
        "trusted-org",
        "other-org",
        "stranger",
    ],
)
async def test_trusted_users(
    client: GitHubClient, user: str, settings: dict[str, Any], trusted: bool
) -> None:
    result = await trusted_user(client, TriggerSettings(**settings), BOT, "acme", "rocket", user)
    assert result is trusted


@pytest.mark.parametrize(
    ("author", "labels", "settings", "trusted"),
    [
        ("alice", (), {}, True),
        ("mallory", (), {}, False),
        ("mallory", ("ok-to-test",), {}, True),
        ("mallory", ("ok-to-test",), {"ignore_ok_to_test": True}, False),
    ],
    ids=["trusted-author", "untrusted", "ok-to-test-label", "label-ignored"],
)
async def test_trusted_pulls(
    client: GitHubClient,
    author: str,
    labels: tuple[str, ...],
    settings: dict[str, Any],
    trusted: bool,
) -> None:
    result = await trusted_pull(
        client, TriggerSettings(**settings), BOT, "acme", "rocket", author, labels
    )
    assert result is trusted


def pull(number: int = 1, author: str = "alice", **fields: Any) -> PullRequest:
    base = PullRequest(
        number=number,
        author=author,
        title="Fix it",
        state="open",
        draft=False,
        head_sha=HEAD,
        head_ref="fix",
        base_ref="main",
        base_sha="0" * 40,
        labels=(),
        mergeable=None,
        html_url=f"https://github.com/acme/rocket/pull/{number}",
        author_link=f"https://github.com/{author}",
    )
    return replace(base, **fields)


def pr_event(
    action: str, item: PullRequest, sender: str = "alice", **fields: Any
) -> PullRequestEvent:
    return PullRequestEvent(
        guid="guid-1",
        action=action,
        repo=REPO,
        pull=item,
        sender=sender,
        label=fields.get("label"),
        base_changed=fields.get("base_changed", False),
    )


def summary(effects: list[Effect]) -> list[str]:
    """Effects as short strings, comments by their first words."""
    out = []
    for effect in effects:
        if isinstance(effect, CreateProwJob):
            out.append(f"job {effect.job}")
        elif isinstance(effect, AbortPresubmits):
            out.append(f"abort #{effect.number}")
        elif isinstance(effect, Comment):
            out.append("comment " + " ".join(effect.body.split()[:2]))
        elif isinstance(effect, AddLabel):
            out.append(f"+{effect.label}")
        elif isinstance(effect, RemoveLabel):
            out.append(f"-{effect.label}")
    return out


UNTRUSTED = pull(2, "mallory", labels=("needs-ok-to-test",))
OK_TO_TEST = pull(3, "mallory", labels=("ok-to-test",))


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (pr_event("opened", pull()), ["job unit"]),
        (pr_event("opened", pull(4)), ["job unit", "job docs"]),
        (pr_event("opened", pull(2, "mallory")), ["comment Hi @mallory.", "+needs-ok-to-test"]),
        (pr_event("opened", UNTRUSTED), ["comment Hi @mallory."]),
        (pr_event("opened", OK_TO_TEST), ["job unit"]),
        (pr_event("opened", pull(draft=True)), ["comment Skipping CI"]),
        (pr_event("opened", pull(mergeable=False)), []),
        (pr_event("reopened", pull()), ["job unit"]),
        (pr_event("reopened", UNTRUSTED), []),
        (pr_event("ready_for_review", pull()), ["job unit"]),
        (pr_event("edited", pull(), base_changed=True), ["job unit"]),
        (pr_event("edited", pull()), []),
        (pr_event("synchronize", pull()), ["abort #1", "job unit"]),
        (pr_event("synchronize", pull(draft=True)), ["abort #1"]),
        (pr_event("synchronize", UNTRUSTED), ["abort #2"]),
        (
            pr_event("synchronize", pull(labels=("needs-ok-to-test",))),
            ["abort #1", "-needs-ok-to-test", "job unit"],
        ),
        (pr_event("closed", pull()), ["abort #1"]),
        (pr_event("converted_to_draft", pull(draft=True)), ["abort #1"]),
        (pr_event("labeled", OK_TO_TEST, label="ok-to-test"), ["job unit"]),
        (pr_event("labeled", OK_TO_TEST, sender=BOT, label="ok-to-test"), []),
        (pr_event("labeled", UNTRUSTED, label="lgtm"), ["job unit"]),
        (pr_event("labeled", pull(), label="lgtm"), []),
        (pr_event("labeled", pull(), label="bug"), []),
        (pr_event("assigned", pull()), []),
    ],
    ids=[
        "opened-trusted",
        "opened-docs-changed",
        "opened-untrusted",
        "opened-untrusted-already-labelled",
        "opened-ok-to-test",
        "opened-draft",
        "opened-unmergeable",
        "reopened",
        "reopened-untrusted",
        "ready-for-review",
        "base-changed",
        "title-edited",
        "synchronize",
        "synchronize-draft",
        "synchronize-untrusted",
        "synchronize-drops-needs-ok-to-test",
        "closed",
        "converted-to-draft",
        "ok-to-test-label",
        "ok-to-test-label-by-bot",
        "lgtm-on-untrusted",
        "lgtm-on-trusted",
        "other-label",
        "assigned",
    ],
)
async def test_pull_request_events(
    client: GitHubClient, event: PullRequestEvent, expected: list[str]
) -> None:
    assert summary(await handle_pull_request(context(client), event)) == expected


async def test_untrusted_welcome_with_ignore_ok_to_test(client: GitHubClient) -> None:
    effects = await handle_pull_request(
        context(client, ignore_ok_to_test=True), pr_event("opened", pull(2, "mallory"))
    )
    assert summary(effects) == ["comment Hi @mallory."]
    assert isinstance(effects[0], Comment) and "/ok-to-test" not in effects[0].body


async def test_presubmit_prowjob_carries_refs_and_labels(client: GitHubClient) -> None:
    effects = await handle_pull_request(context(client), pr_event("opened", pull()))
    assert isinstance(effects[0], CreateProwJob)
    body = effects[0].body
    assert body["metadata"]["name"] == "job-0" and body["metadata"]["namespace"] == "ci"
    spec = body["spec"]
    assert (spec["type"], spec["job"], spec["context"], spec["report"]) == (
        "presubmit",
        "unit",
        "unit",
        True,
    )
    assert spec["rerun_command"] == "/test unit"
    refs = spec["refs"]
    assert (refs["org"], refs["repo"], refs["base_ref"], refs["base_sha"]) == (
        "acme",
        "rocket",
        "main",
        MAIN,  # the branch as it is now, read from GitHub
    )
    assert refs["pulls"] == [
        {
            "number": 1,
            "author": "alice",
            "sha": HEAD,
            "title": "Fix it",
            "head_ref": "fix",
            "link": "https://github.com/acme/rocket/pull/1",
            "commit_link": f"https://github.com/acme/rocket/pull/1/commits/{HEAD}",
            "author_link": "https://github.com/alice",
        }
    ]
    labels = body["metadata"]["labels"]
    assert labels["prow.k8s.io/refs.pull"] == "1"
    assert labels["prow.k8s.io/is-optional"] == "false"
    assert labels["event-GUID"] == "guid-1"
    assert labels["prow.k8s.io/type"] == "presubmit" and labels["created-by-prow"] == "true"
    assert "prow.k8s.io/retest" not in labels
    assert body["metadata"]["annotations"]["prow.k8s.io/job"] == "unit"


def comment(
    body: str, number: int = 1, author: str = "alice", **fields: Any
) -> GenericCommentEvent:
    return GenericCommentEvent(
        guid="guid-2",
        action=fields.get("action", "created"),
        repo=REPO,
        number=number,
        is_pr=fields.get("is_pr", True),
        body=body,
        author=author,
        issue_state=fields.get("state", "open"),
        issue_author="alice",
        html_url="",
    )


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (comment("/test e2e"), ["job e2e"]),
        (comment("/test all"), ["job unit"]),
        (comment("/test docs"), ["job docs"]),
        (comment("/test nope"), ["comment @alice: The"]),
        (comment("/test"), ["comment @alice: The"]),
        (comment("/test e2e", 2, "mallory"), ["comment @mallory: Cannot"]),
        (comment("/test e2e", 3, "mallory"), ["job e2e"]),
        (comment("/ok-to-test", 2, "mallory"), ["comment @mallory: Cannot"]),
        (comment("/ok-to-test", 2), ["+ok-to-test", "-needs-ok-to-test", "job unit"]),
        (comment("/ok-to-test", 3), ["job unit"]),
        (comment("/ok-to-test cancel", 3), ["-ok-to-test", "+needs-ok-to-test"]),
        (comment("/ok-to-test cancel", 2), []),
        (comment("/ok-to-test cancel", 3, "mallory"), []),
        (comment("/test e2e", 2, "carol"), ["job e2e"]),
        (comment("```\n/test e2e\n```"), []),
        (comment("/test e2e", action="edited"), []),
        (comment("/test e2e", author=BOT), []),
        (comment("/test e2e", state="closed"), []),
        (comment("/test e2e", is_pr=False), []),
        (comment("great work"), []),
    ],
    ids=[
        "test-job",
        "test-all",
        "test-forced",
        "test-unknown",
        "test-bare",
        "untrusted-commenter-untrusted-pr",
        "untrusted-commenter-ok-to-test-pr",
        "untrusted-ok-to-test",
        "ok-to-test",
        "ok-to-test-already-labelled",
        "ok-to-test-cancel",
        "ok-to-test-cancel-nothing-to-undo",
        "ok-to-test-cancel-untrusted",
        "collaborator",
        "code-block",
        "edited",
        "by-bot",
        "closed",
        "issue",
        "no-command",
    ],
)
async def test_comment_events(
    client: GitHubClient, event: GenericCommentEvent, expected: list[str]
) -> None:
    assert summary(await handle_generic_comment(context(client), event)) == expected


async def test_comments_without_commands_ask_github_nothing(
    client: GitHubClient, github: FakeGitHub
) -> None:
    await handle_generic_comment(context(client), comment("great work, /retest later"))
    assert github.requests == []


async def test_retest_reruns_failed_and_unreported_jobs(
    client: GitHubClient, github: FakeGitHub
) -> None:
    for name, state in (("unit", "failure"), ("e2e", "success")):
        await client.create_status(
            "acme", "rocket", HEAD, state=state, context=name, description="", target_url=None
        )
    effects = await handle_generic_comment(context(client), comment("/retest"))
    assert summary(effects) == ["job unit"]
    assert isinstance(effects[0], CreateProwJob)
    assert effects[0].body["metadata"]["labels"]["prow.k8s.io/retest"] == "true"


def push(ref: str = "refs/heads/main", deleted: bool = False, after: str = "c" * 40) -> PushEvent:
    return PushEvent(
        guid="guid-3",
        repo=REPO,
        ref=ref,
        before="d" * 40,
        after=after,
        deleted=deleted,
        changed_files=("src/a.py",),
        pusher="alice",
        compare="https://github.com/acme/rocket/compare/d...c",
    )


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (push(), ["job deploy"]),
        (push("refs/heads/dev"), []),
        (push(deleted=True, after="0" * 40), []),
    ],
    ids=["main", "other-branch", "deleted"],
)
async def test_push_events(client: GitHubClient, event: PushEvent, expected: list[str]) -> None:
    assert summary(await handle_push(context(client), event)) == expected


async def test_postsubmit_prowjob_refs(client: GitHubClient) -> None:
    effects = await handle_push(context(client), push())
    assert isinstance(effects[0], CreateProwJob)
    spec = effects[0].body["spec"]
    assert spec["type"] == "postsubmit" and "rerun_command" not in spec
    assert spec["refs"] == {
        "org": "acme",
        "repo": "rocket",
        "repo_link": "https://github.com/acme/rocket",
        "base_ref": "main",
        "base_sha": "c" * 40,
        "base_link": "https://github.com/acme/rocket/compare/d...c",
    }
    assert "prow.k8s.io/is-optional" not in effects[0].body["metadata"]["labels"]
