"""`issues` webhooks reach the plugins Prow registers as issue handlers: of the plugins
Bowsprit has, require-matching-label (pkg/plugins/require-matching-label: handleIssue).
Driven by octokit's real `issues` samples. Comments on issues reach the generic comment
handlers (lifecycle, help, label, ...) as before; see test_events.py."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bowsprit.api.pluginconfig import RequireMatchingLabelSettings
from bowsprit.clients.github import GitHubClient
from bowsprit.hook import events
from bowsprit.hook.plugins import require_matching_label
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
