"""Prow's job rules with Go's regular expressions (cases from Prow's pkg/config/jobs_test.go)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.postsubmit import PostsubmitSpec
from bowsprit.jobpod.jobs import Job, default_trigger
from bowsprit.lib import goregex

POD = {"containers": [{"image": "busybox"}]}


def presubmit(name: str, **spec: Any) -> Job:
    body = {"org": "o", "repo": "r", "pod_spec": POD, **spec}
    return Job("BlockingPresubmit", "ci", name, BlockingPresubmitSpec.model_validate(body))


def postsubmit(name: str, **spec: Any) -> Job:
    body = {"org": "o", "repo": "r", "pod_spec": POD, **spec}
    return Job("Postsubmit", "ci", name, PostsubmitSpec.model_validate(body))


CROSS_BUILD = r"(Makefile|\.sh|_(windows|linux|osx|unknown)(_test)?\.go)$"
DOCS_ONLY = r"^docs/|\.(md|adoc)$|/?(README|OWNERS)$"


@pytest.mark.parametrize("make", [presubmit, postsubmit], ids=["presubmit", "postsubmit"])
@pytest.mark.parametrize(
    ("changes", "expected"),
    [  # TestRunIfChangedPresubmits / TestRunIfChangedPostsubmits
        (["some random file"], False),
        (["./pkg/util/rlimit/rlimit_linux.go"], True),
        (["./pkg/util/rlimit/rlimit_unknown_test.go"], True),
        (["build.sh"], True),
        (["build.shoo"], False),
        (["Makefile"], True),
    ],
)
def test_run_if_changed(make: Any, changes: list[str], expected: bool) -> None:
    assert make("cross build", run_if_changed=CROSS_BUILD).changes_match(changes) is expected


@pytest.mark.parametrize("make", [presubmit, postsubmit], ids=["presubmit", "postsubmit"])
@pytest.mark.parametrize(
    ("changes", "expected"),
    [  # TestSkipIfOnlyChangedPresubmits / TestSkipIfOnlyChangedPostsubmits
        (["some random file"], True),
        (["./pkg/util/rlimit/rlimit_linux.go"], True),
        (["docs/cobragen.go"], False),
        (["./docs/cobragen.go"], True),
        (["README", "README.md", "OWNERS", "path/to/something.adoc", "path/to/README"], False),
        (
            ["README", "README.md", "OWNERS", "path/to/something.adoc", "path/to/README", "foo"],
            True,
        ),
    ],
)
def test_skip_if_only_changed(make: Any, changes: list[str], expected: bool) -> None:
    job = make("cross build", skip_if_only_changed=DOCS_ONLY)
    assert job.changes_match(changes) is expected


@pytest.mark.parametrize(
    ("branches", "expected_s"),
    [  # TestRunAgainstBranch: every job runs on "r"; only "default" runs on "s"
        ({"skip_branches": ["s"]}, False),
        ({"branches": ["r"]}, False),
        ({"skip_branches": ["s"], "branches": ["r"]}, False),
        ({"skip_branches": ["s"], "branches": ["s", "r"]}, False),
        ({}, True),
    ],
)
def test_run_against_branch(branches: dict[str, list[str]], expected_s: bool) -> None:
    job = presubmit("a", **branches)
    assert job.runs_on_branch("s") is expected_s
    assert job.runs_on_branch("r")


def test_branch_patterns_are_go_syntax() -> None:
    # Go's `$` is the end of the text: "main\n" is not "main" (Python's `$` says it is).
    job = presubmit("a", branches=["^main$"])
    assert job.runs_on_branch("main")
    assert not job.runs_on_branch("main\n")
    # A flag group inside an alternation, which Python's re rejects.
    job = presubmit("a", branches=["^release-.*", "(?i)^MAIN$"])
    assert job.runs_on_branch("Main")
    assert job.runs_on_branch("release-1.2")
    assert not job.runs_on_branch("feature")


def test_istio_style_trigger() -> None:
    trigger = r"((?m)^/test( | .* )lint,?($|\s.*))|((?m)^/test( | .* )unit,?($|\s.*))"
    job = presubmit("lint", trigger=trigger, rerun_command="/test lint")
    assert job.triggered_by("please\n/test lint")
    assert job.triggered_by("/test unit")
    assert not job.triggered_by("/test e2e")


@pytest.mark.parametrize(
    ("comment", "expected"),
    [  # Prow's DefaultTriggerFor("pull-e2e.gce") (TestDefaultTriggerFor-style comments)
        ("/test pull-e2e.gce", True),
        ("/test pull-e2eXgce", False),
        ("/test all pull-e2e.gce", True),
        ("/test foo, pull-e2e.gce,", True),
        ("hi\n/test pull-e2e.gce\nthanks", True),
        ("/testpull-e2e.gce", False),
    ],
)
def test_default_trigger(comment: str, expected: bool) -> None:
    assert (
        goregex.compile(default_trigger("pull-e2e.gce")).search(comment) is not None
    ) is expected


@pytest.mark.parametrize(
    "spec",
    [
        {"run_if_changed": r"(a)\1"},
        {"skip_if_only_changed": r"a(?=b)"},
        {"branches": [r"(?<!x)main"]},
        {"trigger": "(", "rerun_command": "/test a"},
    ],
)
def test_definitions_reject_what_go_rejects(spec: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="invalid regular expression"):
        presubmit("a", **spec)


def test_rerun_command_is_matched_with_go_semantics() -> None:
    # Accepted by Go, rejected by Python's re (flags not at the start).
    presubmit("a", trigger=r"x|(?m)^/rerun a$", rerun_command="/rerun a")
    with pytest.raises(ValidationError, match="does not match trigger"):
        presubmit("a", trigger=r"^/rerun a$", rerun_command="/rerun a\n")
