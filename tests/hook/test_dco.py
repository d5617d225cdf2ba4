"""The dco plugin, with Prow's TestHandlePullRequest and TestHandleComment tables
(pkg/plugins/dco/dco_test.go) run against the HTTP fake GitHub. Prow's cases use an
empty org and repo; here they are org/repo, so links read .../org/repo/... ."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from bowsprit.api.pluginconfig import DcoSettings
from bowsprit.clients.github import GitHubClient
from bowsprit.hook.plugins import dco
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import CommitStatus
from tests.hook.plugin_harness import (
    BOT,
    FULL,
    ORG,
    REPO,
    added,
    apply,
    client,
    comment_event,
    comments,
    context,
    deleted,
    edits,
    fake,
    github,
    removed,
    statuses,
)
from tests.hook.test_trigger import pr_event, pull

__all__ = ["client", "fake", "github"]  # fixtures

# Prow's expected comment, word for word, with the case's link and commit list.
PROW_COMMENT = """Thanks for your pull request. Before we can look at it, you'll need to add a 'DCO signoff' to your commits.

:memo: **Please follow instructions in the [contributing guide]({url}) to update your commits with the DCO**

Full details of the Developer Certificate of Origin can be found at [developercertificate.org](https://developercertificate.org/).

**The list of commits missing DCO signoff**:

{commits}

<details>

Instructions for interacting with me using PR comments are available [here](https://git.k8s.io/community/contributors/guide/pull-requests.md).  If you have questions or suggestions related to my behavior, please file an issue against the [kubernetes-sigs/prow](https://github.com/kubernetes-sigs/prow/issues/new?title=Prow%20issue:) repository. I understand the commands that are listed [here](https://go.k8s.io/bot-commands).
</details>
"""  # noqa: E501
DEFAULT_URL = f"https://github.com/{FULL}/blob/master/CONTRIBUTING.md"
TRUSTED = {"skip_dco_check_for_members": True, "trusted_org": "kubernetes"}


def missing(*commits: tuple[str, str]) -> str:
    return "\n".join(
        f"- [{sha}](https://github.com/{FULL}/commits/{sha}) {title}" for sha, title in commits
    )


@dataclass(frozen=True)
class Case:
    name: str
    commits: list[tuple[str, str, str]]  # sha, message, author login
    config: dict[str, Any] = field(default_factory=dict)
    action: str = "opened"
    has_yes: bool = False
    has_no: bool = False
    status: str = ""
    added: str = ""
    removed: str = ""
    expected_status: str = ""
    comment: str = ""  # the missing-commit list of the expected comment
    url: str = DEFAULT_URL


NO_SIGNOFF = [("sha", "not a sign off", "author")]
SIGNED = [("sha", "Signed-off-by: someone", "author")]
PULL_CASES = [
    Case("should not do anything on pull request edited", [], action="edited"),
    Case(
        "should add 'no' label & status context and add a comment if no commits have sign off",
        NO_SIGNOFF,
        added=dco.NO,
        expected_status="failure",
        comment=missing(("sha", "not a sign off")),
    ),
    Case(
        "should add 'no' label & status context, remove old labels and add a comment if no "
        "commits have sign off",
        NO_SIGNOFF,
        has_yes=True,
        added=dco.NO,
        removed=dco.YES,
        expected_status="failure",
        comment=missing(("sha", "not a sign off")),
    ),
    Case(
        "should update comment if labels and status are up to date and sign off is failing",
        NO_SIGNOFF,
        has_no=True,
        status="failure",
        expected_status="failure",
        comment=missing(("sha", "not a sign off")),
    ),
    Case(
        "should mark the PR as failed if just one commit is missing sign-off",
        [("sha1", "Signed-off-by: someone", "author"), ("sha", "not signed off", "author")],
        has_yes=True,
        added=dco.NO,
        removed=dco.YES,
        expected_status="failure",
        comment=missing(("sha", "not signed off")),
    ),
    Case(
        "should add label and update status context if all commits are signed-off",
        SIGNED,
        added=dco.YES,
        expected_status="success",
    ),
    Case(
        "should add label and update status context and remove old labels if all commits are "
        "signed-off",
        SIGNED,
        has_no=True,
        added=dco.YES,
        removed=dco.NO,
        expected_status="success",
    ),
    Case(
        "should add label and update status context if an user is member of the trusted org "
        "(commit non-signed)",
        [("sha", "not signed off", "test")],
        TRUSTED,
        added=dco.YES,
        expected_status="success",
    ),
    Case(
        "should add label and update status context if an user is member of the trusted org "
        "(one commit signed, one non-signed)",
        [("sha", "not signed off", "test"), ("sha2", "Signed-off-by: someone", "test")],
        TRUSTED,
        added=dco.YES,
        expected_status="success",
    ),
    Case(
        "should add label and update status context if one commit is signed-off and another "
        "is from a trusted user",
        [("sha", "not signed off", "test"), ("sha2", "Signed-off-by: someone", "contributor")],
        TRUSTED,
        added=dco.YES,
        expected_status="success",
    ),
    Case(
        "should fail dco check as one unsigned commit is from member not from the trusted org",
        [("sha", "Signed-off-by: someone", "test"), ("sha2", "not signed off", "test-2")],
        TRUSTED,
        added=dco.NO,
        expected_status="failure",
        comment=missing(("sha2", "not signed off")),
    ),
    Case(
        "should add label and update status context as one unsigned commit is from member not "
        "from the trusted org",
        [("sha", "Signed-off-by: someone", "test"), ("sha2", "not signed off", "test-2")],
        TRUSTED,
        has_yes=True,
        added=dco.NO,
        removed=dco.YES,
        expected_status="failure",
        comment=missing(("sha2", "not signed off")),
    ),
    Case(
        "should fail dco check as skip feature is disabled",
        [("sha", "not signed off", "test")],
        {"skip_dco_check_for_members": False, "trusted_org": "kubernetes"},
        added=dco.NO,
        expected_status="failure",
        comment=missing(("sha", "not signed off")),
    ),
    Case(
        "should skip dco check as commit is from a collaborator",
        [("sha", "not signed off", "test-collaborator")],
        {**TRUSTED, "skip_dco_check_for_collaborators": True},
        added=dco.YES,
        expected_status="success",
    ),
    Case(
        "should fail dco check for a collaborator as skip dco for collaborators is disabled",
        [("sha", "not signed off", "test-collaborator")],
        {"skip_dco_check_for_collaborators": False, "trusted_org": "kubernetes"},
        added=dco.NO,
        expected_status="failure",
        comment=missing(("sha", "not signed off")),
    ),
    Case(
        "should skip dco check for trusted app even without skip flags",
        [("sha", "not signed off", "dependabot[bot]")],
        {"trusted_apps": ["dependabot"]},
        added=dco.YES,
        expected_status="success",
    ),
    Case(
        "should use custom CONTRIBUTING.md repo, branch and path in comment",
        [("sha", "not signed off", "test-collaborator")],
        {
            "contributing_repo": "kubernetes/org",
            "contributing_branch": "main",
            "contributing_path": "docs/CONTRIBUTING.md",
        },
        added=dco.NO,
        expected_status="failure",
        comment=missing(("sha", "not signed off")),
        url="https://github.com/kubernetes/org/blob/main/docs/CONTRIBUTING.md",
    ),
]


def scene(github: FakeGitHub, case: Case) -> None:
    """Prow's test client: kubernetes has member `test`, `test-collaborator` collaborates."""
    github.add_repo(ORG, "repo")
    labels = [name for name, on in ((dco.YES, case.has_yes), (dco.NO, case.has_no)) if on]
    item = github.add_pull(FULL, 3, "author", "sha", labels=labels)
    item.commits = [sha for sha, _, _ in case.commits]
    item.commit_messages = {sha: message for sha, message, _ in case.commits}
    item.commit_authors = {sha: login for sha, _, login in case.commits}
    github.add_member("kubernetes", "test")
    github.add_collaborator(FULL, "test-collaborator")
    if case.status:
        status = CommitStatus(dco.CONTEXT, case.status, "", None, BOT, github.now())
        github.repos[FULL].statuses["sha"] = [status]


def check(github: FakeGitHub, case: Case) -> None:
    assert added(github) == ([case.added] if case.added else [])
    assert removed(github) == ([case.removed] if case.removed else [])
    dco_states = [state for context, state, _ in statuses(github) if context == dco.CONTEXT]
    if case.expected_status and case.expected_status != case.status:
        assert dco_states == [case.expected_status]
    else:
        assert dco_states == []  # already right: not set again
    expected = [PROW_COMMENT.format(url=case.url, commits=case.comment)] if case.comment else []
    assert comments(github) == expected


@pytest.mark.parametrize("case", PULL_CASES, ids=[case.name for case in PULL_CASES])
async def test_handle_pull_request(github: FakeGitHub, client: GitHubClient, case: Case) -> None:
    scene(github, case)
    ctx = context(client, "dco", dco=DcoSettings.model_validate(case.config))
    event = pr_event(case.action, pull(3, head_sha="sha"))
    event = replace(event, repo=REPO)
    await apply(client, await dco.handle_pull_request(ctx, event))
    check(github, case)


COMMENT_CASES = [
    (
        Case("should not do anything if comment does not match /check-dco", NO_SIGNOFF),
        "not-the-trigger",
    ),
    (
        Case(
            "should add 'no' label & status context and add a comment if no commits have sign off",
            NO_SIGNOFF,
            added=dco.NO,
            expected_status="failure",
            comment=missing(("sha", "not a sign off")),
        ),
        "/check-dco",
    ),
    (
        Case(
            "should succeed as skip dco is enabled",
            [("sha", "not a sign off", "test")],
            TRUSTED,
            added=dco.YES,
            expected_status="success",
        ),
        "/check-dco",
    ),
]


@pytest.mark.parametrize(
    ("case", "body"), COMMENT_CASES, ids=[case.name for case, _ in COMMENT_CASES]
)
async def test_handle_comment(
    github: FakeGitHub, client: GitHubClient, case: Case, body: str
) -> None:
    scene(github, case)
    ctx = context(client, "dco", dco=DcoSettings.model_validate(case.config))
    event = replace(comment_event(body), number=3)
    await apply(client, await dco.handle_generic_comment(ctx, event))
    check(github, case)


async def test_one_comment_edited_then_removed(github: FakeGitHub, client: GitHubClient) -> None:
    """Bowsprit keeps one bot comment: a second failing push edits it (Prow deletes and
    posts anew); a signed-off push deletes it."""
    case = PULL_CASES[1]
    scene(github, case)
    ctx = context(client, "dco")
    await apply(
        client,
        await dco.handle_pull_request(
            ctx, replace(pr_event("opened", pull(3, head_sha="sha")), repo=REPO)
        ),
    )
    item = github.repos[FULL].pulls[3]
    item.commits.append("sha9")
    item.commit_messages["sha9"] = "also unsigned"
    item.head_sha = "sha9"
    push = replace(pr_event("synchronize", pull(3, head_sha="sha9")), repo=REPO)
    await apply(client, await dco.handle_pull_request(ctx, push))
    assert len(comments(github)) == 1
    assert len(edits(github)) == 1 and "sha9" in edits(github)[0]
    item.commit_messages.update(sha="x\n\nSigned-off-by: a <a@b>", sha9="y\nSigned-off-by: a <a@b>")
    await apply(client, await dco.handle_pull_request(ctx, push))
    assert len(deleted(github)) == 1 and not item.comments
    assert dco.YES in [label.name for label in item.labels]
