"""The everyday plugins end to end: `bowsprit hook` as its own process against the cluster
(emulator and envtest) and the HTTP fake GitHub, fed webhooks built from the octokit
samples. A first-time contributor opens a pull request: welcome comment, size label,
review requests from OWNERS; then /assign, /lifecycle stale, /retitle, /milestone; the
merge deletes the branch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import CommentCreated
from e2e.conftest import Kube, prow_config
from e2e.test_hook import (
    FULL,
    HEAD,
    ORG,
    REPO,
    SAMPLES,
    create,
    hook_running,
    pr_comment,
    sample_body,
)

pytestmark = [
    pytest.mark.usefixtures("crds"),
    pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures"),
]

BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"  # the samples' base commit of PR #2
NEWCOMER = "first-timer"
MAINTAINER = "octo-maintainer"
OWNERS_FILES = {
    "OWNERS": "approvers:\n- octo-maintainer\nreviewers:\n- root-reviewer\n",
    "docs/OWNERS": "reviewers:\n- docs-reviewer\n- docs-helper\n",
}


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo(ORG, REPO, {"master": BASE, "changes": HEAD})
        item = fake.add_pull(
            FULL, 2, NEWCOMER, HEAD, base="master", head="changes", files=["docs/guide.md"]
        )
        item.file_changes = {"docs/guide.md": (12, 3)}  # 15 lines: size/S
        fake.git.set_files(FULL, BASE, OWNERS_FILES)
        fake.add_member(ORG, MAINTAINER)
        for login in ("root-reviewer", "docs-reviewer", "docs-helper", MAINTAINER):
            fake.add_collaborator(FULL, login)
        fake.repos[FULL].milestones = {1: "v1.0"}
        fake.teams[(ORG, "maintainers")] = {MAINTAINER}
        yield fake


def pull_request(action: str, **fields: Any) -> bytes:
    body = sample_body("pull_request", "opened.payload")
    body["action"] = action
    user = {**body["pull_request"]["user"], "login": NEWCOMER}
    body["pull_request"] = {**body["pull_request"], "labels": [], "user": user, **fields}
    return json.dumps(body).encode()


def comments(github: FakeGitHub) -> list[str]:
    return [a.body for a in github.actions if isinstance(a, CommentCreated)]


def test_first_contribution_journey(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    prow_config(kube, namespace)
    create(
        kube,
        namespace,
        "pluginconfigs",
        "PluginConfig",
        "everyday",
        {
            "repos": [ORG],
            "plugins": [
                "welcome",
                "size",
                "blunderbuss",
                "assign",
                "lifecycle",
                "retitle",
                "milestone",
                "branchcleaner",
            ],
            "size": {"s": 10, "m": 30, "l": 90, "xl": 270, "xxl": 520},
            "blunderbuss": {"request_count": 2, "max_request_count": 2},
            "milestone": {"maintainers_team": "maintainers"},
        },
    )
    pull = github.repos[FULL].pulls[2]
    with hook_running(kube, namespace, github, tmp_path, "--resync-period", "0") as hook:
        hook.post_and_wait("pull_request", pull_request("opened"))
        (welcome,) = comments(github)
        assert welcome == (f"Welcome @{NEWCOMER}! It looks like this is your first PR to {FULL} 🎉")
        assert {label.name for label in pull.labels} == {"size/S"}
        assert sorted(pull.requested_reviewers) == ["docs-helper", "docs-reviewer"]

        hook.post_and_wait("issue_comment", pr_comment("/assign", MAINTAINER, 2))
        assert pull.assignees == [MAINTAINER]
        hook.post_and_wait("issue_comment", pr_comment("/lifecycle stale", NEWCOMER, 2))
        assert "lifecycle/stale" in {label.name for label in pull.labels}
        hook.post_and_wait(
            "issue_comment", pr_comment("/retitle Explain the guide better", MAINTAINER, 2)
        )
        assert pull.title == "Explain the guide better"
        hook.post_and_wait("issue_comment", pr_comment("/milestone v1.0", MAINTAINER, 2))
        assert pull.milestone == "v1.0"

        # A push re-labels: the pull request grew.
        pull.file_changes = {"docs/guide.md": (60, 40)}
        hook.post_and_wait("pull_request", pull_request("synchronize"))
        assert {label.name for label in pull.labels} >= {"size/L"}
        assert "size/S" not in {label.name for label in pull.labels}

        pull.merged, pull.state = True, "closed"
        hook.post_and_wait("pull_request", pull_request("closed", merged=True, state="closed"))
        assert "changes" not in github.repos[FULL].branches
        assert len(comments(github)) == 1  # nothing said beyond the welcome
