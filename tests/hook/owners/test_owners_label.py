# ruff: noqa: E501 - Prow's table rows are kept one per line
"""Prow's pkg/plugins/owners-label TestHandle table, with its per-file labels written as
an OWNERS file's filters at the base SHA of the fake GitHub."""

from __future__ import annotations

import pytest

from bowsprit.clients.github import GitHubClient
from bowsprit.hook.effects import AddLabel
from bowsprit.hook.events import PullRequestEvent, RepoRef, parse_pull
from bowsprit.hook.plugins import owners_label
from bowsprit.testing.fakegithub import FakeGitHub, payloads
from tests.hook.owners.conftest import BASE, HEAD, context

OWNERS = """filters:
  "^a\\\\.go$": {labels: [lgtm, approved, kind/docs]}
  "^b\\\\.go$": {labels: [lgtm]}
  "^c\\\\.go$": {labels: [lgtm, dnm/frozen-docs]}
  "\\\\.sh$": {labels: [dnm/bash]}
"""

# name, files changed, expected new labels, repository labels, issue labels
CASES = [
    ("no labels", ["other.go", "something.go"], [], [], []),
    ("1 file 1 label", ["b.go"], ["lgtm"], ["lgtm"], []),
    (
        "1 file 3 labels",
        ["a.go"],
        ["approved", "kind/docs", "lgtm"],
        ["lgtm", "approved", "kind/docs"],
        [],
    ),
    (
        "2 files no overlap",
        ["c.go", "d.sh"],
        ["dnm/bash", "dnm/frozen-docs", "lgtm"],
        ["lgtm", "dnm/frozen-docs", "dnm/bash"],
        [],
    ),
    (
        "2 files partial overlap",
        ["a.go", "b.go"],
        ["approved", "kind/docs", "lgtm"],
        ["lgtm", "approved", "kind/docs"],
        [],
    ),
    ("2 files complete overlap", ["d.sh", "e.sh"], ["dnm/bash"], ["dnm/bash"], []),
    (
        "3 files partial overlap",
        ["a.go", "b.go", "c.go"],
        ["approved", "dnm/frozen-docs", "kind/docs", "lgtm"],
        ["lgtm", "approved", "kind/docs", "dnm/frozen-docs"],
        [],
    ),
    (
        "no labels to add, initial unrelated label",
        ["other.go", "something.go"],
        [],
        ["lgtm"],
        ["lgtm"],
    ),
    ("1 file 1 label, already present", ["b.go"], [], ["lgtm"], ["lgtm"]),
    ("1 file 1 label, doesn't exist on the repo", ["b.go"], [], ["approved"], []),
    (
        "2 files no overlap, 1 label already present",
        ["c.go", "d.sh"],
        ["dnm/frozen-docs", "lgtm"],
        ["dnm/bash", "approved", "lgtm", "dnm/frozen-docs"],
        ["dnm/bash", "approved"],
    ),
    (
        "2 files complete overlap, label already present",
        ["d.sh", "e.sh"],
        [],
        ["dnm/bash"],
        ["dnm/bash"],
    ),
]


@pytest.mark.parametrize(
    ("files", "expected", "repo_labels", "issue_labels"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
async def test_handle(
    client: GitHubClient,
    github: FakeGitHub,
    files: list[str],
    expected: list[str],
    repo_labels: list[str],
    issue_labels: list[str],
) -> None:
    github.add_pull("org/repo", 1, "user", HEAD, base="master", files=files, labels=issue_labels)
    github.git.set_files("org/repo", BASE, {"OWNERS": OWNERS})
    github.git.add_repo_labels("org/repo", *repo_labels)
    repo = github.repos["org/repo"]
    pull = parse_pull(payloads.pull(github.url, repo, repo.pulls[1]))
    event = PullRequestEvent("g", "opened", RepoRef("org", "repo"), pull, "user", None, False)
    effects = await owners_label.handle_pull_request(context(client, "owners-label"), event)
    assert effects == [AddLabel("org", "repo", 1, label) for label in expected]


async def test_no_labels_asked_costs_no_label_reads(
    client: GitHubClient, github: FakeGitHub
) -> None:
    """Prow returns before reading labels when OWNERS ask for none."""
    github.add_pull("org/repo", 1, "user", HEAD, base="master", files=["x.go"])
    repo = github.repos["org/repo"]
    pull = parse_pull(payloads.pull(github.url, repo, repo.pulls[1]))
    event = PullRequestEvent("g", "opened", RepoRef("org", "repo"), pull, "user", None, False)
    assert await owners_label.handle_pull_request(context(client, "owners-label"), event) == []
    assert not [r for r in github.requests if r.path.endswith("/labels")]
