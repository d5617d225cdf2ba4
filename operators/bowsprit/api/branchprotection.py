"""Required status contexts from Prow's `branch-protection`, for tide's
`from-branch-protection` context policy.

Prow's tide asks its branch-protection config which contexts a branch requires
(pkg/config/tide.go GetTideContextPolicy -> GetBranchProtection): the global policy, then
the org's, the repo's and the branch's, each applied over the one before
(pkg/config/branch_protection.go Policy.Apply: contexts are a union, `protect` the most
specific one set), and the contexts count only when the result has `protect: true`.
Bowsprit has no branchprotector, so `bowsprit convert` resolves that inheritance once
and keeps only the result, in ProwConfig `spec.tide.branch_protection`:

    org -> repo -> branch -> {required_status_checks: {contexts: [...]}}

`*` as a repo stands for every repo of the org not listed, `*` as a branch for every
branch of the repo not listed. Tide looks a branch up as: the org (absent: nothing
required), then the repo or else `*`, then the branch or else `*`; a listed repo never
falls back to the org's `*` entry, since its own entries already include the org's.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bowsprit.api.base import ApiModel

WILDCARD = "*"


class RequiredStatusChecks(ApiModel):
    """Status contexts that must be green before merging."""

    contexts: list[str] = Field(default_factory=list)
    """Names of the required status contexts."""


class BranchRequirements(ApiModel):
    """What a protected branch requires before merging."""

    required_status_checks: RequiredStatusChecks = Field(default_factory=RequiredStatusChecks)
    """Required status checks (Prow's branch-protection required_status_checks)."""


BranchProtectionMap = dict[str, dict[str, dict[str, BranchRequirements]]]


def required_contexts(
    protection: BranchProtectionMap | None, org: str, repo: str, branch: str
) -> list[str]:
    """The contexts a branch requires, looked up as the module docstring says."""
    repos = (protection or {}).get(org)
    if repos is None:
        return []
    branches = repos.get(repo, repos.get(WILDCARD, {}))
    found = branches.get(branch, branches.get(WILDCARD))
    return list(found.required_status_checks.contexts) if found else []


def _apply(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Prow's Policy.Apply, for the two fields tide reads."""
    protect = child.get("protect", parent.get("protect"))
    contexts = _contexts(parent)
    for context in _contexts(child):
        if context not in contexts:
            contexts.append(context)
    return {"protect": protect, "contexts": contexts}


def _contexts(policy: dict[str, Any]) -> list[str]:
    if "contexts" in policy and "required_status_checks" not in policy:
        return list(policy["contexts"])  # already resolved
    checks = policy.get("required_status_checks") or {}
    return [str(context) for context in (checks.get("contexts") or [])]


def _entry(policy: dict[str, Any]) -> dict[str, Any] | None:
    if policy.get("protect") is True and policy["contexts"]:
        return {"required_status_checks": {"contexts": sorted(policy["contexts"])}}
    return None


def resolve(section: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """Prow's `branch-protection` section as the org -> repo -> branch map above."""
    if not isinstance(section, dict):
        return {}
    top = _apply({}, section)
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for org, org_section in sorted((section.get("orgs") or {}).items()):
        org_policy = _apply(top, org_section or {})
        repos: dict[str, dict[str, Any]] = {}
        default = _entry(org_policy)
        if default:
            repos[WILDCARD] = {WILDCARD: default}
        for repo, repo_section in sorted(((org_section or {}).get("repos") or {}).items()):
            repo_policy = _apply(org_policy, repo_section or {})
            branches: dict[str, Any] = {}
            if entry := _entry(repo_policy):
                branches[WILDCARD] = entry
            for branch, branch_section in sorted(
                ((repo_section or {}).get("branches") or {}).items()
            ):
                # A listed branch always gets an entry, empty when it is not protected,
                # so that it never falls back to the repo's `*`.
                entry = _entry(_apply(repo_policy, branch_section or {}))
                branches[str(branch)] = entry or {"required_status_checks": {"contexts": []}}
            repos[str(repo)] = branches
        result[str(org)] = repos
    return result
