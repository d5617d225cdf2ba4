"""What a sync reads from GitHub: the pools' searches as GraphQL (Prow's query: each PR
with its head, mergeability, labels and head contexts, 37 a page), changed files when a
job filters on them, branch heads, blocker issues.

A search costs one request per page; branch heads revalidate with their ETags (304s,
free); changed files are kept per head SHA here, as they never change for a given head."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.clients.github import GitHubClient
from bowsprit.tide import checkruns
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
    """org and repo of a REST search result (its repository_url ends /repos/<org>/<repo>)."""
    parts = str(item["repository_url"]).rstrip("/").split("/")
    return parts[-2], parts[-1]


# Prow's searchQuery and PullRequest (pkg/tide/tide.go), with the head commit only.
SEARCH = """
query($query: String!, $first: Int!, $after: String) {
  search(type: ISSUE, first: $first, after: $after, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ... on PullRequest {
        number
        author { login }
        baseRef { name prefix }
        headRefName
        headRefOid
        mergeable
        mergeStateStatus
        isDraft
        title
        body
        url
        repository { name nameWithOwner owner { login } }
        reviewDecision
        labels(first: 100) { nodes { name } }
        milestone { title }
        commits(last: 1) {
          nodes {
            commit {
              oid
              status { contexts { context state description } }
              statusCheckRollup {
                contexts(last: 100) { nodes { ... on CheckRun { name conclusion status } } }
              }
            }
          }
        }
      }
    }
  }
  rateLimit { cost remaining }
}
"""
PAGE = 37  # Prow's page: keeps a query under GitHub's node limit


def from_node(node: dict[str, Any]) -> tuple[PullRequest, bool]:
    """A PR as Tide sees it, and whether its contexts are those of its head (else they
    must be read separately)."""
    repository = node["repository"]
    commits = (node.get("commits") or {}).get("nodes") or []
    commit = commits[-1]["commit"] if commits else {}
    head = str(node["headRefOid"])
    status = commit.get("status") or {}
    rollup = ((commit.get("statusCheckRollup") or {}).get("contexts") or {}).get("nodes") or []
    contexts = tuple(
        Context(str(c["context"]), str(c["state"]).lower(), str(c.get("description") or ""))
        for c in status.get("contexts") or []
    ) + tuple(checkruns.contexts(rollup))
    mergeable = {"MERGEABLE": True, "CONFLICTING": False}.get(str(node.get("mergeable")))
    url = str(node.get("url") or "")
    login = str((node.get("author") or {}).get("login") or "")
    return (
        PullRequest(
            org=str(repository["owner"]["login"]),
            repo=str(repository["name"]),
            number=int(node["number"]),
            author=login,
            title=str(node.get("title") or ""),
            body=str(node.get("body") or ""),
            base_ref=str(node["baseRef"]["name"]),
            head_ref=str(node.get("headRefName") or ""),
            head_sha=head,
            labels=frozenset(str(n["name"]) for n in (node.get("labels") or {}).get("nodes") or []),
            mergeable=mergeable,
            merge_state=str(node.get("mergeStateStatus") or ""),
            milestone=(node.get("milestone") or {}).get("title"),
            review_approved=node.get("reviewDecision") == "APPROVED",
            contexts=contexts,
            html_url=url,
        ),
        commit.get("oid") == head,
    )


class Gatherer:
    """Reads GitHub for syncs; keeps changed files by head SHA between syncs."""

    def __init__(self, github: GitHubClient) -> None:
        self.github = github
        self.files: dict[tuple[str, str, int, str], tuple[str, ...]] = {}
        self._limit = asyncio.Semaphore(PARALLEL)

    async def search(self, queries: dict[str, str]) -> list[PullRequest]:
        """The PRs the queries find (one GraphQL search per org, page by page)."""
        found: dict[str, PullRequest] = {}
        for org, query in sorted(queries.items()):
            after: str | None = None
            while True:
                variables = {"query": query, "first": PAGE, "after": after}
                data = await self.github.graphql(SEARCH, variables, org)
                for node in data["search"]["nodes"]:
                    if not node:  # an issue, not a pull request
                        continue
                    pr, current = from_node(node)
                    if not current:  # the newest commit is not the head: ask for its status
                        pr = replace(pr, contexts=await self._contexts(pr))
                    found[pr.key] = pr
                page = data["search"]["pageInfo"]
                if not page.get("hasNextPage"):
                    break
                after = page["endCursor"]
        return [found[key] for key in sorted(found)]

    async def _contexts(self, pr: PullRequest) -> tuple[Context, ...]:
        statuses = await self.github.list_statuses(pr.org, pr.repo, pr.head_sha)
        return tuple(
            Context(str(s["context"]), str(s["state"]), str(s.get("description") or ""))
            for s in statuses
        )

    async def with_files(
        self, prs: list[PullRequest], repos: set[tuple[str, str]]
    ) -> list[PullRequest]:
        """The PRs of `repos` (those with jobs that filter on files) with changed files."""

        async def one(pr: PullRequest) -> PullRequest:
            if (pr.org, pr.repo) not in repos:
                return pr
            key = (pr.org, pr.repo, pr.number, pr.head_sha)
            if key not in self.files:
                async with self._limit:
                    files = await self.github.list_pull_files(pr.org, pr.repo, pr.number)
                self.files[key] = tuple(files)
            return replace(pr, files=self.files[key])

        return list(await asyncio.gather(*(one(pr) for pr in prs)))

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
