"""The one GraphQL query the fake answers: Tide's pull request search (GitHub's
`search(type: ISSUE, query:, first:, after:)` with the PullRequest fields Tide selects),
paginated by an opaque cursor. Any other query is refused as GitHub refuses an unknown
field, so a client asking for something else fails loudly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bowsprit.testing.fakegithub.search import matches
from bowsprit.testing.fakegithub.state import Pull, Repo

if TYPE_CHECKING:
    from bowsprit.testing.fakegithub import FakeGitHub

PAGE_LIMIT = 100  # GitHub's largest `first`


def answer(fake: FakeGitHub, body: dict[str, Any]) -> dict[str, Any]:
    query = str(body.get("query", ""))
    variables = body.get("variables") or {}
    if "user(login:" in query:  # blunderbuss asks whether a user is busy
        login = str(variables.get("user", ""))
        status = {"indicatesLimitedAvailability": login in fake.busy_users}
        return {"data": {"user": {"login": login, "status": status}}}
    if "search(" not in query or "PullRequest" not in query:
        return {"errors": [{"message": "the fake GitHub answers only Tide's search query"}]}
    first = min(int(variables.get("first", 37)), PAGE_LIMIT)
    start = int(variables.get("after") or 0)
    found = [
        (repo, item)
        for repo in fake.repos.values()
        for item in sorted(repo.pulls.values(), key=lambda p: p.number)
        if matches(str(variables.get("query", "")), repo, item)
    ]
    page = found[start : start + first]
    end = start + len(page)
    return {
        "data": {
            "search": {
                "issueCount": len(found),
                "pageInfo": {"hasNextPage": end < len(found), "endCursor": str(end)},
                "nodes": [node(repo, item) for repo, item in page],
            },
            "rateLimit": {"cost": 1, "remaining": fake.remaining},
        }
    }


def node(repo: Repo, item: Pull) -> dict[str, Any]:
    latest: dict[str, Any] = {}
    for status in repo.statuses.get(item.head_sha, []):
        latest[status.context] = {
            "context": status.context,
            "state": status.state.upper(),
            "description": status.description,
        }
    approved = any(review.state == "APPROVED" for review in item.reviews)
    return {
        "number": item.number,
        "author": {"login": item.author},
        "baseRef": {"name": item.base_ref, "prefix": "refs/heads/"},
        "headRefName": item.head_ref,
        "headRefOid": item.head_sha,
        "mergeable": {True: "MERGEABLE", False: "CONFLICTING"}.get(item.mergeable, "UNKNOWN"),  # type: ignore[arg-type]
        "mergeStateStatus": item.merge_state or ("CLEAN" if item.mergeable else "DIRTY"),
        "isDraft": item.draft,
        "title": item.title,
        "body": item.body,
        "url": f"https://github.com/{repo.full_name}/pull/{item.number}",
        "repository": {
            "name": repo.name,
            "nameWithOwner": repo.full_name,
            "owner": {"login": repo.org},
        },
        "reviewDecision": "APPROVED" if approved else None,
        "labels": {"nodes": [{"name": label.name} for label in item.labels]},
        "milestone": {"title": item.milestone} if item.milestone else None,
        "commits": {
            "nodes": [
                {
                    "commit": {
                        "oid": item.head_sha,
                        "status": {"contexts": list(latest.values())} if latest else None,
                        "statusCheckRollup": {
                            "contexts": {
                                "nodes": [
                                    {
                                        "name": run.get("name"),
                                        "status": str(run.get("status") or "").upper(),
                                        "conclusion": str(run.get("conclusion") or "").upper()
                                        or None,
                                    }
                                    for run in repo.check_runs.get(item.head_sha, [])
                                ]
                            }
                        },
                    }
                }
            ]
        },
    }
