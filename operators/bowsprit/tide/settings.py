"""One sub-pool's settings from the ProwConfig's tide section and its TidePool (Prow's
TideConfig getters: the most specific of org/repo, org and `*` wins)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from bowsprit.api.prowconfig import TideConfig
from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.jobpod.jobs import Job
from bowsprit.tide.contexts import branch_policy
from bowsprit.tide.decide import PoolSettings
from bowsprit.tide.model import Blocker

T = TypeVar("T")
WILDCARD = "*"


def by_repo(table: Mapping[str, T] | None, org: str, repo: str, default: T) -> T:
    table = table or {}
    for key in (f"{org}/{repo}", org, "*"):
        if key in table:
            return table[key]
    return default


def protected_contexts(config: TideConfig, org: str, repo: str, branch: str) -> list[str]:
    """The contexts branch protection requires (for from-branch-protection): ProwConfig
    `spec.tide.branch_protection`, org -> repo -> branch -> required_status_checks.contexts
    with `*` for any other repo or branch, as `bowsprit convert` writes it (a listed repo
    never falls back to the org's `*`). Read by name so tide works with or without it."""
    table: Any = getattr(config, "branch_protection", None) or {}
    repos = table.get(org)
    if repos is None:
        return []
    branches = repos.get(repo, repos.get(WILDCARD, {}))
    found = branches.get(branch, branches.get(WILDCARD))
    if found is None:
        return []
    checks: Any = (
        found.get("required_status_checks")
        if isinstance(found, Mapping)
        else found.required_status_checks
    )
    if checks is None:
        return []
    names = checks.get("contexts") if isinstance(checks, Mapping) else checks.contexts
    return [str(name) for name in names or []]


def merge_method(config: TideConfig, spec: TidePoolSpec, org: str, repo: str) -> str:
    if spec.merge_method:
        return spec.merge_method
    return by_repo(config.merge_method, org, repo, "merge")


def pool_settings(
    config: TideConfig,
    spec: TidePoolSpec,
    org: str,
    repo: str,
    branch: str,
    jobs: Sequence[Job],
    blockers: Sequence[Blocker],
) -> PoolSettings:
    limit = spec.batch_size_limit
    if limit is None:
        limit = by_repo(config.batch_size_limit, org, repo, 0)
    priority = tuple(tuple(entry.get("labels") or ()) for entry in config.priority or [])
    return PoolSettings(
        jobs=tuple(jobs),
        checker=branch_policy(
            org,
            repo,
            branch,
            jobs,
            config.context_options,
            spec.context_options,
            protected_contexts(config, org, repo, branch),
        ),
        batch_size_limit=limit,
        prioritize_existing_batches=by_repo(config.prioritize_existing_batches, org, repo, True),
        priority=priority,
        merge_blocks_policy=by_repo(config.github_merge_blocks_policy, org, repo, "permit"),
        squash_label=config.squash_label,
        rebase_label=config.rebase_label,
        merge_label=config.merge_label,
        blockers=tuple(blockers),
    )


def covers(spec: TidePoolSpec, org: str, repo: str) -> bool:
    """Whether a pool's query is about this repository (Prow's QueryMap.ForRepo)."""
    full = f"{org}/{repo}"
    if full in (spec.repos or []):
        return True
    return org in (spec.orgs or []) and full not in (spec.excludedRepos or [])
