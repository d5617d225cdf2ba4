"""Tide's decision: Prow's TestFilterSubpool, TestPickSmallestPassingNumber,
TestTakeActionV2, TestPickBatchPrefersBatchesWithPreexistingJobs (pkg/tide/tide_test.go)
ported, then whole-sub-pool cases for every branch of the decision."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest

from bowsprit.tide.contexts import ContextChecker
from bowsprit.tide.decide import (
    Decision,
    PoolSettings,
    filter_reason,
    merge_method,
    pick_highest_priority,
    take_action,
)
from bowsprit.tide.decide import decide as decide_once
from bowsprit.tide.model import Blocker, MergeTrial, PullRequest, SubPool
from tests.tide.build import BASE, BRANCH, ORG, REPO, job, pr, run


def clean_trial(
    candidates: Sequence[PullRequest], limit: int, conflicting: Iterable[int] = ()
) -> MergeTrial:
    """What a trial merge reports when only `conflicting` fail to merge (the real git
    trial is tests/tide/test_trial.py)."""
    clean = [c.number for c in candidates if c.number not in set(conflicting)]
    return MergeTrial(
        tuple((c.number, c.head_sha) for c in candidates),
        tuple(clean[:limit] if limit > 0 else clean),
    )


def decide(pool: SubPool, settings: PoolSettings, conflicting: Iterable[int] = ()) -> Decision:
    """A decision as the sync makes it: a second one with the trial merge when the first
    asks for it."""
    first = decide_once(pool, settings)
    if not first.wants_trial:
        return first
    trial = clean_trial(first.wants_trial, settings.batch_size_limit, conflicting)
    return decide_once(pool, settings, trial)


# TestFilterSubpool ------------------------------------------------------------------------

FILTER_CHECKER = ContextChecker(
    required=frozenset({"pj-a", "pj-b", "other-a"}),
    optional=frozenset({"tide", "pj-c"}),
    skip_unknown=True,
)
FILTER_JOBS = {1: [job("pj-a")], 2: [job("pj-a"), job("pj-b")]}


@pytest.mark.parametrize(
    ("number", "mergeable", "contexts", "kept"),
    [
        (1, True, [("pj-a", "success"), ("pj-b", "success"), ("other-a", "success")], True),
        (1, False, [("pj-a", "success"), ("pj-b", "success"), ("other-a", "success")], False),
        (2, True, [("pj-a", "success"), ("pj-b", "success"), ("other-a", "pending")], False),
        (2, True, [("pj-a", "success"), ("pj-b", "pending"), ("other-a", "success")], True),
        (2, True, [("pj-a", "success"), ("pj-b", "failure"), ("other-a", "success")], False),
        (2, True, [("pj-b", "success"), ("other-a", "success")], False),
        (
            2,
            True,
            [
                ("pj-a", "success"),
                ("pj-b", "success"),
                ("other-a", "success"),
                ("unknown", "failure"),
            ],
            True,
        ),
        (1, True, [("pj-a", "success"), ("pj-b", "success"), ("other-a", "failure")], False),
    ],
    ids=[
        "one mergeable passing PR (omitting optional context)",
        "one unmergeable passing PR",
        "one mergeable PR pending non-PJ context (consider failing)",
        "one mergeable PR pending PJ context (consider in pool)",
        "one mergeable PR failing PJ context (consider failing)",
        "one mergeable PR missing PJ context (consider failing)",
        "one mergeable PR failing unknown context (consider in pool)",
        "one PR failing non-PJ required context",
    ],
)
def test_filter_subpool(
    number: int, mergeable: bool, contexts: list[tuple[str, str]], kept: bool
) -> None:
    settings = PoolSettings(checker=FILTER_CHECKER)
    reason = filter_reason(
        pr(number, mergeable=mergeable, contexts=contexts), FILTER_JOBS[number], settings
    )
    assert (reason == "") is kept, reason


# TestPickSmallestPassingNumber ----------------------------------------------------------

PRIORITIES = (
    ("kind/failing-test",),
    ("area/deflake",),
    ("kind/bug", "priority/critical-urgent"),
    ("kind/feature,kind/enhancement,kind/undefined",),
)


@pytest.mark.parametrize(
    ("prs", "expected"),
    [
        ([(5, []), (3, [])], 3),
        ([(3, ["kind/enhancement", "kind/undefined"]), (1, ["kind/enhancement"])], 1),
        ([(5, []), (3, []), (7, ["area/deflake"])], 7),
        ([(7, ["area/deflake"]), (6, ["area/deflake"]), (1, ["area/deflake"])], 1),
        ([(5, []), (3, []), (6, ["kind/bug"])], 3),
        (
            [
                (5, []),
                (3, []),
                (6, ["kind/bug"]),
                (7, ["kind/bug", "priority/critical-urgent"]),
                (8, ["area/deflake"]),
                (9, ["kind/failing-test"]),
            ],
            9,
        ),
    ],
    ids=[
        "no label",
        "any of given label alternatives",
        "deflake PR",
        "same label",
        "missing one label",
        "complete",
    ],
)
def test_pick_smallest_passing_number(prs: list[tuple[int, list[str]]], expected: int) -> None:
    candidates = [pr(number, labels=labels) for number, labels in prs]
    chosen = pick_highest_priority(candidates, lambda _: True, PRIORITIES)
    assert chosen is not None and chosen.number == expected


# TestTakeActionV2 ----------------------------------------------------------------------------

TAKE_JOBS = (job("foo"), job("if-changed"))


@pytest.mark.parametrize(
    (
        "batch_pending",
        "successes",
        "pendings",
        "nones",
        "batch_merges",
        "presubmits",
        "action",
        "targets",
        "triggered",
    ),
    [
        (True, [], [], [], [], True, "WAIT", [], 0),
        (True, [], [1], [0, 2], [], True, "WAIT", [], 0),
        (True, [1], [], [0, 2], [], True, "WAIT", [], 0),
        (True, [], [], [0, 1, 2], [], True, "TRIGGER", [0], 2),
        (False, [], [0], [1, 2, 3], [], True, "TRIGGER_BATCH", [0, 1, 2, 3], 2),
        (False, [], [], [0], [], True, "TRIGGER", [0], 2),
        (False, [0], [], [1, 2, 3], [], True, "MERGE", [0], 0),
        (False, [0, 1], [2, 3], [4, 5], [6, 7, 8], True, "MERGE_BATCH", [6, 7, 8], 0),
        (False, [5, 4], [], [], [], False, "MERGE", [4], 0),
        (False, [], [], [], [], False, "WAIT", [], 0),
        (False, [], [], [1, 2, 3], [], True, "TRIGGER_BATCH", [1, 2, 3], 2),
    ],
    ids=[
        "no prs to test, should do nothing",
        "pending batch, pending serial, nothing to do",
        "pending batch, successful serial, nothing to do",
        "pending batch, should trigger serial",
        "no pending batch, should trigger batch",
        "one PR, should not trigger batch",
        "successful PR, should merge",
        "successful batch, should merge",
        "no presubmits, merge",
        "no presubmits, wait",
        "no pending serial or batch, should trigger batch",
    ],
)
def test_take_action(  # type: ignore[no-untyped-def]
    batch_pending,
    successes,
    pendings,
    nones,
    batch_merges,
    presubmits,
    action,
    targets,
    triggered,
) -> None:
    def pulls(numbers: list[int]) -> list[PullRequest]:
        return [pr(n) for n in numbers]

    everything = pulls(successes + pendings + nones + batch_merges)
    view = SubPool(ORG, REPO, BRANCH, BASE, everything, [])
    settings = PoolSettings(jobs=TAKE_JOBS if presubmits else ())
    required = {100: list(TAKE_JOBS)} if presubmits else {}
    missing = {n: list(TAKE_JOBS) for n in nones}
    candidates = sorted(everything, key=lambda p: p.number)
    chosen, chosen_targets, jobs, _ = take_action(
        view,
        settings,
        clean_trial(candidates, 0),
        (pulls(successes), pulls(pendings), pulls(nones)),
        (pulls(batch_merges), [pr(99)] if batch_pending else []),
        required,
        missing,
    )
    assert (chosen, sorted(p.number for p in chosen_targets), len(jobs)) == (
        action,
        targets,
        triggered,
    )


# Whole sub-pools -------------------------------------------------------------------------

OLD_BASE = "0" * 40
UNIT = job("unit")


def green(number: int, sha: str | None = None, **kwargs: object) -> PullRequest:
    """A PR whose `unit` passed on some earlier base (as crier reported it)."""
    return pr(number, sha, contexts=[("unit", "success")], **kwargs)  # type: ignore[arg-type]


def pool(prs: list[PullRequest], runs: list | None = None) -> SubPool:  # type: ignore[type-arg]
    return SubPool(ORG, REPO, BRANCH, BASE, prs, runs or [])


def settings(**kwargs: object) -> PoolSettings:
    base: dict[str, object] = {
        "jobs": (UNIT,),
        "checker": ContextChecker(required=frozenset({"unit"})),
    }
    base.update(kwargs)
    return PoolSettings(**base)  # type: ignore[arg-type]


def numbers(prs: tuple[PullRequest, ...]) -> list[int]:
    return [p.number for p in prs]


def test_green_prs_without_results_on_this_base_are_tested_together() -> None:
    decision = decide(pool([green(1), green(2), green(3)]), settings())
    assert decision.action == "TRIGGER_BATCH"
    assert numbers(decision.targets) == [1, 2, 3]
    assert [j.context for j in decision.trigger] == ["unit"]
    assert decision.missings == (1, 2, 3)


def test_a_passing_batch_on_the_current_base_merges() -> None:
    heads = [(1, "origin/pr-1"), (2, "origin/pr-2"), (3, "origin/pr-3")]
    decision = decide(
        pool([green(1), green(2), green(3)], [run("unit", "success", heads)]), settings()
    )
    assert (decision.action, numbers(decision.targets)) == ("MERGE_BATCH", [1, 2, 3])


def test_results_on_a_base_that_moved_count_for_nothing() -> None:
    heads = [(1, "origin/pr-1"), (2, "origin/pr-2")]
    runs = [
        run("unit", "success", heads, base=OLD_BASE),
        run("unit", "success", [(1, "origin/pr-1")], base=OLD_BASE),
    ]
    decision = decide(pool([green(1), green(2)], runs), settings())
    assert decision.action == "TRIGGER_BATCH" and decision.successes == ()


def test_a_pr_pushed_while_its_batch_ran_voids_the_batch() -> None:
    heads = [(1, "origin/pr-1"), (2, "old-head")]
    decision = decide(pool([green(1), green(2)], [run("unit", "success", heads)]), settings())
    assert decision.action == "TRIGGER_BATCH"  # tested again with the new head, not merged


def test_a_pending_batch_holds_back_a_passing_pr() -> None:
    runs = [
        run("unit", "pending", [(1, "origin/pr-1"), (2, "origin/pr-2")]),
        run("unit", "success", [(3, "origin/pr-3")]),
    ]
    decision = decide(pool([green(1), green(2), green(3)], runs), settings())
    assert decision.action == "WAIT" and decision.batch_pending == (1, 2)
    assert decision.successes == (3,)


def test_serial_merge_picks_priority_then_oldest() -> None:
    runs = [run("unit", "success", [(n, f"origin/pr-{n}")]) for n in (4, 5, 6)]
    prs = [green(4), green(5), green(6, labels=["kind/failing-test"])]
    assert numbers(decide(pool(prs, runs), settings()).targets) == [4]
    decision = decide(pool(prs, runs), settings(priority=(("kind/failing-test",),)))
    assert (decision.action, numbers(decision.targets)) == ("MERGE", [6])


def test_a_single_failing_pr_is_retested_serially() -> None:
    runs = [run("unit", "failure", [(1, "origin/pr-1")])]
    decision = decide(pool([green(1)], runs), settings())
    assert (decision.action, numbers(decision.targets)) == ("TRIGGER", [1])
    assert [j.context for j in decision.trigger] == ["unit"]


def test_a_running_serial_retest_is_waited_for() -> None:
    runs = [run("unit", "pending", [(1, "origin/pr-1")])]
    assert decide(pool([green(1)], runs), settings()).action == "WAIT"


def test_a_failed_context_leaves_the_pool() -> None:
    failing = pr(2, contexts=[("unit", "failure")])
    decision = decide(pool([green(1), failing]), settings())
    assert numbers(decision.prs) == [1]
    assert decision.excluded == {2: "context unit is failure"}
    assert decision.action == "TRIGGER"


def test_conflicting_prs_leave_the_pool_and_the_trial_merge_keeps_a_batch_clean() -> None:
    decision = decide(pool([green(1), green(2, mergeable=False)]), settings())
    assert decision.excluded == {2: "PR has a merge conflict."}
    decision = decide(pool([green(1), green(2), green(3)]), settings(), conflicting=[3])
    assert numbers(decision.targets) == [1, 2]
    alone = decide(pool([green(1), green(2)]), settings(), conflicting=[2])
    assert (alone.action, numbers(alone.targets)) == ("TRIGGER", [1])  # no batch of one


def test_a_new_batch_waits_for_a_trial_of_exactly_its_candidates() -> None:
    prs = [green(1), green(2)]
    first = decide_once(pool(prs), settings())
    assert first.action == "TRIGGER" and numbers(first.wants_trial) == [1, 2]
    stale = MergeTrial(((1, "origin/pr-1"), (2, "old-head")), (1, 2))
    assert decide_once(pool(prs), settings(), stale).wants_trial == first.wants_trial
    trial = clean_trial(first.wants_trial, 0)
    again = decide_once(pool(prs), settings(), trial)
    assert (again.action, numbers(again.targets), again.wants_trial) == (
        "TRIGGER_BATCH",
        [1, 2],
        (),
    )


def test_batch_size_limit() -> None:
    prs = [green(n) for n in (1, 2, 3)]
    assert numbers(decide(pool(prs), settings(batch_size_limit=2)).targets) == [1, 2]
    serial = decide(pool(prs), settings(batch_size_limit=-1))
    assert (serial.action, numbers(serial.targets)) == ("TRIGGER", [1])


def test_an_existing_batch_is_preferred_unless_switched_off() -> None:
    runs = [
        run("unit", "failure", [(1, "origin/pr-1"), (2, "origin/pr-2"), (3, "origin/pr-3")]),
        run("lint", "success", [(2, "origin/pr-2"), (3, "origin/pr-3")]),
    ]
    prs = [green(n) for n in (1, 2, 3)]
    decision = decide(pool(prs, runs), settings())
    assert numbers(decision.targets) == [2, 3]
    fresh = decide(pool(prs, runs), settings(prioritize_existing_batches=False))
    assert numbers(fresh.targets) == [1, 2, 3]  # a new batch: every clean candidate


def test_a_blocker_issue_blocks_its_branch_only() -> None:
    prs = [green(1), green(2)]
    blocker = Blocker(ORG, REPO, 9, "tree closed branch:master", frozenset({BRANCH}))
    decision = decide(pool(prs), settings(blockers=(blocker,)))
    assert decision.action == "BLOCKED" and decision.blockers == (blocker,)
    other = Blocker(ORG, REPO, 9, "release branch:release-1", frozenset({"release-1"}))
    assert decide(pool(prs), settings(blockers=(other,))).action == "TRIGGER_BATCH"


def test_merge_method_labels() -> None:
    labelled = settings(squash_label="tide/squash", rebase_label="tide/rebase")
    assert merge_method(pr(1, labels=["tide/squash"]), "merge", labelled) == "squash"
    assert merge_method(pr(1), "rebase", labelled) == "rebase"
    both = pr(1, labels=["tide/squash", "tide/rebase"], contexts=[("unit", "success")])
    decision = decide(pool([both]), labelled)
    assert decision.excluded == {1: "PR has conflicting merge method override labels"}


def test_no_required_jobs_means_merge_when_green_else_wait() -> None:
    nothing = PoolSettings()
    assert decide(pool([pr(1)]), nothing).action == "MERGE"
    failing = pr(1, contexts=[("external-ci", "failure")])
    decision = decide(pool([failing]), nothing)
    assert decision.action == "WAIT" and decision.excluded


def test_run_if_changed_jobs_are_required_only_for_matching_files() -> None:
    docs = job("docs", run_if_changed=r"^docs/")
    jobs = (UNIT, docs)
    checker = ContextChecker(required=frozenset({"unit"}), required_if_present=frozenset({"docs"}))
    code = green(1, files=["main.go"])
    doc = green(2, files=["docs/a.md"])
    runs = [
        run("unit", "success", [(1, "origin/pr-1")]),
        run("unit", "success", [(2, "origin/pr-2")]),
    ]
    decision = decide(pool([code, doc], runs), PoolSettings(jobs=jobs, checker=checker))
    assert decision.required == {1: ("unit",), 2: ("docs", "unit")}
    assert decision.successes == (1,) and decision.missings == (2,)
    assert (decision.action, numbers(decision.targets)) == ("MERGE", [1])


def test_a_failed_batch_is_tried_again_as_prow_does() -> None:
    """Prow has no memory of failed batches: its pickNewBatch picks the same clean
    candidates again (a flake passes the next time)."""
    prs = [green(1), green(2), green(3)]
    heads = [(n, f"origin/pr-{n}") for n in (1, 2, 3)]
    failed = [run("unit", "failure", heads)]
    decision = decide(pool(prs, failed), settings())
    assert (decision.action, numbers(decision.targets)) == ("TRIGGER_BATCH", [1, 2, 3])
