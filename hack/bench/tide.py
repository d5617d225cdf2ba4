"""Tide's cost per sync: 1,000 open pull requests over 50 repositories in the fake GitHub,
one TidePool over the org, every PR green with lgtm. Prints, per sync, the CPU seconds of
Tide's own thread (the fake GitHub serves from another thread of this process) and the
GitHub requests by kind, including how many were answered 304 from the ETag cache (free),
and the CPU seconds of the git processes of the trial merges (each repository's PRs are
real commits of a local remote, fetched and merged as tide does before a new batch).

    python hack/bench/tide.py [--repos 50] [--prs-per-repo 20] [--syncs 3]

The first sync is cold (every GET a 200) and starts a batch per repository and 1,000
`tide` contexts; the later ones find everything unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.jobpod.jobs import Job
from bowsprit.lib.clock import utc_now
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import CommitStatus
from bowsprit.testing.gitrepos import Remote
from bowsprit.tide.registry import trier
from bowsprit.tide.sync import Caches, Syncer
from bowsprit.tide.trial import GitTrials

ORG = "bench"
POD = {"containers": [{"image": "busybox", "command": ["true"]}]}


class Cluster:
    """Stands in for the API server: Tide's two calls, recorded."""

    def __init__(self) -> None:
        self.created = 0

    def create_custom(self, namespace: str, plural: str, body: dict[str, Any]) -> dict[str, Any]:
        self.created += 1
        return body

    def patch_custom_status(self, *_: Any) -> dict[str, Any]:
        return {}


def scene(github: FakeGitHub, repos: int, per_repo: int, git_root: Path) -> Caches:
    caches = Caches()
    caches.pools[("ns", "bench")] = TidePoolSpec(orgs=[ORG], labels=["lgtm", "approved"])
    for r in range(repos):
        name = f"repo-{r}"
        remote = Remote(git_root, ORG, name)
        remote.commit({"README": name}, branch="master")
        github.add_repo(ORG, name, {"master": remote.head("master")})
        spec = BlockingPresubmitSpec.model_validate(
            {"org": ORG, "repo": name, "always_run": True, "pod_spec": POD, "name": "unit"}
        )
        caches.jobs[("BlockingPresubmit", "ns", name)] = Job("BlockingPresubmit", "ns", name, spec)
        for n in range(1, per_repo + 1):
            sha = remote.pull_request(n, {f"f{n}.go": name}, base="master")
            github.add_pull(
                f"{ORG}/{name}",
                n,
                "alice",
                sha,
                base="master",
                labels=["lgtm", "approved"],
                files=[f"f{n}.go"],
            )
            github.repos[f"{ORG}/{name}"].statuses[sha] = [
                CommitStatus("unit", "success", "", None, "bot", github.now())
            ]
    return caches


def kind(method: str, path: str) -> str:
    if path.startswith("/search"):
        return "REST search"
    if path == "/graphql":
        return "GraphQL search page"
    if method == "POST":
        return "POST status" if "/statuses/" in path else f"POST {path.split('/')[-1]}"
    if method == "PUT":
        return "PUT merge"
    if "/branches/" in path:
        return "GET branch"
    if path.endswith("/status"):
        return "GET combined status"
    if path.endswith("/files"):
        return "GET files"
    return "GET pull"


def _children() -> float:
    times = os.times()
    return times.children_user + times.children_system


async def main(repos: int, per_repo: int, syncs: int) -> None:
    with FakeGitHub() as github, tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        caches = scene(github, repos, per_repo, Path(tmp) / "git")
        print(f"git remotes made in {time.monotonic() - started:.0f} s")
        template = f"{(Path(tmp) / 'git').as_uri()}/remotes/{{org}}/{{repo}}.git"
        token = Path(tmp) / "token"
        token.write_text("t")
        client = GitHubClient(GitHubSettings(base_url=github.url, token_path=token))
        cluster = Cluster()
        syncer = Syncer(
            client,
            cluster,
            caches,
            utc_now,  # type: ignore[arg-type]
            new_name=lambda: f"job-{time.monotonic_ns()}",
            trier=trier(client, GitTrials(Path(tmp) / "work", template)),
        )
        print(f"{repos * per_repo} open PRs over {repos} repositories, one TidePool")
        for index in range(syncs):
            before_requests = len(github.requests)
            before_remaining = github.remaining
            cpu, wall, git = time.thread_time(), time.monotonic(), _children()
            outcomes = await syncer.sync()
            cpu, wall = time.thread_time() - cpu, time.monotonic() - wall
            git = _children() - git
            made = github.requests[before_requests:]
            counts = collections.Counter(kind(r.method, r.path) for r in made)
            charged = before_remaining - github.remaining
            actions = collections.Counter(o.decision.action for o in outcomes)
            print(
                f"sync {index + 1}: {cpu:.2f} s CPU (tide's thread), {git:.2f} s CPU of git"
                f" (trial merges), {wall:.2f} s elapsed;"
                f" {len(made)} requests, {charged} charged (the rest 304);"
                f" {dict(sorted(counts.items()))}; actions {dict(actions)};"
                f" ProwJobs created so far {cluster.created}"
            )
        await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--prs-per-repo", type=int, default=20)
    parser.add_argument("--syncs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.repos, args.prs_per_repo, args.syncs))
