"""lgtm and approve end to end, with `bowsprit hook` as a process on every target and
real OWNERS files in the fake GitHub at the pull request's base SHA: a PR by a
non-approver touching two folders → `/lgtm` by a reviewer → `/approve` by an approver of
one folder (no `approved` yet; the one notification names the missing approver) →
`/approve` by the other (`approved`, the same notification edited) → a push removes
`lgtm` (and owners-label labels the PR from OWNERS)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bowsprit.testing.fakegithub import FakeGitHub, payloads
from bowsprit.testing.fakegithub.state import (
    CommentCreated,
    CommentEdited,
    LabelAdded,
    LabelRemoved,
)
from e2e.conftest import Kube, prow_config
from e2e.test_hook import FULL, HEAD, ORG, REPO, SAMPLES, create, hook_running, pr_comment

pytestmark = [
    pytest.mark.usefixtures("crds"),
    pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures"),
]

BASE = "f" * 40
FILES = {
    "OWNERS": "approvers: [boss]\n",
    "OWNERS_ALIASES": "aliases:\n  backend-leads: [be-lead]\n",
    "frontend/OWNERS": "approvers: [fe-lead]\nreviewers: [reviewer]\nlabels: [area/frontend]\n",
    "frontend/app.js": "",
    "backend/OWNERS": "approvers: [backend-leads]\n",
    "backend/main.go": "",
}


@pytest.fixture
def github() -> Any:
    with FakeGitHub() as fake:
        fake.add_repo(ORG, REPO, {"master": BASE})
        fake.add_pull(
            FULL, 2, "Codertocat", HEAD, base="master", files=["frontend/app.js", "backend/main.go"]
        )
        for login in ("reviewer", "fe-lead", "be-lead", "boss"):
            fake.add_collaborator(FULL, login)
        fake.git.set_files(FULL, BASE, FILES)
        fake.git.add_repo_labels(FULL, "lgtm", "approved", "area/frontend")
        yield fake


def labels(github: FakeGitHub) -> set[str]:
    return {label.name for label in github.repos[FULL].pulls[2].labels}


def synchronize(github: FakeGitHub) -> bytes:
    """A push to the pull request, with its labels as GitHub has them now."""
    repo = github.repos[FULL]
    sample = json.loads(
        next(s.body for s in SAMPLES if s.name == "opened.payload" and s.event == "pull_request")
    )
    pull = payloads.pull(github.url, repo, repo.pulls[2])
    return json.dumps(
        {**sample, "action": "synchronize", "number": 2, "pull_request": pull}
    ).encode()


def say(hook: Any, github: FakeGitHub, author: str, text: str) -> None:
    """A comment as GitHub has it (approve reads them all back) and its webhook."""
    github.add_comment(FULL, 2, author, text)
    hook.post_and_wait("issue_comment", pr_comment(text, author, 2))


def notifications(github: FakeGitHub) -> list[str]:
    return [c.body for c in github.repos[FULL].pulls[2].comments if "[APPROVALNOTIFIER]" in c.body]


def test_lgtm_then_approvals_from_two_folders_then_a_push(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    prow_config(kube, namespace)
    spec = {"repos": [ORG], "plugins": ["lgtm", "approve", "owners-label"]}
    create(kube, namespace, "pluginconfigs", "PluginConfig", "owners", spec)
    with hook_running(kube, namespace, github, tmp_path) as hook:
        say(hook, github, "reviewer", "/lgtm")
        assert labels(github) == {"lgtm"}

        say(hook, github, "fe-lead", "/approve")
        assert "approved" not in labels(github)
        (note,) = notifications(github)
        assert note.startswith("[APPROVALNOTIFIER] This PR is **NOT APPROVED**")
        assert 'title="Approved">fe-lead</a>' in note
        assert "please assign [be-lead](https://github.com/be-lead) for approval" in note
        assert (
            "- **[backend/OWNERS](https://github.com/Codertocat/Hello-World/blob/master/backend/OWNERS)**"
            in note
        )
        assert "- ~~[frontend/OWNERS]" in note

        say(hook, github, "be-lead", "/approve")
        assert labels(github) == {"lgtm", "approved"}
        (note,) = notifications(github)  # the same comment, edited
        assert note.startswith("[APPROVALNOTIFIER] This PR is **APPROVED**")
        created = [
            a
            for a in github.actions
            if isinstance(a, CommentCreated) and "APPROVALNOTIFIER" in a.body
        ]
        assert len(created) == 1
        assert any(isinstance(a, CommentEdited) for a in github.actions)

        hook.post_and_wait("pull_request", synchronize(github))
        assert LabelRemoved(FULL, 2, "lgtm") in github.actions
        assert labels(github) == {"approved", "area/frontend"}
        assert LabelAdded(FULL, 2, "area/frontend") in github.actions
        assert any(
            c.body == "New changes are detected. LGTM label has been removed."
            for c in github.repos[FULL].pulls[2].comments
        )


def test_the_author_cannot_lgtm_and_strangers_are_refused(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    prow_config(kube, namespace)
    create(
        kube,
        namespace,
        "pluginconfigs",
        "PluginConfig",
        "owners",
        {"repos": [ORG], "plugins": ["lgtm"]},
    )
    with hook_running(kube, namespace, github, tmp_path) as hook:
        say(hook, github, "Codertocat", "/lgtm")
        say(hook, github, "stranger", "/lgtm")
    assert labels(github) == set()
    replies = [c.body for c in github.repos[FULL].pulls[2].comments if c.author == github.bot]
    assert replies[0].startswith("@Codertocat: you cannot LGTM your own PR.")
    assert replies[1].startswith("@stranger: changing LGTM is restricted to collaborators")


def submitted_review(github: FakeGitHub, reviewer: str, state: str) -> bytes:
    """A pull_request_review webhook for PR 2, built on the octokit sample."""
    sample = json.loads(
        next(
            s.body
            for s in SAMPLES
            if s.event == "pull_request_review" and s.name == "submitted.payload"
        )
    )
    repo = github.repos[FULL]
    review = {
        **sample["review"],
        "state": state,
        "body": "",
        "user": {**sample["review"]["user"], "login": reviewer},
    }
    pull = payloads.pull(github.url, repo, repo.pulls[2])
    return json.dumps({**sample, "review": review, "pull_request": pull}).encode()


def test_reviews_act_as_lgtm_and_approval(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    """review_acts_as_lgtm, and approve counting review states: an approving review by the
    backend approver adds lgtm and approves backend; requested changes take lgtm away."""
    prow_config(kube, namespace)
    spec = {"repos": [ORG], "plugins": ["lgtm", "approve"], "lgtm": {"review_acts_as_lgtm": True}}
    create(kube, namespace, "pluginconfigs", "PluginConfig", "owners", spec)
    with hook_running(kube, namespace, github, tmp_path) as hook:
        github.add_review(FULL, 2, "be-lead", "APPROVED")
        hook.post_and_wait("pull_request_review", submitted_review(github, "be-lead", "approved"))
        assert labels(github) == {"lgtm"}
        (note,) = notifications(github)
        assert 'title="Approved">be-lead</a>' in note and "**NOT APPROVED**" in note

        github.add_review(FULL, 2, "be-lead", "CHANGES_REQUESTED")
        hook.post_and_wait(
            "pull_request_review", submitted_review(github, "be-lead", "changes_requested")
        )
        assert labels(github) == set()
        (note,) = notifications(github)
        assert "be-lead</a>" not in note.split("\n\n")[1]
