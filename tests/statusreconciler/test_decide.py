"""status-reconciler's rules, table-driven. The delta cases are Prow's
(pkg/statusreconciler/controller_test.go: TestAddedBlockingPresubmits,
TestRemovedPresubmits, TestMigratedBlockingPresubmits) with Prow's job config YAML as
written there; the status cases are Prow's migrator tests
(pkg/statusreconciler/migrator/migrator_test.go: TestMoveMode, TestCopyMode,
TestRetireModeReplacement, TestRetireModeNoReplacement, TestProcessPR)."""

from __future__ import annotations

import pytest

from bowsprit.statusreconciler import decide
from bowsprit.statusreconciler.decide import Added, Delta, Migration, Pull, Status
from tests.statusreconciler.jobs import config, job

OLD_ALWAYS = """"org/repo":
- name: old-job
  context: old-context
  always_run: true"""

# (name, old, new, expected added job names)
ADDED = [
    ("no change in blocking presubmits means no added blocking jobs", OLD_ALWAYS, OLD_ALWAYS, []),
    (
        "added optional presubmit means no added blocking jobs",
        OLD_ALWAYS,
        OLD_ALWAYS
        + "\n- name: new-job\n  context: new-context\n  always_run: true\n  optional: true",
        [],
    ),
    (
        "added non-reporting presubmit means no added blocking jobs",
        OLD_ALWAYS,
        OLD_ALWAYS
        + "\n- name: new-job\n  context: new-context\n  always_run: true\n  skip_report: true",
        [],
    ),
    (
        "added presubmit that needs a manual trigger means no added blocking jobs",
        OLD_ALWAYS,
        OLD_ALWAYS + "\n- name: new-job\n  context: new-context\n  always_run: false",
        [],
    ),
    (
        "added required presubmit means added blocking jobs",
        OLD_ALWAYS,
        OLD_ALWAYS + "\n- name: new-job\n  context: new-context\n  always_run: true",
        ["new-job"],
    ),
    (
        "optional presubmit transitioning to required means no added blocking jobs",
        OLD_ALWAYS + "\n  optional: true",
        OLD_ALWAYS,
        [],
    ),
    (
        "non-reporting presubmit transitioning to required means added blocking jobs",
        OLD_ALWAYS + "\n  skip_report: true",
        OLD_ALWAYS,
        ["old-job"],
    ),
    (
        "required presubmit transitioning run_if_changed means added blocking jobs",
        '"org/repo":\n- name: old-job\n  context: old-context\n  run_if_changed: old-changes',
        '"org/repo":\n- name: old-job\n  context: old-context\n  run_if_changed: new-changes',
        ["old-job"],
    ),
    (
        "optional presubmit transitioning run_if_changed means no added blocking jobs",
        '"org/repo":\n- name: old-job\n  context: old-context\n  run_if_changed: old-changes\n'
        "  optional: true",
        '"org/repo":\n- name: old-job\n  context: old-context\n  run_if_changed: new-changes\n'
        "  optional: true",
        [],
    ),
    (
        "optional presubmit transitioning to required run_if_changed means added blocking jobs",
        OLD_ALWAYS + "\n  optional: true",
        '"org/repo":\n- name: old-job\n  context: old-context\n  run_if_changed: changes',
        ["old-job"],
    ),
    (
        "required presubmit transitioning to new context means no added blocking jobs",
        OLD_ALWAYS,
        '"org/repo":\n- name: old-job\n  context: new-context\n  always_run: true',
        [],
    ),
    # Beyond Prow: contexts open pull requests would otherwise wait for forever.
    (
        "manually triggered presubmit becoming automatic means added blocking jobs",
        '"org/repo":\n- name: old-job\n  context: old-context',
        OLD_ALWAYS,
        ["old-job"],
    ),
    (
        "skip_if_only_changed changing means added blocking jobs",
        '"org/repo":\n- name: old-job\n  skip_if_only_changed: "^docs/"',
        '"org/repo":\n- name: old-job\n  skip_if_only_changed: "^(docs|site)/"',
        ["old-job"],
    ),
    (
        "branches changing means added blocking jobs for the new branches",
        OLD_ALWAYS + "\n  branches: [main]",
        OLD_ALWAYS + "\n  branches: [main, release]",
        ["old-job"],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in ADDED], ids=[c[0] for c in ADDED]
)
def test_added_blocking_presubmits(old: str, new: str, expected: list[str]) -> None:
    added = decide.added_blocking(config(old), config(new))
    assert [item.job.name for item in added] == expected
    for item in added:  # what is added is the job as it is now
        assert item.job in config(new) or item.job.spec == job_named(new, item.job.name).spec


def job_named(text: str, name: str) -> decide.Job:
    return next(each for each in config(text) if each.name == name)


def test_a_branches_change_keeps_the_old_filter_for_the_pull_requests_to_spare() -> None:
    (item,) = decide.added_blocking(
        config(OLD_ALWAYS + "\n  branches: [main]"),
        config(OLD_ALWAYS + "\n  branches: [main, release]"),
    )
    assert item.before is not None
    pulls = [Pull(1, "main"), Pull(2, "release"), Pull(3, "dev")]
    assert [p.number for p in pulls if decide.trigger_candidates(p, [item])] == [2]


OLD_CONTEXT = '"org/repo":\n- name: old-job\n  context: old-context'
REMOVED = [
    ("no change in blocking presubmits means no removed jobs", OLD_CONTEXT, OLD_CONTEXT, []),
    (
        "removed optional presubmit means removed job",
        OLD_CONTEXT + "\n  optional: true",
        '"org/repo": []',
        ["old-job"],
    ),
    (
        "removed non-reporting presubmit means removed job",
        OLD_CONTEXT + "\n  skip_report: true",
        '"org/repo": []',
        ["old-job"],
    ),
    ("removed required presubmit means removed jobs", OLD_CONTEXT, '"org/repo": []', ["old-job"]),
    (
        "required presubmit transitioning to optional means no removed jobs",
        OLD_CONTEXT,
        OLD_CONTEXT + "\n  optional: true",
        [],
    ),
    (
        "reporting presubmit transitioning to non-reporting means no removed jobs",
        OLD_CONTEXT,
        OLD_CONTEXT + "\n  skip_report: true",
        [],
    ),
    ("all presubmits removed means removed jobs", OLD_CONTEXT, "{}", ["old-job"]),
    (
        "required presubmit transitioning to new context means no removed jobs",
        OLD_CONTEXT,
        '"org/repo":\n- name: old-job\n  context: new-context',
        [],
    ),
    (
        "required presubmit transitioning run_if_changed means no removed jobs",
        OLD_CONTEXT + "\n  run_if_changed: old-changes",
        OLD_CONTEXT + "\n  run_if_changed: new-changes",
        [],
    ),
    (
        "optional presubmit transitioning to required run_if_changed means no removed jobs",
        OLD_CONTEXT + "\n  optional: true",
        OLD_CONTEXT + "\n  run_if_changed: changes",
        [],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in REMOVED], ids=[c[0] for c in REMOVED]
)
def test_removed_presubmits(old: str, new: str, expected: list[str]) -> None:
    removed = decide.removed_presubmits(config(old), config(new))
    assert [each.name for each in removed] == expected
    assert all(
        each in config(old) or each.spec == job_named(old, each.name).spec for each in removed
    )


MIGRATED = [
    (name, old, new, [])
    for name, old, new, _ in REMOVED
    if name != "required presubmit transitioning to new context means no removed jobs"
] + [
    (
        "required presubmit transitioning to new context means migrated blocking jobs",
        OLD_CONTEXT,
        '"org/repo":\n- name: old-job\n  context: new-context',
        [("old-context", "new-context")],
    ),
    (
        "optional presubmit transitioning to a new context means no migrated jobs",
        OLD_CONTEXT + "\n  optional: true",
        '"org/repo":\n- name: old-job\n  context: new-context\n  optional: true',
        [],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in MIGRATED], ids=[c[0] for c in MIGRATED]
)
def test_migrated_blocking_presubmits(old: str, new: str, expected: list[tuple[str, str]]) -> None:
    migrated = decide.migrated_blocking(config(old), config(new))
    assert [(m.old.context, m.new.context) for m in migrated] == expected


def test_a_repository_seen_the_first_time_is_a_baseline() -> None:
    old, new = [], config(OLD_ALWAYS)
    assert not decide.delta(old, new, known=False)
    assert decide.delta(old, new, known=True).added == (Added(new[0]),)


@pytest.mark.parametrize(
    ("denylist", "denylist_all", "kept"),
    [
        ((), (), ("added", "removed", "migrated")),
        (("org",), (), ("removed", "migrated")),
        (("org/repo",), (), ("removed", "migrated")),
        (("org/other",), (), ("added", "removed", "migrated")),
        ((), ("org",), ()),
        ((), ("org/repo",), ()),
    ],
    ids=["none", "org", "org/repo", "other repo", "all org", "all org/repo"],
)
def test_denylists(
    denylist: tuple[str, ...], denylist_all: tuple[str, ...], kept: tuple[str, ...]
) -> None:
    # Prow's TestControllerReconcile "ignored ..." cases: the denylist skips starting
    # jobs only; the denylist-all skips retiring and migrating too.
    old = config(
        '"org/repo":\n- {name: required-job, context: required-job, always_run: true}\n'
        "- {name: other-required-job, context: other-required-job, always_run: true}"
    )
    new = config(
        '"org/repo":\n- {name: other-required-job, context: new-context, always_run: true}\n'
        "- {name: new-required-job, context: new-required-context, always_run: true}"
    )
    change = decide.denied(decide.delta(old, new, True), "org", "repo", denylist, denylist_all)
    present = tuple(name for name in ("added", "removed", "migrated") if getattr(change, name))
    assert present == kept


# Pull requests -------------------------------------------------------------------------

CONTROLLER_OLD = config(
    '"org/repo":\n- {name: required-job, context: required-job, always_run: true}\n'
    "- {name: other-required-job, context: other-required-job, always_run: true}"
)
CONTROLLER_NEW = config(
    '"org/repo":\n'
    "- {name: other-required-job, context: new-context, always_run: true}\n"
    "- {name: new-required-job, context: new-required-context, always_run: true,"
    " branches: [base]}\n"
    '- {name: run-on-changes-job, run_if_changed: "^mychange"}'
)


@pytest.mark.parametrize(
    ("pull", "changed", "expected"),
    [
        (Pull(1, "base"), [], ["new-required-job"]),
        (Pull(2, "base", mergeable=False), [], []),
        (Pull(2, "base", draft=True), [], []),
        (Pull(3, "other"), [], []),
        (Pull(1, "base"), ["notmychange"], ["new-required-job"]),
        (Pull(1, "base"), ["mychange"], ["new-required-job", "run-on-changes-job"]),
        (Pull(4, "base", mergeable=None), [], ["new-required-job"]),
    ],
    ids=[
        "trusted PR",
        "unmergeable PR",
        "draft PR",
        "PR that doesn't match the added job",
        "changes that don't match run_if_changed",
        "changes that match run_if_changed",
        "mergeability unknown",
    ],
)
def test_jobs_to_trigger(pull: Pull, changed: list[str], expected: list[str]) -> None:
    # Prow's TestControllerReconcile, the jobs its triggerer was asked for.
    added = decide.added_blocking(CONTROLLER_OLD, CONTROLLER_NEW)
    candidates = decide.trigger_candidates(pull, added)
    assert decide.needs_files(candidates) == any(c.job.has_file_filter for c in candidates)
    assert [j.name for j in decide.to_trigger(pull, candidates, changed)] == expected


# Statuses: Prow's migrator modes ----------------------------------------------------

A, B = "context A", "context B"
MOVED = 'Context retired. Status moved to "context B".'
RETIRED = "Context retired without replacement."


def s(context: str, state: str, description: str, url: str = "") -> Status:
    return Status(context, state, description, url)


UNRELATED = [s("also not related", "error", "description 4", "url 4")]
UNRELATED2 = [s("unrelated context", "success", "description 2", "url 2")]

MOVE = [
    (
        "simple",
        [s(A, "failure", "description 1", "url 1")],
        [s(A, "success", MOVED), s(B, "failure", "description 1", "url 1")],
    ),
    (
        "unrelated contexts",
        [*UNRELATED, s(A, "failure", "description 1", "url 1"), *UNRELATED2],
        [s(A, "success", MOVED), s(B, "failure", "description 1", "url 1")],
    ),
    ("unrelated contexts; missing context A", [*UNRELATED, *UNRELATED2], []),
    (
        "unrelated contexts; already have context A and B",
        [
            *UNRELATED,
            s(A, "failure", "description 1", "url 1"),
            *UNRELATED2,
            s(B, "failure", "description 1", "url 1"),
        ],
        [],
    ),
    (
        "unrelated contexts; already have context B; no context A",
        [*UNRELATED, *UNRELATED2, s(B, "failure", "description 1", "url 1")],
        [],
    ),
    ("no contexts", [], []),
]


@pytest.mark.parametrize(("start", "expected"), [c[1:] for c in MOVE], ids=[c[0] for c in MOVE])
def test_move_mode(start: list[Status], expected: list[Status]) -> None:
    assert sorted(decide.move_mode(start, A, B), key=str) == sorted(expected, key=str)


COPY = [
    (
        "simple",
        [s(A, "failure", "description 1", "url 1")],
        [s(B, "failure", "description 1", "url 1")],
    ),
    (
        "unrelated contexts",
        [*UNRELATED2, s(A, "failure", "description 1", "url 1"), *UNRELATED],
        [s(B, "failure", "description 1", "url 1")],
    ),
    ("already have context B", [s(A, "failure", "d1", "u1"), s(B, "failure", "d1", "u1")], []),
    (
        "already have updated context B",
        [s(A, "failure", "d1", "u1"), s(B, "success", "d2", "u2")],
        [],
    ),
    (
        "unrelated contexts already have updated context B",
        [*UNRELATED2, s(A, "failure", "d1", "u1"), *UNRELATED, s(B, "error", "d3", "u3")],
        [],
    ),
    ("only have context B", [s(B, "failure", "d1", "u1")], []),
    (
        "unrelated contexts; context B but not A",
        [*UNRELATED2, s(B, "failure", "d1", "u1"), *UNRELATED],
        [],
    ),
    ("no contexts", [], []),
]


@pytest.mark.parametrize(("start", "expected"), [c[1:] for c in COPY], ids=[c[0] for c in COPY])
def test_copy_mode(start: list[Status], expected: list[Status]) -> None:
    assert decide.copy_mode(start, A, B) == expected


RETIRE_REPLACED = [
    (
        "simple",
        [s(A, "failure", "d1", "u1"), s(B, "failure", "d1", "u1")],
        [s(A, "success", MOVED)],
    ),
    (
        "unrelated contexts;updated context B",
        [*UNRELATED2, s(A, "failure", "d1", "u1"), *UNRELATED, s(B, "success", "d3", "u3")],
        [s(A, "success", MOVED)],
    ),
    ("missing context B", [s(A, "failure", "d1", "u1")], []),
    (
        "unrelated contexts;missing context B",
        [*UNRELATED2, s(A, "failure", "d1", "u1"), *UNRELATED],
        [],
    ),
    ("missing context A", [s(B, "failure", "d1", "u1")], []),
    (
        "unrelated contexts;missing context A",
        [*UNRELATED2, *UNRELATED, s(B, "success", "d3", "u3")],
        [],
    ),
    ("no contexts", [], []),
]


@pytest.mark.parametrize(
    ("start", "expected"), [c[1:] for c in RETIRE_REPLACED], ids=[c[0] for c in RETIRE_REPLACED]
)
def test_retire_mode_replacement(start: list[Status], expected: list[Status]) -> None:
    assert decide.retire_mode(start, A, B) == expected


RETIRE = [
    ("simple", [s(A, "failure", "d1", "u1")], [s(A, "success", RETIRED)]),
    (
        "unrelated contexts",
        [*UNRELATED2, s(A, "failure", "d1", "u1"), *UNRELATED],
        [s(A, "success", RETIRED)],
    ),
    ("missing context A", [], []),
    ("unrelated contexts;missing context A", [*UNRELATED2, *UNRELATED], []),
]


@pytest.mark.parametrize(("start", "expected"), [c[1:] for c in RETIRE], ids=[c[0] for c in RETIRE])
def test_retire_mode_no_replacement(start: list[Status], expected: list[Status]) -> None:
    assert decide.retire_mode(start, A) == expected


# status_updates: the modes as status-reconciler composes them -------------------------

OLD_JOB = job({"name": "unit", "context": A, "always_run": True, "branches": ["main"]})
NEW_JOB = job({"name": "unit", "context": B, "always_run": True, "branches": ["main"]})


@pytest.mark.parametrize(
    ("base", "start", "retired", "migrations", "expected"),
    [
        # Prow's TestProcessPR: the old job's branch filter decides.
        ("main", [s(A, "failure", "d")], [OLD_JOB], [], [s(A, "success", RETIRED)]),
        ("dev", [s(A, "failure", "d")], [OLD_JOB], [], []),
        ("main", [s(A, "success", RETIRED)], [OLD_JOB], [], []),  # done already
        (
            "main",
            [s(A, "pending", "d", "u")],
            [],
            [Migration(OLD_JOB, NEW_JOB)],
            [s(B, "pending", "d", "u"), s(A, "success", MOVED)],
        ),
        # A crash between the copy and the retirement: the retirement is finished.
        (
            "main",
            [s(B, "pending", "d", "u"), s(A, "pending", "d", "u")],
            [],
            [Migration(OLD_JOB, NEW_JOB)],
            [s(A, "success", MOVED)],
        ),
        (
            "main",
            [s(B, "pending", "d"), s(A, "success", MOVED)],
            [],
            [Migration(OLD_JOB, NEW_JOB)],
            [],
        ),
        ("dev", [s(A, "pending", "d")], [], [Migration(OLD_JOB, NEW_JOB)], []),
    ],
    ids=[
        "retire on the job's branch",
        "not on another branch",
        "already retired",
        "move",
        "finish a half-done move",
        "move done",
        "move not on another branch",
    ],
)
def test_status_updates(
    base: str,
    start: list[Status],
    retired: list[decide.Job],
    migrations: list[Migration],
    expected: list[Status],
) -> None:
    assert decide.status_updates(start, base, retired, migrations) == expected


def test_empty_delta_is_false() -> None:
    assert not Delta()
    assert Delta(removed=(OLD_JOB,))
