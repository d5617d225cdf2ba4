# ruff: noqa: E501 - scenes kept one per line
"""OWNERS read through the GitHub layer from the fake GitHub: what it costs in requests,
kept by commit SHA, blobs reused across commits, the collaborator filter."""

from __future__ import annotations

from bowsprit.api.pluginconfig import OwnersSettings
from bowsprit.clients.github import GitHubClient
from bowsprit.hook.plugins.owners.cache import OwnersCache
from bowsprit.testing.fakegithub import FakeGitHub

FILES = {
    "OWNERS": "approvers: [boss]\n",
    "OWNERS_ALIASES": "aliases:\n  team: [Ann, bob]\n",
    "a/OWNERS": "approvers: [team]\nreviewers: [carl]\n",
    "a/x.go": "",
    "b/OWNERS": "approvers: [dora]\nlabels: [area/b]\n",
}


def calls(github: FakeGitHub, kind: str) -> int:
    return sum(1 for r in github.requests if f"/git/{kind}/" in r.path)


async def test_one_tree_and_each_blob_once_per_commit(
    client: GitHubClient, github: FakeGitHub
) -> None:
    github.git.set_files("org/repo", "1" * 40, FILES)
    cache, skip = OwnersCache(), OwnersSettings(skip_collaborators=True)
    owners = await cache.load(client, "org", "repo", "1" * 40, skip)
    assert owners.approvers("a/x.go").set() == {"ann", "bob", "boss"}
    assert owners.find_labels_for_file("b/y") == {"area/b"}
    assert (calls(github, "trees"), calls(github, "blobs")) == (1, 4)  # 3 OWNERS + aliases
    assert await cache.load(client, "org", "repo", "1" * 40, skip) is owners
    assert (calls(github, "trees"), calls(github, "blobs")) == (1, 4)  # nothing asked again
    # The base moves and one OWNERS file changes: one tree and that one blob.
    github.git.set_files("org/repo", "2" * 40, {**FILES, "b/OWNERS": "approvers: [erin]\n"})
    moved = await cache.load(client, "org", "repo", "2" * 40, skip)
    assert moved.approvers("b/y").set() == {"erin", "boss"}
    assert (calls(github, "trees"), calls(github, "blobs")) == (2, 5)


async def test_approvers_who_are_not_collaborators_are_dropped(
    client: GitHubClient, github: FakeGitHub
) -> None:
    github.git.set_files("org/repo", "1" * 40, FILES)
    github.add_collaborator("org/repo", "bob")
    owners = await OwnersCache().load(client, "org", "repo", "1" * 40)
    assert owners.approvers("a/x.go").set() == {"bob"}
    assert owners.reviewers("a/x.go").set() == set()


async def test_other_file_names_and_denied_folders(
    client: GitHubClient, github: FakeGitHub
) -> None:
    files = {
        "OWNERS.md": "approvers: [x]\n",
        "a/OWNERS.md": "approvers: [y]\n",
        "b/OWNERS.md": "approvers: [z]\n",
    }
    github.git.set_files("org/repo", "1" * 40, files)
    settings = OwnersSettings(
        skip_collaborators=True, owners_filename="OWNERS.md", dir_denylist=["^b$"]
    )
    owners = await OwnersCache().load(client, "org", "repo", "1" * 40, settings)
    assert owners.approvers("a/f").set() == {"x", "y"}
    assert owners.approvers("b/f").set() == {"x"}


async def test_a_broken_file_is_skipped_and_the_rest_used(
    client: GitHubClient, github: FakeGitHub
) -> None:
    github.git.set_files(
        "org/repo", "1" * 40, {**FILES, "a/OWNERS": "approvers: [", "OWNERS_ALIASES": "aliases: 3"}
    )
    owners = await OwnersCache().load(
        client, "org", "repo", "1" * 40, OwnersSettings(skip_collaborators=True)
    )
    assert owners.approvers("a/x.go").set() == {"boss"}
    assert len(owners.problems) == 1


async def test_the_other_reads_of_the_owners_plugins(
    client: GitHubClient, github: FakeGitHub
) -> None:
    """The contents API (a missing file is None), teams, repository labels, tree hashes."""
    github.git.set_files("org/repo", "1" * 40, FILES, tree="t" * 40)
    assert await client.get_file_text("org", "repo", "a/OWNERS", "1" * 40) == FILES["a/OWNERS"]
    assert await client.get_file_text("org", "repo", "nope/OWNERS", "1" * 40) is None
    github.git.add_team("org", "Test Infra", "ann")
    assert await client.list_team_members("org", "Test Infra") == ["ann"]
    assert await client.list_team_members("org", "nobody") is None
    github.git.add_repo_labels("org/repo", "lgtm", "approved")
    assert await client.list_repo_labels("org", "repo") == ["lgtm", "approved"]
    assert await client.get_commit_tree_sha("org", "repo", "1" * 40) == "t" * 40
