"""`issues` webhooks through a running `bowsprit hook` to the plugins Prow registers as
issue handlers (require-matching-label), with octokit's real samples, on every target."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bowsprit.testing.fakegithub import FakeGitHub, webhook_samples
from bowsprit.testing.fakegithub.state import CommentCreated, Label, LabelAdded, LabelRemoved
from e2e.conftest import Kube, prow_config
from e2e.test_hook import FULL, ORG, QUEUED, REPO, create, hook_running

pytestmark = pytest.mark.usefixtures("crds")
SAMPLES = {(s.event, s.name): s.body for s in webhook_samples()}
ISSUE = 1  # the samples' issue


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo(ORG, REPO, {"master": "f" * 40})
        # The fake keeps an issue's labels and comments as a pull request's.
        fake.add_pull(FULL, ISSUE, "Codertocat", "e" * 40, labels=["bug"])
        yield fake


@pytest.fixture
def scene(kube: Kube, namespace: str) -> str:
    prow_config(kube, namespace)
    rule = {
        "issues": True,
        "regexp": "^kind/",
        "missing_label": "needs-kind",
        "missing_comment": "Please add a kind/ label.",
        "grace_period": "0s",
    }
    spec = {"repos": [ORG], "plugins": ["require-matching-label"], "require_matching_label": [rule]}
    create(kube, namespace, "pluginconfigs", "PluginConfig", "codertocat", spec)
    return namespace


@pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures")
def test_issue_label_events_reach_require_matching_label(
    kube: Kube, scene: str, github: FakeGitHub, tmp_path: Path
) -> None:
    with hook_running(kube, scene, github, tmp_path) as hook:
        opened = hook.post_and_wait("issues", SAMPLES["issues", "opened.payload"])
        assert QUEUED in opened.body
        assert LabelAdded(FULL, ISSUE, "needs-kind") in github.actions
        (comment,) = [a for a in github.actions if isinstance(a, CommentCreated)]
        assert comment.number == ISSUE and "Please add a kind/ label." in comment.body

        # Someone adds kind/bug: the labeled webhook carries the issue's labels.
        github.repos[FULL].pulls[ISSUE].labels.append(Label("kind/bug"))
        payload = json.loads(SAMPLES["issues", "labeled.payload"])
        payload["label"] = {"name": "kind/bug"}
        payload["issue"]["labels"] = [{"name": n} for n in ("bug", "needs-kind", "kind/bug")]
        hook.post_and_wait("issues", json.dumps(payload).encode())
        assert LabelRemoved(FULL, ISSUE, "needs-kind") in github.actions
