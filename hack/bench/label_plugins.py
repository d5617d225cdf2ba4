"""hook CPU per issue_comment with hold, wip, dco, needs-rebase, label and
require-matching-label on, GitHub calls excluded: the webhook is parsed and every
plugin's handler decides, against an in-memory GitHub answering at once. Prints the CPU
per comment for a comment without commands, `/hold`, `/kind bug` and `/check-dco`
(the project's target: <= 1 ms besides GitHub calls). Then the GitHub cost of
needs-rebase's periodic re-check of an org with --pulls open pull requests, against the
HTTP fake GitHub (ETags and uncharged 304s as GitHub): requests and rate-limit points of
a first pass and of a second pass with nothing changed. Asserts nothing.

    python hack/bench/label_plugins.py [--comments 20000] [--pulls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.hook import events
from bowsprit.hook.plugins import PLUGINS, needs_rebase
from bowsprit.hook.plugins.base import Context
from bowsprit.testing.fakegithub import FakeGitHub

NAMES = ["dco", "hold", "label", "needs-rebase", "require-matching-label", "wip"]
PULL = {
    "number": 1,
    "state": "open",
    "merged": False,
    "mergeable": True,
    "user": {"login": "alice"},
    "head": {"sha": "b" * 40, "ref": "fix"},
    "base": {"sha": "a" * 40, "ref": "main"},
    "labels": [{"name": "lgtm"}],
}


class MemoryGitHub:
    """Answers every read plugins make from memory, so only plugin CPU is measured."""

    async def is_member(self, org: str, user: str) -> bool:
        return True

    async def is_collaborator(self, org: str, repo: str, user: str) -> bool:
        return True

    async def get_pull(self, org: str, repo: str, number: int) -> dict[str, Any]:
        return PULL

    async def list_pull_files(self, org: str, repo: str, number: int) -> list[str]:
        return []

    async def list_statuses(self, org: str, repo: str, ref: str) -> list[dict[str, Any]]:
        return [{"context": "dco", "state": "success"}]

    async def get_branch_sha(self, org: str, repo: str, branch: str) -> str:
        return "a" * 40

    async def list_labels(self, org: str, repo: str, number: int) -> list[str]:
        return ["lgtm", "dco-signoff: yes"]

    async def list_repo_labels(self, org: str, repo: str) -> list[str]:
        return ["kind/bug", "lgtm", "dco-signoff: yes", "needs-kind"]

    async def list_pull_commits(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return [
            {"sha": "b" * 40, "commit": {"message": "x\n\nSigned-off-by: a <a@b>"}, "parents": []}
        ]

    async def team_has_member(self, org: str, team: str, user: str) -> bool:
        return False

    async def search_issues(self, query: str, org: str) -> list[dict[str, Any]]:
        return []


def payload(body: str) -> bytes:
    return json.dumps(
        {
            "action": "created",
            "issue": {
                "number": 1,
                "state": "open",
                "user": {"login": "alice"},
                "pull_request": {"url": "https://api.github.com/repos/acme/rocket/pulls/1"},
            },
            "comment": {"body": body, "user": {"login": "bob"}, "html_url": "https://x"},
            "repository": {"name": "rocket", "owner": {"login": "acme"}},
        }
    ).encode()


async def one(ctx: Context, raw: bytes) -> None:
    for event in events.parse("issue_comment", "guid", json.loads(raw)):
        for name in NAMES:
            handler = PLUGINS[name].on_generic_comment
            if handler is not None and isinstance(event, events.GenericCommentEvent):
                await handler(ctx, event)


async def main(count: int) -> None:
    config = PluginConfigSpec.model_validate(
        {
            "repos": ["acme"],
            "plugins": NAMES,
            "label": {"additional_labels": ["api-review"]},
            "require_matching_label": [
                {"prs": True, "regexp": "^kind/", "missing_label": "needs-kind"}
            ],
        }
    )
    ctx = Context(MemoryGitHub(), config, (), (), "bot", "ci", lambda: "x")
    for body in ("Looks good to me, thanks!", "/hold", "/kind bug", "/check-dco"):
        raw = payload(body)
        for _ in range(200):  # warm up
            await one(ctx, raw)
        started = time.process_time()
        for _ in range(count):
            await one(ctx, raw)
        per = (time.process_time() - started) / count * 1e6
        print(f"{body!r:32} {per:8.1f} us CPU per issue_comment (6 plugins)")


async def resync_cost(pulls: int) -> None:
    with FakeGitHub(bot="bot") as github, tempfile.TemporaryDirectory() as folder:
        github.add_repo("acme", "rocket")
        for number in range(1, pulls + 1):
            github.add_pull("acme/rocket", number, "alice", f"{number:040x}").mergeable = (
                number % 10 != 0
            )
        (Path(folder) / "token").write_text("t")
        settings = GitHubSettings(base_url=github.url, token_path=Path(folder) / "token")
        client = GitHubClient(settings)
        config = PluginConfigSpec(repos=["acme"], plugins=["needs-rebase"])
        ctx = Context(client, config, (), (), "bot", "ci", lambda: "x")
        try:
            for name in ("first pass", "nothing changed"):
                requests, points = len(github.requests), github.remaining
                await needs_rebase.handle_resync(ctx, "acme")
                print(
                    f"needs-rebase re-check, {pulls} open PRs, {name:16}: "
                    f"{len(github.requests) - requests} requests, "
                    f"{points - github.remaining} rate-limit points"
                )
        finally:
            await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=20000)
    parser.add_argument("--pulls", type=int, default=300)
    options = parser.parse_args()
    asyncio.run(main(options.comments))
    asyncio.run(resync_cost(options.pulls))
