"""`issues` webhooks reach the plugins Prow registers as issue handlers: of the plugins
Bowsprit has, require-matching-label (pkg/plugins/require-matching-label: handleIssue).
Driven by octokit's real `issues` samples. Comments on issues reach the generic comment
handlers (lifecycle, help, label, ...) as before; see test_events.py."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest

from bowsprit.api.pluginconfig import RequireMatchingLabelSettings
from bowsprit.clients.github import GitHubClient
from bowsprit.hook import events
from bowsprit.hook.apply import Applier
from bowsprit.hook.caches import Caches
from bowsprit.hook.plugins import PLUGINS, require_matching_label
from bowsprit.hook.server import Hook
from bowsprit.hook.tokens import token_file
from bowsprit.testing.fakegithub import FakeGitHub, webhook_samples
from tests.hook.plugin_harness import (
    FULL,
    ORG,
    REPO,
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

SAMPLES = {(s.event, s.name): s for s in webhook_samples()}
pytestmark = pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures")

NEEDS_KIND = RequireMatchingLabelSettings(
    issues=True, regexp="^kind/", missing_label="needs-kind", missing_comment="Add a kind."
)
NEEDS_TRIAGE = RequireMatchingLabelSettings(
    issues=True, regexp="^(bug|feature)$", missing_label="needs-triage"
)


def issue_event(name: str, **changes: Any) -> events.IssueEvent:
    """The sample's IssueEvent, moved to the harness's repository; `labels` in `changes`
    replace the issue's labels in the payload."""
    payload = json.loads(SAMPLES["issues", f"{name}.payload"].body)
    if "labels" in changes:
        payload["issue"]["labels"] = [{"name": label} for label in changes.pop("labels")]
    event, *_ = events.parse("issues", "guid", payload)
    assert isinstance(event, events.IssueEvent)
    return replace(event, repo=REPO, **changes)


async def test_an_opened_issue_without_a_matching_label_gets_the_missing_one(
    github: FakeGitHub, client: GitHubClient
) -> None:
    github.add_repo(ORG, "repo")
    github.add_pull(FULL, 1, "Codertocat", "b" * 40, labels=["bug"])  # issue #1 stands in
    ctx = context(client, "require-matching-label", require_matching_label=[NEEDS_KIND])
    await apply(client, await require_matching_label.handle_issue(ctx, issue_event("opened")))
    assert added(github) == ["needs-kind"]
    assert len(comments(github)) == 1 and comments(github)[0].startswith("Add a kind.")


async def test_a_label_event_decides_on_the_webhooks_labels(
    github: FakeGitHub, client: GitHubClient
) -> None:
    # Prow's handleIssue takes the labels from the payload: GitHub, here without the
    # matching label, is not asked (if it were, needs-triage would stay).
    github.add_repo(ORG, "repo")
    github.add_pull(FULL, 1, "Codertocat", "b" * 40, labels=["needs-triage"])
    ctx = context(client, "require-matching-label", require_matching_label=[NEEDS_TRIAGE])
    labeled = issue_event("labeled", labels=["bug", "needs-triage"])
    await apply(client, await require_matching_label.handle_issue(ctx, labeled))
    assert removed(github) == ["needs-triage"]
    assert not [r for r in github.requests if r.method == "GET" and r.path.endswith("/labels")]


@pytest.mark.parametrize(
    ("rule", "name", "labels"),
    [
        # A rule for pull requests only ignores issues.
        (NEEDS_KIND.model_copy(update={"issues": False, "prs": True}), "opened", ["bug"]),
        # An unrelated label changed: nothing to decide.
        (NEEDS_KIND, "labeled", ["bug"]),
        (NEEDS_KIND, "unlabeled", []),
        # Not an action the plugin handles.
        (NEEDS_KIND, "assigned", ["bug"]),
        (NEEDS_KIND, "closed", ["bug"]),
    ],
    ids=["prs-only", "unrelated-label", "unrelated-unlabel", "assigned", "closed"],
)
async def test_issue_events_that_change_nothing(
    github: FakeGitHub,
    client: GitHubClient,
    rule: RequireMatchingLabelSettings,
    name: str,
    labels: list[str],
) -> None:
    github.add_repo(ORG, "repo")
    github.add_pull(FULL, 1, "Codertocat", "b" * 40, labels=labels)
    ctx = context(client, "require-matching-label", require_matching_label=[rule])
    sample = "opened" if name == "closed" else name  # octokit has no closed sample
    event = issue_event(sample, action=name, labels=labels)
    assert await require_matching_label.handle_issue(ctx, event) == []


async def test_hook_routes_issue_webhooks_to_the_plugins_that_handle_issues(
    github: FakeGitHub, client: GitHubClient, tmp_path: Path
) -> None:
    """octokit's issue comment and labeled samples through hook's dispatcher: the
    comment's commands reach label, lifecycle and help (Prow's generic comment handlers,
    which see issues); hold ignores issues as in Prow; the label event reaches
    require-matching-label (Prow's issue handler)."""
    org, name = "Codertocat", "Hello-World"
    repo = github.add_repo(org, name)
    repo.labels = ["kind/bug", "lifecycle/frozen", "help wanted", "needs-triage"]
    github.add_pull(f"{org}/{name}", 1, "Codertocat", "b" * 40, labels=["needs-triage"])
    (tmp_path / "hmac").write_text("s3cret")
    caches = Caches(known_plugins=set(PLUGINS))
    plugins = ["label", "lifecycle", "help", "hold", "require-matching-label"]
    caches.plugin_configs.replace(
        [
            {
                "metadata": {"namespace": "ci", "name": "codertocat"},
                "spec": {
                    "repos": [org],
                    "plugins": plugins,
                    "require_matching_label": [NEEDS_TRIAGE.model_dump(mode="json")],
                },
            }
        ]
    )
    hook = Hook(
        tokens=token_file(tmp_path / "hmac"),
        caches=caches,
        github=client,
        applier=Applier(client, cast(Any, None)),
        bot="k8s-ci-robot",
    )
    comment = json.loads(SAMPLES["issue_comment", "created.payload"].body)
    comment["comment"]["body"] = "/kind bug\n/lifecycle frozen\n/help\n/hold"
    labeled = json.loads(SAMPLES["issues", "labeled.payload"].body)
    labeled["issue"]["labels"] = [{"name": n} for n in ("bug", "needs-triage")]
    for kind, payload in (("issue_comment", comment), ("issues", labeled)):
        for event in events.parse(kind, "guid", payload):
            await hook.dispatch(event)
    assert sorted(added(github)) == ["help wanted", "kind/bug", "lifecycle/frozen"]
    assert removed(github) == ["needs-triage"]  # `bug` matches ^(bug|feature)$
