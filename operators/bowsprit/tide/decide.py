"""Tide's decision for one sub-pool: a snapshot in, one action out (Prow's
filterSubpool, accumulate, accumulateBatch, pickBatch, takeAction in pkg/tide/tide.go).
Nothing here does I/O; the operator acts on the returned Decision."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bowsprit.jobpod.jobs import Job
from bowsprit.lib.contexts import base_sha_from_description
from bowsprit.tide.contexts import (
    ContextChecker,
    batch_presubmits,
    required_presubmits,
    unsuccessful,
)
from bowsprit.tide.model import (
    Blocker,
    JobResult,
    MergeTrial,
    PullRequest,
    SimpleState,
    SubPool,
    better,
)

BLOCKED = "BLOCKED"  # GitHub's mergeStateStatus when branch rules forbid the merge
Action = Literal["WAIT", "TRIGGER", "TRIGGER_BATCH", "MERGE", "MERGE_BATCH", "BLOCKED"]


@dataclass(frozen=True)
class PoolSettings:
    """Everything configured that the decision for one sub-pool reads."""

    jobs: tuple[Job, ...] = ()
    checker: ContextChecker = field(default_factory=ContextChecker)
    batch_size_limit: int = 0
    prioritize_existing_batches: bool = True
    priority: tuple[tuple[str, ...], ...] = ()
    merge_blocks_policy: str = "permit"
    squash_label: str | None = None
    rebase_label: str | None = None
    merge_label: str | None = None
    blockers: tuple[Blocker, ...] = ()


@dataclass(frozen=True)
class Decision:
    action: Action
    prs: tuple[PullRequest, ...]  # the pool after filtering
    targets: tuple[PullRequest, ...] = ()
    trigger: tuple[Job, ...] = ()  # jobs to start for the targets
    successes: tuple[int, ...] = ()
    pendings: tuple[int, ...] = ()
    missings: tuple[int, ...] = ()
    batch_pending: tuple[int, ...] = ()
    excluded: dict[int, str] = field(default_factory=dict)  # filtered out, and why
    blockers: tuple[Blocker, ...] = ()
    required: dict[int, tuple[str, ...]] = field(default_factory=dict)  # contexts per PR
    # A new batch needs a trial merge of these candidates (oldest first): the caller
    # merges them in a checkout and decides again with the MergeTrial.
    wants_trial: tuple[PullRequest, ...] = ()


def override_labels(pr: PullRequest, settings: PoolSettings) -> list[str]:
    """The merge methods a PR's labels ask for (Prow's prMergeMethod)."""
    asked = []
    for method, label in (
        ("squash", settings.squash_label),
        ("rebase", settings.rebase_label),
        ("merge", settings.merge_label),
    ):
        if label and label in pr.labels:
            asked.append(method)
    return asked


def merge_method(pr: PullRequest, default: str, settings: PoolSettings) -> str:
    asked = override_labels(pr, settings)
    return asked[0] if len(asked) == 1 else default


def merge_blocked_reason(pr: PullRequest, settings: PoolSettings) -> str:
    """Prow's isAllowedToMerge: "" when GitHub may merge the PR as configured."""
    if pr.mergeable is False:
        return "PR has a merge conflict."
    if len(override_labels(pr, settings)) > 1:
        return "PR has conflicting merge method override labels"
    if settings.merge_blocks_policy == "block" and pr.merge_state == BLOCKED:
        return (
            "PR is blocked from merging by GitHub (check branch protection, required"
            " reviews, or rulesets)"
        )
    return ""


def filter_reason(pr: PullRequest, presubmits: Sequence[Job], settings: PoolSettings) -> str:
    """Prow's filterPR: why a PR cannot stay in the pool ("" when it stays): not
    mergeable, or an unsuccessful context other than a pending one of its own required
    Prow jobs (those stay, so a PR is not kicked out while Tide retests it)."""
    reason = merge_blocked_reason(pr, settings)
    if reason:
        return reason
    own = {job.context for job in presubmits}
    for context in unsuccessful(pr.contexts, settings.checker):
        if context.state != "pending":
            return f"context {context.name} is {context.state}"
        if context.name not in own:
            return f"context {context.name} is pending and not a Prow job"
    return ""


def context_results(pr: PullRequest, base_sha: str) -> list[JobResult]:
    """Prow's prowJobsFromContexts: passing contexts whose description names the current
    base SHA count as passing jobs, so results outlive sinker's cleanup."""
    return [
        JobResult(
            "",
            "",
            "presubmit",
            each.name,
            "success",
            pr.org,
            pr.repo,
            pr.base_ref,
            base_sha,
            ((pr.number, pr.head_sha),),
        )
        for each in pr.contexts
        if each.state == "success" and base_sha_from_description(each.description) == base_sha
    ]


def accumulate(
    presubmits: dict[int, list[Job]],
    prs: Sequence[PullRequest],
    jobs: Sequence[JobResult],
    base_sha: str,
) -> tuple[list[PullRequest], list[PullRequest], list[PullRequest], dict[int, list[Job]]]:
    """Prow's accumulate: each PR is a success (every required job passed for its head on
    this base), pending, or missing (a job absent or failed, listed in the last value)."""
    successes: list[PullRequest] = []
    pendings: list[PullRequest] = []
    missings: list[PullRequest] = []
    missing_tests: dict[int, list[Job]] = {}
    for pr in prs:
        states: dict[str, SimpleState] = {}
        for job in [*jobs, *context_results(pr, base_sha)]:
            if job.type != "presubmit" or not job.pulls or job.pulls[0] != (pr.number, pr.head_sha):
                continue
            states[job.context] = better(states.get(job.context), job.simple_state)
        overall: SimpleState = "success"
        for wanted in presubmits.get(pr.number, []):
            state = states.get(wanted.context)
            if state is None or state == "failure":
                missing_tests.setdefault(pr.number, []).append(wanted)
            elif state == "pending":
                overall = "pending"
        if missing_tests.get(pr.number):
            missings.append(pr)
        elif overall == "pending":
            pendings.append(pr)
        else:
            successes.append(pr)
    return successes, pendings, missings, missing_tests


def accumulate_batch(
    pool: SubPool, jobs: Sequence[Job]
) -> tuple[list[PullRequest], list[PullRequest]]:
    """Prow's accumulateBatch: (a batch whose required jobs all passed, a batch still
    running without failures). A batch is void once one of its PRs left the pool or
    changed head."""
    by_number = {pr.number: pr for pr in pool.prs}
    states: dict[tuple[tuple[int, str], ...], dict[str, SimpleState]] = {}
    for job in pool.jobs:
        if job.type != "batch":
            continue
        if not all(by_number.get(n) and by_number[n].head_sha == sha for n, sha in job.pulls):
            continue
        per = states.setdefault(job.pulls, {})
        per[job.context] = better(per.get(job.context), job.simple_state)
    success: list[PullRequest] = []
    pending: list[PullRequest] = []
    for pulls, per in sorted(states.items()):
        prs = [by_number[n] for n, _ in pulls]
        overall: SimpleState = "success"
        for wanted in batch_presubmits(jobs, pool.branch, prs):
            state = per.get(wanted.context)
            if state is None or state == "failure":
                overall = "failure"
                break
            if state == "pending":
                overall = "pending"
        if overall == "success":
            success = prs
        elif overall == "pending":
            pending = prs
    return success, pending


def _has_labels(pr: PullRequest, wanted: Sequence[str]) -> bool:
    """Every wanted label present; "a,b" means either."""
    return all(any(alt in pr.labels for alt in label.split(",")) for label in wanted)


def pick_highest_priority(
    prs: Sequence[PullRequest],
    eligible: Callable[[PullRequest], bool],
    priority: Sequence[Sequence[str]],
) -> PullRequest | None:
    """Prow's pickHighestPriorityPR: the lowest-numbered eligible PR of the first
    priority label set any eligible PR matches (the last set is "any PR")."""
    for labels in [*priority, ()]:
        found = [pr for pr in prs if _has_labels(pr, labels) and eligible(pr)]
        if found:
            return min(found, key=lambda pr: pr.number)
    return None


def passing(pr: PullRequest, checker: ContextChecker) -> bool:
    """Prow's isPassingTests: no unsuccessful context that counts."""
    return not unsuccessful(pr.contexts, checker)


def retest_eligible(pr: PullRequest, pool: SubPool, checker: ContextChecker) -> bool:
    """Prow's isRetestEligible: every required context present, and each that counts
    either passing or pending by a Tide-created ProwJob for the PR's head."""
    if checker.missing_required(each.name for each in pr.contexts):
        return False
    for context in unsuccessful(pr.contexts, checker):
        if context.state != "pending":
            return False
        if not any(
            job.created_by_tide
            and job.type == "presubmit"
            and job.context == context.name
            and job.pulls == ((pr.number, pr.head_sha),)
            for job in pool.jobs
        ):
            return False
    return True


def existing_batch(
    pool: SubPool, candidates: Sequence[PullRequest], limit: int
) -> list[PullRequest]:
    """Prow's pickBatchWithPreexistingTests: the batch of candidates with most passing
    batch jobs, else most pending ones."""
    heads = {(pr.number, pr.head_sha) for pr in candidates}
    passed: dict[tuple[int, ...], int] = {}
    running: dict[tuple[int, ...], int] = {}
    for job in pool.jobs:
        if job.type != "batch" or (limit and len(job.pulls) > limit):
            continue
        if job.state not in ("success", "pending") or not all(p in heads for p in job.pulls):
            continue
        counts = passed if job.state == "success" else running
        key = tuple(number for number, _ in job.pulls)
        counts[key] = counts.get(key, 0) + 1
    counts = passed or running
    if not counts:
        return []
    best = max(sorted(counts), key=lambda key: counts[key])
    by_number = {pr.number: pr for pr in pool.prs}
    return [by_number[number] for number in best]


def trial_batch(
    candidates: Sequence[PullRequest], trial: MergeTrial | None, limit: int
) -> list[PullRequest] | None:
    """The new batch a trial merge found (Prow's pickNewBatch keeps the candidates that
    merge cleanly together, in order); None when the trial is missing or was made for
    other candidates or heads."""
    tried = tuple((pr.number, pr.head_sha) for pr in candidates)
    if trial is None or trial.tried != tried:
        return None
    clean = [pr for pr in candidates if pr.number in trial.clean]
    return clean[:limit] if limit > 0 else clean


def pick_batch(
    pool: SubPool, settings: PoolSettings, trial: MergeTrial | None
) -> tuple[list[PullRequest], list[Job], list[PullRequest]]:
    """Prow's pickBatch: oldest retest-eligible PRs, an existing batch first when so
    configured, else the new one the trial merge found. Last: the candidates to try when
    the trial is missing (no batch then)."""
    if settings.batch_size_limit < 0:
        return [], [], []
    ordered = sorted(pool.prs, key=lambda pr: pr.number)
    candidates = [pr for pr in ordered if retest_eligible(pr, pool, settings.checker)]
    if not candidates:
        return [], [], []
    chosen: list[PullRequest] = []
    if settings.prioritize_existing_batches:
        chosen = existing_batch(pool, candidates, settings.batch_size_limit)
    if not chosen:
        found = trial_batch(candidates, trial, settings.batch_size_limit)
        if found is None:
            return [], [], candidates
        chosen = found
    return chosen, batch_presubmits(settings.jobs, pool.branch, chosen), []


def _filtered(
    pool: SubPool, settings: PoolSettings, per_pr: dict[int, list[Job]]
) -> tuple[list[PullRequest], dict[int, str]]:
    kept, excluded = [], {}
    for pr in pool.prs:
        reason = filter_reason(pr, per_pr[pr.number], settings)
        if reason:
            excluded[pr.number] = reason
        else:
            kept.append(pr)
    return kept, excluded


# The action, its targets, the jobs to start, and the candidates wanting a trial merge.
Choice = tuple[Action, Sequence[PullRequest], Sequence[Job], Sequence[PullRequest]]


def take_action(
    view: SubPool,
    settings: PoolSettings,
    trial: MergeTrial | None,
    accumulated: tuple[list[PullRequest], list[PullRequest], list[PullRequest]],
    batches: tuple[list[PullRequest], list[PullRequest]],
    required: dict[int, list[Job]],
    missing_tests: dict[int, list[Job]],
) -> Choice:
    """Prow's takeAction, in its order (without acting)."""
    successes, pendings, missings = accumulated
    batch_success, batch_pending = batches
    if batch_success:
        return "MERGE_BATCH", batch_success, (), ()
    if successes and not batch_pending:
        chosen = pick_highest_priority(
            successes, lambda pr: passing(pr, settings.checker), settings.priority
        )
        if chosen is not None:
            return "MERGE", [chosen], (), ()
    if not any(required.values()):  # no required Prow job anywhere: nothing to test
        return "WAIT", (), (), ()
    wanted: Sequence[PullRequest] = ()
    if len(view.prs) > 1 and not batch_pending:
        batch, jobs, wanted = pick_batch(view, settings, trial)
        if len(batch) > 1:
            return "TRIGGER_BATCH", batch, jobs, ()
    if missings and not pendings and not successes:
        chosen = pick_highest_priority(
            missings, lambda pr: retest_eligible(pr, view, settings.checker), settings.priority
        )
        if chosen is not None:
            return "TRIGGER", [chosen], missing_tests[chosen.number], wanted
    return "WAIT", (), (), wanted


def decide(pool: SubPool, settings: PoolSettings, trial: MergeTrial | None = None) -> Decision:
    """One sub-pool's action, in Prow's order: MERGE_BATCH > MERGE > TRIGGER_BATCH >
    TRIGGER > WAIT; BLOCKED when a blocker issue applies. A new batch needs `trial`, the
    trial merge of the candidates in `wants_trial` of a decision made without it."""
    per_pr = {pr.number: required_presubmits(settings.jobs, pool.branch, pr) for pr in pool.prs}
    kept, excluded = _filtered(pool, settings, per_pr)
    current = [job for job in pool.jobs if job.base_sha == pool.sha]
    view = SubPool(pool.org, pool.repo, pool.branch, pool.sha, kept, current)
    batches = accumulate_batch(view, settings.jobs)
    successes, pendings, missings, missing_tests = accumulate(per_pr, kept, current, pool.sha)
    blockers = tuple(b for b in settings.blockers if b.applies(pool.org, pool.repo, pool.branch))
    choice: Choice = ("BLOCKED", (), (), ())
    if not blockers:
        choice = take_action(
            view,
            settings,
            trial,
            (successes, pendings, missings),
            batches,
            per_pr,
            missing_tests,
        )
    action, targets, jobs, wanted = choice
    return Decision(
        action,
        tuple(kept),
        tuple(targets),
        tuple(jobs),
        tuple(pr.number for pr in successes),
        tuple(pr.number for pr in pendings),
        tuple(pr.number for pr in missings),
        tuple(pr.number for pr in batches[1]),
        excluded,
        blockers,
        {n: tuple(job.context for job in need) for n, need in per_pr.items()},
        tuple(wanted),
    )
