"""Reading pools from the fake GitHub: GraphQL pages into PullRequests."""

from __future__ import annotations

from pathlib import Path

from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import CommitStatus
from bowsprit.tide.gather import Gatherer


async def test_search_reads_every_page_with_heads_labels_and_contexts(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("t")
    with FakeGitHub() as github:
        github.add_repo("o", "r")
        for number in range(1, 81):  # three pages of 37
            github.add_pull("o/r", number, "alice", f"{number:040x}", labels=["lgtm"])
        github.repos["o/r"].pulls[5].mergeable = False
        github.repos["o/r"].statuses[f"{5:040x}"] = [
            CommitStatus("unit", "failure", "boom", None, "bot", github.now())
        ]
        client = GitHubClient(GitHubSettings(base_url=github.url, token_path=token))
        try:
            found = await Gatherer(client).search({"o": 'is:pr state:open repo:"o/r"'})
        finally:
            await client.aclose()
        pages = [r for r in github.requests if r.path == "/graphql"]
    assert [pr.number for pr in found] == sorted(range(1, 81), key=lambda n: f"o/r#{n}")
    five = next(pr for pr in found if pr.number == 5)
    assert (five.mergeable, five.head_sha, five.labels) == (False, f"{5:040x}", {"lgtm"})
    assert [(c.name, c.state, c.description) for c in five.contexts] == [
        ("unit", "failure", "boom")
    ]
    assert len(pages) == 3


async def test_check_runs_are_read_as_contexts(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("t")
    with FakeGitHub() as github:
        github.add_repo("o", "r")
        github.add_pull("o/r", 1, "alice", "1" * 40)
        github.repos["o/r"].check_runs["1" * 40] = [
            {"name": "actions/build", "status": "completed", "conclusion": "failure"},
            {"name": "actions/lint", "status": "in_progress", "conclusion": None},
        ]
        client = GitHubClient(GitHubSettings(base_url=github.url, token_path=token))
        try:
            [found] = await Gatherer(client).search({"o": 'is:pr repo:"o/r"'})
        finally:
            await client.aclose()
    assert [(c.name, c.state) for c in found.contexts] == [
        ("actions/build", "failure"),
        ("actions/lint", "pending"),
    ]
