"""GitHub cost of the everyday plugins, against the HTTP fake GitHub: the reads each
plugin's handler makes (its effects' writes are neither carried out nor counted) for a
first-time contributor's `pull_request opened` (welcome, size, blunderbuss,
mergecommitblocker, release-note) and for common comments (`/assign`, `/cc`,
`/lifecycle stale`, `/retitle`, `/milestone`, `/skip`), and the time per event over
--rounds rounds (HTTP to a local fake; shared machine: read as an upper bound).
Asserts nothing.

    python hack/bench/everyday_plugins.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.hook.events import GenericCommentEvent, PullRequest, PullRequestEvent, RepoRef
from bowsprit.hook.plugins import PLUGINS
from bowsprit.hook.plugins.base import Context
from bowsprit.testing.fakegithub import FakeGitHub

ORG, NAME = "org", "repo"
FULL = f"{ORG}/{NAME}"
BASE, HEAD = "a" * 40, "b" * 40
REPO = RepoRef(ORG, NAME, f"https://github.com/{FULL}")
OPENED = ["welcome", "size", "blunderbuss", "mergecommitblocker", "release-note"]
COMMENTS = {
    "assign": "/assign @maintainer",
    "assign ": "/cc @reviewer",
    "lifecycle": "/lifecycle stale",
    "retitle": "/retitle A better title",
    "milestone": "/milestone v1.0",
    "skip": "/skip",
}


def scene(fake: FakeGitHub) -> None:
    fake.add_repo(ORG, NAME, {"main": BASE, "feature": HEAD})
    item = fake.add_pull(FULL, 1, "newcomer", HEAD, files=["pkg/a.go", "docs/b.md"])
    item.file_changes = {"pkg/a.go": (40, 2), "docs/b.md": (3, 1)}
    fake.git.set_files(
        FULL,
        BASE,
        {"OWNERS": "approvers: [lead]\nreviewers: [r1]\n", "pkg/OWNERS": "reviewers: [r2, r3]\n"},
    )
    for login in ("lead", "r1", "r2", "r3", "maintainer", "reviewer"):
        fake.add_collaborator(FULL, login)
    fake.add_member(ORG, "maintainer")
    fake.teams[(ORG, "leads")] = {"maintainer"}
    fake.repos[FULL].milestones = {1: "v1.0"}


def context(client: GitHubClient) -> Context:
    spec = PluginConfigSpec.model_validate(
        {
            "repos": [ORG],
            "plugins": OPENED + sorted({name.strip() for name in COMMENTS}),
            "milestone": {"maintainers_team": "leads"},
        }
    )
    return Context(client, spec, (), (), "bot", "ci", lambda: "x")


def opened() -> PullRequestEvent:
    pull = PullRequest(
        1, "newcomer", "Add a", "open", False, HEAD, "feature", "main", BASE, (), True,
        f"https://github.com/{FULL}/pull/1", "", body="Adds a.", head_repo=FULL, base_repo=FULL,
    )  # fmt: skip
    return PullRequestEvent("g", "opened", REPO, pull, "newcomer", None, False)


def comment(body: str) -> GenericCommentEvent:
    return GenericCommentEvent(
        "g", "created", REPO, 1, True, body, "maintainer", "open", "newcomer", "u"
    )


async def measure(fake: FakeGitHub, client: GitHubClient, rounds: int) -> None:
    ctx = context(client)
    rows: list[tuple[str, int, float]] = []
    for name in OPENED:
        plugin = PLUGINS[name]
        assert plugin.on_pull_request is not None
        before = len(fake.requests)
        started = time.perf_counter()
        for _ in range(rounds):
            await plugin.on_pull_request(ctx, opened())
        elapsed = (time.perf_counter() - started) / rounds
        rows.append((f"{name} (opened)", (len(fake.requests) - before) // rounds, elapsed))
    for name, body in COMMENTS.items():
        plugin = PLUGINS[name.strip()]
        assert plugin.on_generic_comment is not None
        before = len(fake.requests)
        started = time.perf_counter()
        for _ in range(rounds):
            await plugin.on_generic_comment(ctx, comment(body))
        elapsed = (time.perf_counter() - started) / rounds
        rows.append((f"{name.strip()} ({body})", (len(fake.requests) - before) // rounds, elapsed))
    print(f"{'plugin (event)':40} {'GitHub requests':>16} {'ms per event':>13}")
    for label, requests, seconds in rows:
        print(f"{label:40} {requests:>16} {seconds * 1000:>13.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with FakeGitHub(bot="bot") as fake, tempfile.TemporaryDirectory() as folder:
        scene(fake)
        token = Path(folder) / "token"
        token.write_text("t")
        client = GitHubClient(GitHubSettings(base_url=fake.url, token_path=token))

        async def run() -> None:
            try:
                await measure(fake, client, args.rounds)
            finally:
                await client.aclose()

        asyncio.run(run())


if __name__ == "__main__":
    main()
