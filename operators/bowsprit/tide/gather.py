"""What a sync reads from GitHub: the pools' searches, each PR's head and mergeability,
its head contexts, changed files when a job filters on them, branch heads, blocker issues.

Every GET revalidates with its ETag (the GitHub client's cache), so a sync of an
unchanged pool costs one charged search per org of each query and 304s for the rest.
Changed files are kept per head SHA here: they never change for a given head."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from typing import Any

from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.clients.github import GitHubClient
from bowsprit.tide.model import Blocker, Context, PullRequest

# Requests a sync has in flight at once (the client retries and waits for rate limits).
PARALLEL = 8
_BRANCH_TOKEN = re.compile(r"branch:([^\s]+)")


def _quoted(value: str) -> str:
    return f'"{value}"'


def pool_queries(spec: TidePoolSpec) -> dict[str, str]:
    """Prow's TideQuery.OrgQueries: one search per org (App tokens are per org), with
    is:pr state:open archived:false and every condition of the pool."""
    by_org: dict[str, list[str]] = {}
    for org in spec.orgs or []:
        by_org.setdefault(org, []).append(f"org:{_quoted(org)}")
    for full in spec.repos or []:
        by_org.setdefault(full.split("/")[0], []).append(f"repo:{_quoted(full)}")
    rest: list[str] = []
    rest += [f"-base:{_quoted(b)}" for b in spec.excludedBranches or []]
    rest += [f"base:{_quoted(b)}" for b in spec.includedBranches or []]
    # "a,b" means either label: GitHub's label:"a","b" (Prow writes it so).
    rest += [
        "label:" + ",".join(_quoted(alt) for alt in label.split(",")) for label in spec.labels or []
    ]
    rest += [f"-label:{_quoted(label)}" for label in spec.missingLabels or []]
    if spec.milestone:
        rest.append(f"milestone:{_quoted(spec.milestone)}")
    if spec.author:
        rest.append(f"author:{_quoted(spec.author)}")
    if spec.reviewApprovedRequired:
        rest.append("review:approved")
    queries = {}
    for org, scope in by_org.items():
        excluded = [
            f"-repo:{_quoted(r)}" for r in spec.excludedRepos or [] if r.startswith(org + "/")
        ]
        queries[org] = " ".join(["is:pr", "state:open", "archived:false", *scope, *excluded, *rest])
    return queries


def open_queries(specs: Iterable[TidePoolSpec]) -> dict[str, str]:
    """Every open PR of the pools' orgs and repos, for the `tide` context of PRs not in a
    pool (Prow's openPRsQueries), one search per org."""
    scopes: dict[str, set[str]] = {}
    for spec in specs:
        for org in spec.orgs or []:
            scopes.setdefault(org, set()).add(f"org:{_quoted(org)}")
        for full in spec.repos or []:
            scopes.setdefault(full.split("/")[0], set()).add(f"repo:{_quoted(full)}")
    return {
        org: " ".join(["is:pr", "state:open", "archived:false", *sorted(scope)])
        for org, scope in scopes.items()
    }


def repo_of(item: dict[str, Any]) -> tuple[str, str]:
    """org and repo of a search result (its repository_url ends /repos/<org>/<repo>)."""
    parts = str(item["repository_url"]).rstrip("/").split("/")
    return parts[-2], parts[-1]


class Gatherer:
    """Reads GitHub for syncs; keeps changed files by head SHA between syncs."""

    def __init__(self, github: GitHubClient) -> None:
        self.github = github
        self.files: dict[tuple[str, str, int, str], tuple[str, ...]] = {}
        self._limit = asyncio.Semaphore(PARALLEL)

    async def search(self, queries: dict[str, str]) -> list[dict[str, Any]]:
        found: dict[tuple[str, str, int], dict[str, Any]] = {}
        for org, query in sorted(queries.items()):
            for item in await self.github.search_issues(query, org):
                found[(*repo_of(item), int(item["number"]))] = item
        return [found[key] for key in sorted(found)]

    async def pull(
        self, item: dict[str, Any], want_files: bool, review_approved: bool = False
    ) -> PullRequest:
        """One PR as Tide sees it: the search result plus its pull and head status."""
        org, repo = repo_of(item)
        number = int(item["number"])
        async with self._limit:
            pull = await self.github.get_pull(org, repo, number)
            head = str(pull["head"]["sha"])
            statuses = await self.github.list_statuses(org, repo, head)
            files = None
            if want_files:
                key = (org, repo, number, head)
                if key not in self.files:
                    self.files[key] = tuple(await self.github.list_pull_files(org, repo, number))
                files = self.files[key]
        milestone = item.get("milestone") or {}
        return PullRequest(
            org=org,
            repo=repo,
            number=number,
            author=str((item.get("user") or {}).get("login", "")),
            title=str(item.get("title", "")),
            base_ref=str(pull["base"]["ref"]),
            head_ref=str(pull["head"]["ref"]),
            head_sha=head,
            labels=frozenset(str(label["name"]) for label in item.get("labels") or []),
            mergeable=pull.get("mergeable"),
            milestone=milestone.get("title"),
            review_approved=review_approved,
            contexts=tuple(
                Context(str(s["context"]), str(s["state"]), str(s.get("description") or ""))
                for s in statuses
            ),
            files=files,
            html_url=str(pull.get("html_url") or ""),
            author_link=str((pull.get("user") or {}).get("html_url") or ""),
        )

    async def pulls(
        self, items: list[dict[str, Any]], want_files: set[tuple[str, str]], approved: bool
    ) -> list[PullRequest]:
        return list(
            await asyncio.gather(
                *(self.pull(item, repo_of(item) in want_files, approved) for item in items)
            )
        )

    async def branch_sha(self, org: str, repo: str, branch: str) -> str:
        async with self._limit:
            return await self.github.get_branch_sha(org, repo, branch)

    async def blockers(self, label: str, orgs: Iterable[str]) -> list[Blocker]:
        """Open issues with the blocker label; `branch:<name>` tokens in a title limit the
        issue to those branches (Prow's pkg/tide/blockers)."""
        found = []
        for org in sorted(set(orgs)):
            query = f'is:issue state:open label:"{label}" org:"{org}"'
            for item in await self.github.search_issues(query, org):
                if item.get("pull_request"):
                    continue
                owner, repo = repo_of(item)
                title = str(item.get("title", ""))
                branches = frozenset(_BRANCH_TOKEN.findall(title))
                found.append(Blocker(owner, repo, int(item["number"]), title, branches))
        return found

    def forget_files(self, keep: set[tuple[str, str, int, str]]) -> None:
        """Drop changed files of heads no longer open, so the cache stays bounded."""
        self.files = {key: value for key, value in self.files.items() if key in keep}
