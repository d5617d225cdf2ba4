"""Which status contexts gate a merge (Prow's TideContextPolicy, GetTideContextPolicy,
BranchRequirements and presubmitsByPull in pkg/config/tide.go and pkg/tide/tide.go)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bowsprit.api.tidepool import TideContextPolicy, TideContextPolicyOptions
from bowsprit.jobpod.jobs import Job
from bowsprit.lib import goregex
from bowsprit.lib.goregex import GoRegex
from bowsprit.tide.model import TIDE_CONTEXT, Context, PullRequest


@dataclass(frozen=True)
class ContextChecker:
    """The resolved policy of one branch."""

    required: frozenset[str] = frozenset()
    required_if_present: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    optional_patterns: tuple[GoRegex, ...] = ()
    skip_unknown: bool = False

    def is_optional(self, context: str) -> bool:
        """Prow's IsOptional: optional by name or pattern; required ones never; unknown
        ones only under skip-unknown-contexts."""
        if context in self.optional or any(p.search(context) for p in self.optional_patterns):
            return True
        if context in self.required or context in self.required_if_present:
            return False
        return self.skip_unknown

    def missing_required(self, present: Iterable[str]) -> list[str]:
        """Prow's MissingRequiredContexts: required contexts not on the commit, sorted."""
        have = set(present)
        return sorted(context for context in self.required if context not in have)


@dataclass
class _Merged:
    required: set[str] = field(default_factory=set)
    required_if_present: set[str] = field(default_factory=set)
    optional: set[str] = field(default_factory=set)
    optional_regex: set[str] = field(default_factory=set)
    skip_unknown: bool | None = None
    from_branch_protection: bool | None = None

    def add(self, policy: TideContextPolicy | None) -> None:
        """Prow's mergeTideContextPolicy: lists are joined, a set boolean overrides."""
        if policy is None:
            return
        self.required.update(policy.required_contexts or [])
        self.required_if_present.update(policy.required_if_present_contexts or [])
        self.optional.update(policy.optional_contexts or [])
        self.optional_regex.update(policy.optional_regex_contexts or [])
        if policy.skip_unknown_contexts is not None:
            self.skip_unknown = policy.skip_unknown_contexts
        if policy.from_branch_protection is not None:
            self.from_branch_protection = policy.from_branch_protection


def _options(
    org: str,
    repo: str,
    branch: str,
    options: TideContextPolicyOptions | None,
    pool_policy: TideContextPolicy | None,
) -> _Merged:
    """Prow's parseTideContextPolicyOptions: global, then org, repo and branch overrides;
    a TidePool's own context_options last."""
    merged = _Merged()
    if options is not None:
        merged.add(options)
        org_policy = (options.orgs or {}).get(org)
        if org_policy is not None:
            merged.add(org_policy)
            repo_policy = (org_policy.repos or {}).get(repo)
            if repo_policy is not None:
                merged.add(repo_policy)
                merged.add((repo_policy.branches or {}).get(branch))
    merged.add(pool_policy)
    return merged


def overwrite_pending(
    org: str,
    repo: str,
    branch: str,
    options: TideContextPolicyOptions | None,
    pool_policy: TideContextPolicy | None,
) -> bool:
    """overwrite-pending-contexts for this branch."""
    policy = TideContextPolicy()
    for each in (options, *_overrides(org, repo, branch, options), pool_policy):
        if each is not None and each.overwrite_pending_contexts is not None:
            policy = each
    return bool(policy.overwrite_pending_contexts)


def _overrides(
    org: str, repo: str, branch: str, options: TideContextPolicyOptions | None
) -> list[TideContextPolicy | None]:
    org_policy = ((options.orgs or {}) if options else {}).get(org)
    repo_policy = ((org_policy.repos or {}) if org_policy else {}).get(repo)
    branch_policy_ = ((repo_policy.branches or {}) if repo_policy else {}).get(branch)
    return [org_policy, repo_policy, branch_policy_]


def triggers_conditionally(job: Job) -> bool:
    """Prow's TriggersConditionally: manual or file-filtered jobs may have no status."""
    return job.needs_explicit_trigger or job.has_file_filter


def branch_policy(
    org: str,
    repo: str,
    branch: str,
    jobs: Sequence[Job],
    options: TideContextPolicyOptions | None = None,
    pool_policy: TideContextPolicy | None = None,
    protected: Sequence[str] = (),
) -> ContextChecker:
    """Prow's GetTideContextPolicy: the options' contexts plus the branch requirements of
    the repository's presubmits (BranchRequirements), plus the branch protection's
    required contexts when from-branch-protection is on (`protected`)."""
    merged = _options(org, repo, branch, options, pool_policy)
    for job in jobs:
        if not job.presubmit or not job.runs_on_branch(branch):
            continue
        if not job.required:
            merged.optional.add(job.context)
        elif triggers_conditionally(job):
            merged.required_if_present.add(job.context)
        else:
            merged.required.add(job.context)
    if merged.from_branch_protection:
        merged.required.update(protected)
    return ContextChecker(
        frozenset(merged.required),
        frozenset(merged.required_if_present),
        frozenset(merged.optional),
        tuple(goregex.compile(pattern) for pattern in sorted(merged.optional_regex)),
        bool(merged.skip_unknown),
    )


def from_branch_protection(
    org: str,
    repo: str,
    branch: str,
    options: TideContextPolicyOptions | None,
    pool_policy: TideContextPolicy | None,
) -> bool:
    return bool(_options(org, repo, branch, options, pool_policy).from_branch_protection)


def required_presubmits(jobs: Sequence[Job], branch: str, pr: PullRequest) -> list[Job]:
    """Prow's presubmitsByPull for one PR: required jobs that run for its branch and
    changed files on their own (ShouldRun without defaults), plus run_before_merge."""
    found = []
    for job in jobs:
        if not job.presubmit or not job.required:
            continue
        runs = job.runs_on_branch(branch) and (
            bool(job.always_run) or bool(job.changes_match(pr.files or ()))
        )
        if runs or (job.runs_on_branch(branch) and getattr(job.spec, "run_before_merge", False)):
            found.append(job)
    return sorted(found, key=lambda job: job.context)


def batch_presubmits(jobs: Sequence[Job], branch: str, prs: Sequence[PullRequest]) -> list[Job]:
    """Prow's presubmitsForBatch: the required jobs of any PR of the batch, once each."""
    by_context: dict[str, Job] = {}
    for pr in prs:
        for job in required_presubmits(jobs, branch, pr):
            by_context.setdefault(job.context, job)
    return [by_context[name] for name in sorted(by_context)]


def unsuccessful(contexts: Sequence[Context], checker: ContextChecker) -> list[Context]:
    """Prow's unsuccessfulContexts: non-optional contexts that are not success (never
    `tide` itself), then required contexts absent from the commit as "expected"."""
    failed = [
        each
        for each in contexts
        if each.name != TIDE_CONTEXT
        and not checker.is_optional(each.name)
        and each.state != "success"
    ]
    missing = checker.missing_required(each.name for each in contexts)
    return failed + [Context(name, "expected") for name in missing]
