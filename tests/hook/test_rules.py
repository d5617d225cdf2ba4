"""trigger's rules, table-driven: branch and file filters, commands, retests, help."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bowsprit.hook.plugins.trigger import rules
from bowsprit.jobpod.jobs import Job
from tests.hook.jobs import job

UNIT = job("unit", always_run=True)
DOCS = job("docs", "Presubmit", run_if_changed=r"^docs/")
NOT_DOCS = job("build", skip_if_only_changed=r"^docs/|\.md$")
MANUAL = job("e2e", "Presubmit")
RELEASE = job("release-only", always_run=True, branches=["^release-.*"])
NOT_OLD = job("not-old", always_run=True, skip_branches=["^old$"])
CUSTOM = job(
    "integration",
    trigger=r"(?m)^/test (integration|int)\s*$",
    rerun_command="/test integration",
    always_run=True,
)
JOBS = (UNIT, DOCS, NOT_DOCS, MANUAL, RELEASE, NOT_OLD, CUSTOM)


def names(jobs: Sequence[Job]) -> list[str]:
    return sorted(job.name for job in jobs)


@pytest.mark.parametrize(
    ("branch", "changed", "expected"),
    [
        ("main", ["src/a.py"], ["build", "integration", "not-old", "unit"]),
        ("main", ["docs/index.md"], ["docs", "integration", "not-old", "unit"]),
        ("main", ["docs/a.md", "src/b.py"], ["build", "docs", "integration", "not-old", "unit"]),
        ("main", [], ["integration", "not-old", "unit"]),
        ("release-1.0", ["README.md"], ["integration", "not-old", "release-only", "unit"]),
        ("old", ["x.go"], ["build", "integration", "unit"]),
    ],
    ids=["code", "docs-only", "both", "no-files", "release-branch", "skipped-branch"],
)
def test_automatic_presubmits(branch: str, changed: list[str], expected: list[str]) -> None:
    assert names(rules.automatic(JOBS, branch, changed)) == expected


@pytest.mark.parametrize(
    ("spec", "branch", "changed", "runs"),
    [
        ({}, "main", [], True),
        ({"always_run": True}, "main", [], True),
        ({"always_run": False}, "main", ["a"], False),
        ({"run_if_changed": "^src/"}, "main", ["src/x"], True),
        ({"run_if_changed": "^src/"}, "main", ["doc/x"], False),
        ({"skip_if_only_changed": "^doc/"}, "main", ["doc/x"], False),
        ({"skip_if_only_changed": "^doc/"}, "main", ["doc/x", "src/y"], True),
        ({"branches": ["main"]}, "main", [], True),
        ({"branches": ["main"]}, "dev", [], False),
        ({"branches": ["main"], "skip_branches": ["main"]}, "main", [], False),
    ],
    ids=[
        "no-filter",
        "always",
        "never-automatic",
        "files-match",
        "files-miss",
        "only-skipped-files",
        "some-other-file",
        "branch-match",
        "branch-miss",
        "skip-wins",
    ],
)
def test_postsubmits_on_push(
    spec: dict[str, object], branch: str, changed: list[str], runs: bool
) -> None:
    post = job("post", "Postsubmit", **spec)
    assert names(rules.runs_on_push([post], branch, changed)) == (["post"] if runs else [])


FAILED = {"unit": "failure", "build": "error", "docs": "success", "not-old": "pending"}


@pytest.mark.parametrize(
    ("body", "changed", "statuses", "run", "retest", "help_", "unknown"),
    [
        ("/test unit", [], {}, ["unit"], False, False, False),
        ("/test e2e", [], {}, ["e2e"], False, False, False),
        ("/test docs", ["src/x"], {}, ["docs"], False, False, False),  # forced: no file check
        ("/test release-only", [], {}, [], False, False, False),  # branch filter still applies
        ("/test unit e2e", [], {}, ["e2e", "unit"], False, False, False),
        ("/test e2e\n/test unit", [], {}, ["e2e", "unit"], False, False, False),
        ("/test int", [], {}, ["integration"], False, False, False),
        ("/test nope", [], {}, [], False, True, True),
        ("/test", [], {}, [], False, True, False),
        ("/test ?", [], {}, [], False, True, False),
        (
            "/test all",
            ["src/x"],
            {},
            ["build", "integration", "not-old", "unit"],
            False,
            False,
            False,
        ),
        (
            "/test all",
            ["docs/x.md"],
            {},
            ["docs", "integration", "not-old", "unit"],
            False,
            False,
            False,
        ),
        ("/retest", ["src/x"], FAILED, ["build", "integration", "unit"], True, False, False),
        ("/retest", ["docs/x"], FAILED, ["integration", "unit"], True, False, False),
        (
            "/retest-required",
            ["src/x"],
            {**FAILED, "e2e": "failure"},
            ["build", "integration", "unit"],
            True,
            False,
            False,
        ),
        (
            "/retest",
            ["src/x"],
            {"e2e": "failure"},
            ["build", "e2e", "integration", "not-old", "unit"],
            True,
            False,
            False,
        ),
        ("please /retest", [], FAILED, [], False, False, False),
        ("/retest now", [], FAILED, [], False, False, False),
        ("/testunit", [], {}, [], False, False, False),
        ("hello", [], {}, [], False, False, False),
    ],
    ids=[
        "one-job",
        "manual-job",
        "forced-ignores-files",
        "branch-filter",
        "two-on-a-line",
        "two-lines",
        "custom-trigger",
        "unknown-job",
        "bare-test",
        "test-question",
        "all-code",
        "all-docs",
        "retest-failed-and-missing",
        "retest-respects-files",
        "retest-required",
        "retest-optional-failed",
        "not-at-line-start",
        "trailing-words",
        "no-space",
        "no-command",
    ],
)
def test_comment_commands(
    body: str,
    changed: list[str],
    statuses: dict[str, str],
    run: list[str],
    retest: bool,
    help_: bool,
    unknown: bool,
) -> None:
    decision = rules.from_comment(body, JOBS, "main", changed, statuses, ok_to_test=False)
    assert names(decision.run) == run
    assert (decision.retest, decision.help, decision.unknown) == (retest, help_, unknown)


def test_ok_to_test_runs_like_test_all() -> None:
    decision = rules.from_comment("/ok-to-test", JOBS, "main", ["src/x"], {}, ok_to_test=True)
    assert names(decision.run) == ["build", "integration", "not-old", "unit"]


@pytest.mark.parametrize(
    ("body", "has"),
    [
        ("/retest", True),
        ("```\n/retest\n```", False),
        ("<!-- /test all -->", False),
        ("> /retest", False),
        ("looks good\r\n/ok-to-test\r\n", True),
    ],
    ids=["plain", "code-block", "html-comment", "quoted", "crlf"],
)
def test_commands_in_code_and_comments_are_ignored(body: str, has: bool) -> None:
    assert rules.has_command(rules.strip_quoted(body)) is has


def test_crlf_comments_still_match() -> None:
    decision = rules.from_comment("/retest\r\n", JOBS, "main", [], FAILED, ok_to_test=False)
    assert "unit" in names(decision.run)


def test_help_lists_required_optional_and_automatic_jobs() -> None:
    message = rules.help_message("alice", JOBS, "main", unknown=True)
    assert message.startswith("@alice: The specified target(s) for `/test` were not found.")
    required, optional = message.split("optional jobs:")
    assert "* `/test unit`" in required and "* `/test integration`" in required
    assert "* `/test e2e`" in optional and "* `/test docs`" in optional
    assert "/test release-only" not in message  # not for this branch
    assert "* `e2e`" not in message.split("automatically triggered:")[1]
