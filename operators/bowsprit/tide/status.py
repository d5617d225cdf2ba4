"""The `tide` status context Tide keeps on every open PR of its repositories, with
Prow's texts (pkg/tide/status.go: expectedStatus, requirementDiff, retestingStatus,
targetURL)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

from bowsprit.api.prowconfig import TideConfig
from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.tide.contexts import ContextChecker, unsuccessful
from bowsprit.tide.model import Blocker, PullRequest

IN_POOL = "In merge pool."
IN_POOL_DESPITE_BLOCKED = "In merge pool (despite BLOCKED)."
NOT_IN_POOL = "Not mergeable.{}"
MAX_DESCRIPTION = 140
MAX_LABEL_CHARS = 50


def _truncate(items: list[str]) -> list[str]:
    """Drop names to fit the description, but keep at least one."""
    count, chars = 1, len(items[0])
    while count < len(items):
        if chars + len(items[count]) > MAX_LABEL_CHARS:
            break
        chars += len(items[count]) + 2
        count += 1
    return items[:count]


def _listed(items: list[str], one: str, many: str) -> str:
    kept = _truncate(sorted(items))
    return one.format(kept[0]) if len(kept) == 1 else many.format(", ".join(kept))


def requirement_diff(
    pr: PullRequest, query: TidePoolSpec, checker: ContextChecker, blocks_policy: str = "permit"
) -> tuple[str, int]:
    """Prow's requirementDiff: the first unmet requirement of `query`, and how far the PR
    is from meeting it (wrong branch weighs most, then author, milestone, labels)."""
    desc, diff = "", 0
    included, excluded = query.includedBranches or [], query.excludedBranches or []
    if pr.base_ref in excluded or (included and pr.base_ref not in included):
        diff += 2000
        desc = desc or f" Merging to branch {pr.base_ref} is forbidden."
    if query.author and pr.author.lower() != query.author.lower():
        diff += 1000
        desc = desc or f" Must be by author {query.author.lower()}."
    if query.milestone and pr.milestone != query.milestone:
        diff += 100
        desc = desc or f" Must be in milestone {query.milestone}."
    missing = [
        label.replace(",", " or ")
        for label in query.labels or []
        if not any(alt in pr.labels for alt in label.split(","))
    ]
    diff += len(missing)
    if not desc and missing:
        desc = _listed(missing, " Needs {} label.", " Needs {} labels.")
    present = [label for label in query.missingLabels or [] if label in pr.labels]
    diff += len(present)
    if not desc and present:
        desc = _listed(present, " Should not have {} label.", " Should not have {} labels.")
    contexts = sorted({each.name for each in unsuccessful(pr.contexts, checker)})
    diff += len(contexts)
    if not desc and contexts:
        desc = _listed(contexts, " Job {} has not succeeded.", " Jobs {} have not succeeded.")
    if query.reviewApprovedRequired and not pr.review_approved:
        diff += 50
        desc = desc or " PullRequest is missing sufficient approving GitHub review(s)"
    if blocks_policy == "block" and pr.merge_state == "BLOCKED":
        diff += 100
        desc = desc or " Blocked by GitHub (branch rulesets or protection)"
    return desc, diff


def retesting(contexts: Sequence[str]) -> str:
    """Prow's retestingStatus."""
    names = sorted(contexts)
    text = NOT_IN_POOL.format(" Retesting: " + " ".join(names))
    if len(text) > MAX_DESCRIPTION:
        plural = "s" if len(names) > 1 else ""
        return NOT_IN_POOL.format(f" Retesting {len(names)} job{plural}.")
    return text


def _not_in_pool(
    pr: PullRequest,
    queries: Sequence[TidePoolSpec],
    checker: ContextChecker,
    blockers: Sequence[Blocker],
    display_all: bool,
    blocks_policy: str,
) -> tuple[str, str] | None:
    """Why a PR outside the pool is not in it; None when it meets a query after all
    (it entered since the pool was read: then the job results decide)."""
    numbers = [str(b.number) for b in blockers]
    if numbers:
        plural = "s" if len(numbers) > 1 else ""
        return "error", NOT_IN_POOL.format(
            f" Merging is blocked by issue{plural} {', '.join(numbers)}."
        )
    best, best_diff = "", -1
    for query in queries:
        desc, diff = requirement_diff(pr, query, checker, blocks_policy)
        if diff == 0:
            return None
        if display_all:
            if diff >= 2000:
                continue
            if best:
                best = best.removesuffix(".") + " OR"
            best += desc
        elif best_diff == -1 or diff < best_diff:
            best, best_diff = desc, diff
    if display_all and not best:
        best = f" No Tide query for branch {pr.base_ref} found."
    return "pending", NOT_IN_POOL.format(best)


def expected_status(
    pr: PullRequest,
    queries: Sequence[TidePoolSpec],
    checker: ContextChecker,
    *,
    in_pool: bool,
    merge_blocked: str,
    blockers: Sequence[Blocker],
    passing_current: Sequence[str],
    display_all: bool = False,
    blocks_policy: str = "permit",
) -> tuple[str, str]:
    """Prow's expectedStatus: (state, description) of the PR's `tide` context.

    `merge_blocked` is the reason GitHub cannot merge it ("" if it can); `passing_current`
    the contexts with a passing job for its head on the current base."""
    if merge_blocked:
        return "error", NOT_IN_POOL.format(" " + merge_blocked)
    if not in_pool:
        found = _not_in_pool(pr, queries, checker, blockers, display_all, blocks_policy)
        if found is not None:
            return found
    missing = checker.missing_required(passing_current)
    if missing:
        return "pending", retesting(missing)
    if blocks_policy == "permit" and pr.merge_state == "BLOCKED":
        return "success", IN_POOL_DESPITE_BLOCKED  # Prow's poolStatus
    return "success", IN_POOL


def clipped(description: str) -> str:
    if len(description) > MAX_DESCRIPTION:
        return description[: MAX_DESCRIPTION - 3] + "..."
    return description


def _by_repo(table: dict[str, str] | None, org: str, repo: str) -> str | None:
    table = table or {}
    return table.get(f"{org}/{repo}") or table.get(org) or table.get("*")


def target_url(config: TideConfig, pr: PullRequest) -> str:
    """Prow's targetURL: target_url(s), else a PR-dashboard query link."""
    if config.target_url:
        return config.target_url
    found = _by_repo(config.target_urls, pr.org, pr.repo)
    if found:
        return found
    base = config.pr_status_base_url or _by_repo(config.pr_status_base_urls, pr.org, pr.repo)
    if not base:
        return ""
    parts = urlsplit(base)
    query = f"is:pr repo:{pr.org}/{pr.repo} author:{pr.author} head:{pr.head_ref}"
    return urlunsplit(parts._replace(query=urlencode({"query": query})))
