"""Prow's TestAccumulate and TestAccumulateBatch (pkg/tide/tide_test.go), ported."""

from __future__ import annotations

import pytest

from bowsprit.lib.contexts import description_with_base_sha
from bowsprit.tide.decide import accumulate, accumulate_batch
from bowsprit.tide.model import SubPool
from tests.tide.build import BASE, BRANCH, ORG, REPO, job, pr, run

JOBS = [job("job1"), job("job2")]
FOUR = [job("job1"), job("job2"), job("job3"), job("job4")]


def _accumulate(presubmits, prs, runs):  # type: ignore[no-untyped-def]
    successes, pendings, missings, _ = accumulate(presubmits, prs, runs, BASE)
    return (
        sorted(p.number for p in successes),
        sorted(p.number for p in pendings),
        sorted(p.number for p in missings),
    )


def test_accumulate_first_table() -> None:
    prs = [pr(n, "") for n in range(1, 8)]
    runs = [
        run(name, state, [(n, "")])
        for n, name, state in [
            (2, "job1", "pending"),
            (3, "job1", "pending"),
            (3, "job2", "triggered"),
            (4, "job1", "failure"),
            (4, "job2", "pending"),
            (5, "job1", "pending"),
            (5, "job2", "failure"),
            (5, "job2", "pending"),
            (6, "job1", "success"),
            (6, "job2", "pending"),
            (7, "job1", "success"),
            (7, "job2", "success"),
            (7, "job1", "failure"),
        ]
    ]
    presubmits = {n: JOBS for n in range(1, 8)}
    assert _accumulate(presubmits, prs, runs) == ([7], [3, 5, 6], [1, 2, 4])


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        (
            [
                ("job1", "success"),
                ("job2", "failure"),
                ("job3", "failure"),
                ("job4", "failure"),
                ("job3", "failure"),
                ("job4", "failure"),
                ("job2", "success"),
                ("job3", "success"),
                ("job4", "failure"),
            ],
            ([], [], [7]),
        ),
        (
            [(name, "failure") for name in ("job1", "job2", "job3", "job4", "job3", "job4")],
            ([], [], [7]),
        ),
        (
            [
                ("job1", "success"),
                ("job2", "failure"),
                ("job3", "failure"),
                ("job4", "failure"),
                ("job2", "success"),
                ("job3", "success"),
                ("job4", "success"),
                ("job1", "failure"),
            ],
            ([7], [], []),
        ),
        (
            [
                ("job1", "success"),
                ("job2", "failure"),
                ("job3", "failure"),
                ("job4", "failure"),
                ("job2", "success"),
                ("job3", "success"),
                ("job4", "pending"),
                ("job1", "failure"),
            ],
            ([], [7], []),
        ),
    ],
)
def test_accumulate_best_result_per_job_worst_over_jobs(
    states: list[tuple[str, str]], expected: tuple[list[int], list[int], list[int]]
) -> None:
    runs = [run(name, state, [(7, "")]) for name, state in states]
    assert _accumulate({7: FOUR}, [pr(7, "")], runs) == expected


def test_accumulate_only_results_for_the_current_head_count() -> None:
    runs = [
        run("job1", "success", [(7, "old")]),
        run("job1", "failure", [(7, "new")]),
        run("job1", "failure", [(8, "old")]),
        run("job1", "success", [(8, "new")]),
    ]
    presubmits = {7: [job("job1")], 8: [job("job1")]}
    assert _accumulate(presubmits, [pr(7, "new"), pr(8, "new")], runs) == ([8], [], [7])


def test_accumulate_without_presubmits_everything_succeeds() -> None:
    assert _accumulate({}, [pr(7, "new"), pr(8, "new")], []) == ([7, 8], [], [])


@pytest.mark.parametrize(
    ("state", "base", "expected"),
    [
        # A result whose ProwJob sinker deleted still counts, through crier's description.
        ("success", BASE, ([1], [], [])),
        ("success", "c22a32add1a36daf3b16af3762b3922e70c9626a", ([], [], [1])),  # wrong base
        ("failure", BASE, ([], [], [1])),
    ],
)
def test_accumulate_reads_results_from_contexts(
    state: str, base: str, expected: tuple[list[int], list[int], list[int]]
) -> None:
    description = description_with_base_sha("Job succeeded.", base)
    head = pr(1, "headsha", contexts=[("job1", state, description)])
    assert _accumulate({1: [job("job1")]}, [head], []) == expected


def test_accumulate_reports_missing_and_failed_tests() -> None:
    runs = [run("job1", "failure", [(1, "a")])]
    _, _, missings, missing = accumulate({1: JOBS}, [pr(1, "a")], runs, BASE)
    assert [p.number for p in missings] == [1]
    assert [j.context for j in missing[1]] == ["job1", "job2"]


FOO_BAR_BAZ = [job("foo"), job("bar"), job("baz")]


def _batch(presubmits, pulls, runs):  # type: ignore[no-untyped-def]
    pool = SubPool(ORG, REPO, BRANCH, BASE, [pr(n, sha) for n, sha in pulls], runs)
    success, pending = accumulate_batch(pool, presubmits)
    return sorted(p.number for p in success), bool(pending)


def _batch_runs(specs):  # type: ignore[no-untyped-def]
    return [run(name, state, pulls, batch=True) for name, state, pulls in specs]


@pytest.mark.parametrize(
    ("presubmits", "pulls", "runs", "merges", "pending"),
    [
        pytest.param([], [], [], [], False, id="no batches running"),
        pytest.param(
            [job("foo")],
            [(1, "a"), (2, "b")],
            [("foo", "pending", [(1, "a")])],
            [],
            True,
            id="batch pending",
        ),
        pytest.param(
            FOO_BAR_BAZ,
            [(1, "a"), (2, "b")],
            [("foo", "pending", [(1, "a")])],
            [],
            False,
            id="pending batch missing presubmits is ignored",
        ),
        pytest.param(
            FOO_BAR_BAZ,
            [(1, "a"), (2, "b")],
            [
                ("foo", "pending", [(1, "a")]),
                ("bar", "success", [(1, "a")]),
                ("baz", "success", [(1, "a")]),
                ("foo", "success", [(2, "b")]),
                ("bar", "success", [(2, "b")]),
                ("baz", "success", [(2, "b")]),
            ],
            [2],
            True,
            id="batch pending, successful previous run",
        ),
        pytest.param(
            FOO_BAR_BAZ,
            [(1, "a"), (2, "b")],
            [(name, "success", [(1, "a"), (2, "b")]) for name in ("foo", "bar", "baz")],
            [1, 2],
            False,
            id="successful run, multiple PRs",
        ),
        pytest.param(
            FOO_BAR_BAZ,
            [(1, "a"), (2, "b")],
            [
                *[(name, "success", [(1, "a"), (2, "b")]) for name in ("foo", "bar", "baz")],
                ("foo", "failure", [(1, "a"), (2, "b")]),
                ("baz", "failure", [(1, "a"), (2, "b")]),
                ("foo", "failure", [(1, "c"), (2, "b")]),
            ],
            [1, 2],
            False,
            id="successful run, failures in past",
        ),
        pytest.param(
            FOO_BAR_BAZ,
            [(1, "a"), (2, "b")],
            [
                ("foo", "failure", [(1, "a"), (2, "b")]),
                ("bar", "success", [(1, "a"), (2, "b")]),
                ("baz", "failure", [(1, "a"), (2, "b")]),
                ("foo", "failure", [(1, "c"), (2, "b")]),
            ],
            [],
            False,
            id="failures",
        ),
        pytest.param(
            [*FOO_BAR_BAZ, job("boo")],
            [(1, "a"), (2, "b")],
            [(name, "success", [(1, "a"), (2, "b")]) for name in ("foo", "bar", "baz")],
            [],
            False,
            id="missing job required by the PRs",
        ),
        pytest.param([], [(1, "a"), (2, "b")], [], [], False, id="no presubmits"),
        pytest.param(
            FOO_BAR_BAZ,
            [(2, "b")],
            [
                ("foo", "pending", [(1, "a")]),
                ("foo", "success", [(2, "b")]),
                ("bar", "success", [(2, "b")]),
                ("baz", "success", [(2, "b")]),
            ],
            [2],
            False,
            id="pending batch with PR that left pool, successful previous run",
        ),
    ],
)
def test_accumulate_batch(presubmits, pulls, runs, merges, pending) -> None:  # type: ignore[no-untyped-def]
    assert _batch(presubmits, pulls, _batch_runs(runs)) == (merges, pending)
