"""What the owners plugins cost: hook's CPU per issue_comment with lgtm, approve and
owners-label on (GitHub answered from memory, so only hook's own work is timed), and the
GitHub requests one `/approve` costs, with OWNERS read as git trees and blobs (ours) or
through the contents API (one request per folder on the changed files' paths).

    python hack/bench/owners.py [--events 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.hook.events import GenericCommentEvent, RepoRef
from bowsprit.hook.plugins import PLUGINS
from bowsprit.hook.plugins.base import Context
from bowsprit.hook.plugins.owners.repoowners import parent
from bowsprit.testing.fakegithub import FakeGitHub, payloads
from bowsprit.testing.fakegithub.gitdata import blob_sha

ORG, REPO, FULL, BASE, HEAD = "acme", "rocket", "acme/rocket", "b" * 40, "c" * 40
FOLDERS = [f"pkg/area{i}/sub{j}" for i in range(10) for j in range(3)]
FILES = {
    f"{d}/OWNERS": f"approvers: [lead{i}]\nreviewers: [rev{i}]\n" for i, d in enumerate(FOLDERS)
}
FILES["OWNERS"] = "approvers: [boss]\n"
CHANGED = [f"{d}/file{k}.go" for d in FOLDERS[:10] for k in range(5)]  # 50 files, 10 folders
PLUGINS_ON = ["lgtm", "approve", "owners-label", "verify-owners"]
# Both halves of issue #16: the label plugins as well.
ALL_ON = [*PLUGINS_ON, "hold", "wip", "dco", "needs-rebase", "label", "require-matching-label"]


class MemoryGitHub:
    """The reads the plugins make, answered from memory (what the fake would send)."""

    def __init__(self, fake: FakeGitHub) -> None:
        repo = fake.repos[FULL]
        self.pull = payloads.pull(fake.url, repo, repo.pulls[1])
        self.comments = [payloads.comment(fake.url, repo, 1, c) for c in repo.pulls[1].comments]

    async def get_pull(self, org: str, repo: str, number: int) -> dict[str, Any]:
        return self.pull

    async def list_pull_files(self, org: str, repo: str, number: int) -> list[str]:
        return CHANGED

    async def list_labels(self, org: str, repo: str, number: int) -> list[str]:
        return ["lgtm"]

    async def list_issue_comments(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return self.comments

    async def list_review_comments(self, *_: Any) -> list[dict[str, Any]]:
        return []

    async def list_reviews(self, *_: Any) -> list[dict[str, Any]]:
        return []

    async def list_issue_events(self, *_: Any) -> list[dict[str, Any]]:
        return []

    async def is_collaborator(self, *_: Any) -> bool:
        return True

    async def list_collaborators(self, *_: Any) -> list[str]:
        return ["boss"] + [f"lead{i}" for i in range(30)] + [f"rev{i}" for i in range(30)]

    async def get_tree(self, *_: Any) -> list[dict[str, Any]]:
        return [{"path": p, "type": "blob", "sha": blob_sha(t)} for p, t in FILES.items()]

    async def get_blob_text(self, org: str, repo: str, sha: str) -> str:
        return next(t for t in FILES.values() if blob_sha(t) == sha)

    async def list_repo_labels(self, *_: Any) -> list[str]:
        return ["lgtm", "approved", "kind/bug"]

    async def list_pull_commits(self, *_: Any) -> list[dict[str, Any]]:
        return []

    async def team_has_member(self, *_: Any) -> bool:
        return False

    async def is_member(self, *_: Any) -> bool:
        return True


def scene(fake: FakeGitHub) -> None:
    fake.add_repo(ORG, REPO, {"main": BASE})
    fake.add_pull(FULL, 1, "author", HEAD, files=CHANGED)
    for login in ["boss"] + [f"lead{i}" for i in range(30)]:
        fake.add_collaborator(FULL, login)
    fake.git.set_files(FULL, BASE, FILES)
    for i in range(20):
        fake.add_comment(FULL, 1, f"lead{i}", "/approve" if i % 2 else "looks fine")


def event(body: str, author: str) -> GenericCommentEvent:
    return GenericCommentEvent(
        "g", "created", RepoRef(ORG, REPO), 1, True, body, author, "open", "author", ""
    )


def context(github: Any, config: PluginConfigSpec) -> Context:
    return Context(github, config, (), (), "bowsprit-bot", "ns", lambda: "x")


async def cpu_per_comment(fake: FakeGitHub, count: int, names: list[str], body: str) -> float:
    config = PluginConfigSpec(repos=[ORG], plugins=names)
    ctx = context(MemoryGitHub(fake), config)
    plugins = [PLUGINS[name] for name in names]
    comment = event(body, "lead3")
    started = time.process_time()
    for _ in range(count):
        for plugin in plugins:
            if plugin.on_generic_comment:
                await plugin.on_generic_comment(ctx, comment)
    return (time.process_time() - started) / count


async def requests_per_approve(fake: FakeGitHub, token: Path) -> tuple[int, int]:
    client = GitHubClient(GitHubSettings(base_url=fake.url, token_path=token))
    ctx = context(client, PluginConfigSpec(repos=[ORG], plugins=["approve"]))
    try:
        counts = []
        for _ in range(2):
            before = len(fake.requests)
            await PLUGINS["approve"].on_generic_comment(ctx, event("/approve", "lead3"))  # type: ignore[misc]
            counts.append(len(fake.requests) - before)
        return counts[0], counts[1]
    finally:
        await client.aclose()


async def contents_api_requests(fake: FakeGitHub, token: Path) -> int:
    """OWNERS of the changed files' folders and their parents through the contents API."""
    client = GitHubClient(GitHubSettings(base_url=fake.url, token_path=token))
    folders = set()
    for name in CHANGED:
        folder = parent(name)
        while True:
            folders.add(folder)
            if folder == "":
                break
            folder = parent(folder)
    before = len(fake.requests)
    try:
        for folder in sorted(folders):
            path = f"{folder}/OWNERS" if folder else "OWNERS"
            await client.get_file_text(ORG, REPO, path, BASE)
        await client.get_file_text(ORG, REPO, "OWNERS_ALIASES", BASE)
    finally:
        await client.aclose()
    return len(fake.requests) - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    token = Path("/tmp/bowsprit-bench-token")
    token.write_text("bench\n")
    with FakeGitHub() as fake:
        scene(fake)
        per = asyncio.run(cpu_per_comment(fake, args.events, PLUGINS_ON, "/approve"))
        every = asyncio.run(cpu_per_comment(fake, args.events, ALL_ON, "/approve"))
        plain = asyncio.run(cpu_per_comment(fake, args.events, ALL_ON, "thanks, looks fine"))
        first, again = asyncio.run(requests_per_approve(fake, token))
        contents = asyncio.run(contents_api_requests(fake, token))
    print(f"OWNERS files {len(FILES)}, changed files {len(CHANGED)} in 10 folders, 20 comments")
    print(
        "hook plugin CPU per issue_comment (/approve; lgtm, approve, owners-label, "
        f"verify-owners on; GitHub from memory): {per * 1000:.2f} ms"
    )
    print(
        "  with hold, wip, dco, needs-rebase, label, require-matching-label on too: "
        f"{every * 1000:.2f} ms; a comment without commands: {plain * 1000:.3f} ms"
    )
    print(f"GitHub requests per /approve: {first} with a cold OWNERS cache, {again} warm")
    print(
        f"OWNERS by git tree + blobs, cold: 1 tree + {len(FILES)} blobs; "
        "a new base SHA: 1 tree + changed OWNERS only"
    )
    print(
        f"OWNERS by the contents API for the same PR: {contents} requests per base SHA "
        "(no reuse across SHAs)"
    )


if __name__ == "__main__":
    main()
