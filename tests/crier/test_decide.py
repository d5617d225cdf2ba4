"""crier's rules, table-driven: de-duplication, what the GitHub reporter says, the base
SHA suffix, the failure comment and Slack's choices."""

from __future__ import annotations

from typing import Any

import pytest

from bowsprit.api.prowconfig import CrierConfig, PlankConfig, SlackReporterDefaults
from bowsprit.crier import decide
from bowsprit.crier.comment import COMMENT_TAG, CommentPlan, entry, plan_comment, render
from bowsprit.crier.decide import GITHUB, SLACK, CommitStatus, Job
from bowsprit.crier.slack import SlackMessage, slack_message
from bowsprit.lib.contexts import (
    MAX_DESCRIPTION,
    PAD,
    base_sha_from_description,
    description_with_base_sha,
)
from tests.crier.jobs import BASE, HEAD, body, job

# De-duplication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "prev", "remembered", "expected"),
    [
        ("pending", None, None, True),
        ("pending", {GITHUB: "pending"}, None, False),
        ("success", {GITHUB: "pending"}, None, True),
        ("success", {SLACK: "success"}, None, True),  # another reporter's record
        ("success", {GITHUB: "pending"}, "success", False),  # reported, record not seen yet
        ("success", None, "pending", True),
    ],
    ids=["new", "recorded", "next-state", "other-reporter", "remembered", "remembered-older"],
)
def test_needs_report(
    state: str, prev: dict[str, str] | None, remembered: str | None, expected: bool
) -> None:
    assert decide.needs_report(job(state=state, prev=prev), GITHUB, remembered) is expected


# GitHub statuses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, True),
        ({"report": False}, False),
        ({"report": None}, False),  # as in Prow: report must be set
        ({"type": "postsubmit", "pull": None}, True),
        ({"type": "periodic", "pull": None}, False),
        ({"type": "batch", "extra": 2}, False),
    ],
    ids=["presubmit", "report-false", "report-unset", "postsubmit", "periodic", "batch"],
)
def test_github_reports(kwargs: dict[str, Any], expected: bool) -> None:
    extra = kwargs.pop("extra", 0)
    made = job(**kwargs)
    if extra:
        assert made.spec.refs is not None and made.spec.refs.pulls
        made.spec.refs.pulls.append(made.spec.refs.pulls[0])
    assert decide.github_reports(made, CrierConfig()) is expected


def test_only_configured_types_are_reported() -> None:
    config = CrierConfig.model_validate({"github_reporter": {"job_types_to_report": ["presubmit"]}})
    assert not decide.github_reports(job(type="postsubmit", pull=None), config)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("triggered", "pending"),
        ("pending", "pending"),
        ("success", "success"),
        ("failure", "failure"),
        ("aborted", "failure"),
        ("error", "error"),
    ],
)
def test_commit_status_states(state: str, expected: str) -> None:
    status = decide.commit_status(job(state=state))
    assert (status.state, status.sha, status.context) == (expected, HEAD, "unit")


def test_postsubmits_report_on_the_base_sha_and_context_defaults_to_the_job() -> None:
    status = decide.commit_status(job(type="postsubmit", pull=None, context=None, url=None))
    assert (status.sha, status.context, status.target_url) == (BASE, "unit", None)
    assert base_sha_from_description(status.description) == BASE


@pytest.mark.parametrize(
    ("human", "pads"),
    [("Job triggered.", 20), ("", 23), ("x" * 89, 1), ("x" * 90, 1), ("x" * 200, 0)],
)
def test_description_carries_the_base_sha_as_prow_writes_it(human: str, pads: int) -> None:
    described = description_with_base_sha(human, BASE)
    assert described.endswith(" BaseSHA:" + BASE)
    assert described.count(PAD) == pads
    assert len(described.encode()) <= MAX_DESCRIPTION
    assert base_sha_from_description(described) == BASE


def test_long_descriptions_are_elided_in_the_middle() -> None:
    described = description_with_base_sha("a" * 100 + "b" * 100, BASE)
    assert described.startswith("a" * 40) and " ... " in described
    assert described.split(" BaseSHA:")[0].endswith("b" * 40)
    assert description_with_base_sha("plain", "") == "plain"


@pytest.mark.parametrize(
    ("description", "expected"),
    [("ok BaseSHA:" + BASE, BASE), ("ok Basesha:" + BASE, BASE), ("ok BaseSHA:abc", ""), ("", "")],
)
def test_base_sha_from_description(description: str, expected: str) -> None:
    assert base_sha_from_description(description) == expected


def _status(**changes: Any) -> CommitStatus:
    fields = {
        "org": "org",
        "repo": "repo",
        "sha": HEAD,
        "state": "success",
        "context": "unit",
        "description": "d",
        "target_url": "u",
    }
    return CommitStatus(**{**fields, **changes})


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], False),
        ([{"context": "unit", "state": "success", "description": "d", "target_url": "u"}], True),
        ([{"context": "unit", "state": "pending", "description": "d", "target_url": "u"}], False),
        ([{"context": "lint", "state": "success", "description": "d", "target_url": "u"}], False),
        ([{"context": "unit", "state": "success", "description": "x", "target_url": "u"}], False),
    ],
    ids=["none", "same", "other-state", "other-context", "other-description"],
)
def test_already_set(existing: list[dict[str, Any]], expected: bool) -> None:
    assert decide.already_set(_status(), existing) is expected


@pytest.mark.parametrize(
    ("kwargs", "config", "expected"),
    [
        ({"state": "failure"}, {}, True),
        ({"state": "pending"}, {}, False),
        ({"state": "success"}, {}, True),  # a success may clear an earlier row
        ({"state": "failure", "type": "postsubmit", "pull": None}, {}, False),
        ({"state": "failure"}, {"no_comment_repos": ["org"]}, False),
        ({"state": "failure"}, {"no_comment_repos": ["org/other"]}, True),
    ],
    ids=["failure", "incomplete", "success", "postsubmit", "no-comment-org", "other-repo"],
)
def test_wants_comment(kwargs: dict[str, Any], config: dict[str, Any], expected: bool) -> None:
    crier = CrierConfig.model_validate({"github_reporter": config})
    assert decide.wants_comment(job(**kwargs), crier) is expected


def test_report_templates_by_most_specific_key() -> None:
    plank = PlankConfig(report_templates={"*": "all", "org": "org {{ spec.job }}"})
    assert decide.report_template(job(), plank) == "org unit"
    assert decide.report_template(job(), PlankConfig()) is None


# The failure comment ----------------------------------------------------------------------

BOT = "bowsprit-bot"


def _comment(id: int, rows: list[str], login: str = BOT) -> dict[str, Any]:
    return {"id": id, "user": {"login": login}, "body": render("alice", rows, None)}


def _row(context: str, sha: str = HEAD) -> str:
    return f"{context} | {sha} | [link](https://deck/view/1) | true | `/test {context}`"


def test_entry_has_prows_columns() -> None:
    assert entry(job(state="failure")) == _row("unit")
    assert entry(job(state="failure", optional="true")).split(" | ")[3] == "false"
    assert entry(job(state="failure", optional=None)).split(" | ")[3] == "unknown"


def test_render_reads_as_prows() -> None:
    body = render("alice", [_row("unit")], None)
    assert body.startswith("@alice: The following test **failed**, say `/retest` to rerun")
    assert "Test name | Commit | Details | Required | Rerun command" in body
    assert body.endswith(COMMENT_TAG)
    assert "tests **failed**" in render("alice", [_row("a"), _row("b")], "extra")


@pytest.mark.parametrize(
    ("state", "comments", "expected"),
    [
        ("failure", [], CommentPlan(create=render("alice", [_row("unit")], None))),
        ("success", [], CommentPlan()),
        (
            "failure",
            [_comment(5, [_row("lint")])],
            CommentPlan(delete=(5,), create=render("alice", [_row("lint"), _row("unit")], None)),
        ),
        (
            "success",
            [_comment(5, [_row("lint"), _row("unit")])],
            CommentPlan(edit=(5, render("alice", [_row("lint")], None))),
        ),
        ("success", [_comment(5, [_row("unit")])], CommentPlan(delete=(5,))),
        ("failure", [_comment(5, [_row("unit")])], CommentPlan()),  # already says so
        (
            "failure",
            [_comment(4, [_row("lint")]), _comment(5, [_row("e2e")])],
            CommentPlan(
                delete=(4, 5),
                create=render("alice", [_row("lint"), _row("e2e"), _row("unit")], None),
            ),
        ),
        (
            "failure",
            [_comment(5, [_row("unit")], login="someone")],
            CommentPlan(create=render("alice", [_row("unit")], None)),
        ),
        (
            "failure",
            [_comment(4, [_row("unit", "c" * 40)]), _comment(5, [_row("unit")])],
            CommentPlan(delete=(4,)),
        ),
    ],
    ids=[
        "first-failure",
        "success-no-comment",
        "new-failure-recreates",
        "fixed-row-edits",
        "last-row-fixed-deletes",
        "idempotent",
        "older-comments-merged",
        "not-our-comment",
        "newer-row-wins",
    ],
)
def test_plan_comment(state: str, comments: list[dict[str, Any]], expected: CommentPlan) -> None:
    assert plan_comment([job(state=state)], comments, BOT) == expected


# Slack ------------------------------------------------------------------------------------

TEMPLATE = "{{ spec.job }} is {{ status.state }}"


@pytest.mark.parametrize(
    ("kwargs", "configs", "expected"),
    [
        ({"state": "failure"}, None, None),
        (
            {"state": "failure"},
            {"*": {"job_types_to_report": ["presubmit"], "job_states_to_report": ["failure"]}},
            SlackMessage(
                None,
                "Job unit of type presubmit ended with state failure. "
                "<https://deck/view/1|View logs>",
            ),
        ),
        (
            {"state": "success"},
            {"*": {"job_types_to_report": ["presubmit"], "job_states_to_report": ["failure"]}},
            None,
        ),
        (
            {"state": "failure"},
            {"*": {"job_types_to_report": ["periodic"], "job_states_to_report": ["failure"]}},
            None,
        ),
        (
            {"state": "failure"},
            {
                "*": {"job_types_to_report": ["presubmit"], "job_states_to_report": ["failure"]},
                "org": {
                    "job_types_to_report": ["presubmit"],
                    "job_states_to_report": ["failure"],
                    "channel": "org-ci",
                    "report_template": TEMPLATE,
                },
            },
            SlackMessage("org-ci", "unit is failure"),
        ),
        ({"state": "failure"}, {"*": {"job_types_to_report": ["presubmit"]}}, None),
        (
            {
                "state": "success",
                "reporter_config": {
                    "slack": {"channel": "mine", "job_states_to_report": ["success"]}
                },
            },
            {"*": {"job_types_to_report": ["periodic"], "report_template": TEMPLATE}},
            SlackMessage("mine", "unit is success"),
        ),
        (
            {"state": "failure", "reporter_config": {"slack": {"report": False}}},
            {"*": {"job_types_to_report": ["presubmit"], "job_states_to_report": ["failure"]}},
            None,
        ),
        (
            {"state": "failure", "reporter_config": {"slack": {"job_states_to_report": []}}},
            {"*": {"job_types_to_report": ["presubmit"], "job_states_to_report": ["failure"]}},
            None,
        ),
    ],
    ids=[
        "unconfigured",
        "global",
        "state-not-listed",
        "type-not-listed",
        "org-wins",
        "no-states",
        "job-channel-any-type",
        "job-report-false",
        "job-empty-states",
    ],
)
def test_slack_message(
    kwargs: dict[str, Any],
    configs: dict[str, dict[str, Any]] | None,
    expected: SlackMessage | None,
) -> None:
    parsed = (
        {key: SlackReporterDefaults.model_validate(value) for key, value in configs.items()}
        if configs is not None
        else None
    )
    assert slack_message(job(**kwargs), parsed) == expected


def test_a_template_that_cannot_render_gives_way_to_the_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    configs = {
        "*": SlackReporterDefaults(
            job_types_to_report=["presubmit"],
            job_states_to_report=["failure"],
            report_template="Job {{.Spec.Job}} failed",  # Prow's Go syntax
        )
    }
    message = slack_message(job(state="failure"), configs)
    assert message is not None
    assert message.text.startswith("Job unit of type presubmit ended with state failure.")
    assert "the default Slack template is used" in caplog.text
    with pytest.raises(decide.TemplateError, match="report template"):
        decide.render("{{ spec.job", job())


# Summary comments -------------------------------------------------------------------------


def test_summary_waits_for_every_context_of_the_head_commit() -> None:
    unit = job(name="unit-1", state="failure")
    lint = job(name="lint-1", job="lint", context="lint", state="pending")
    assert decide.summary_jobs(unit, [unit, lint]) is None
    lint_done = job(name="lint-1", job="lint", context="lint", state="success")
    runs = decide.summary_jobs(unit, [lint_done])
    assert runs is not None and {r.name for r in runs} == {"unit-1", "lint-1"}
    # Another head commit, another pull, or a job not reported: not waited for.
    others = [
        job(name="old", job="e2e", context="e2e", state="pending", head="c" * 40),
        job(name="other-pull", job="e2e", context="e2e", state="pending", pull=2),
        job(name="quiet", job="e2e", context="e2e", state="pending", report=False),
    ]
    assert decide.summary_jobs(unit, [lint_done, *others]) is not None


def test_summary_takes_the_newest_run_of_a_context() -> None:
    old = Job.from_body({**body(name="unit-1", state="failure")})
    newer = body(name="unit-2", state="success")
    newer["metadata"]["creationTimestamp"] = "2026-11-25T06:00:00Z"
    runs = decide.summary_jobs(old, [Job.from_body(newer)])
    assert runs is not None and [r.name for r in runs] == ["unit-2"]


def test_wants_summary() -> None:
    crier = CrierConfig.model_validate({"github_reporter": {"summary_comment_repos": ["org"]}})
    assert decide.wants_summary(job(), crier)
    assert not decide.wants_summary(job(), CrierConfig())


@pytest.mark.parametrize(
    ("states", "expected_start"),
    [
        (["success", "success"], "@alice: all tests **passed!**"),
        (["success", "failure"], "@alice: The following test **failed**"),
        (["success", "aborted"], None),
    ],
)
def test_plan_summary(states: list[str], expected_start: str | None) -> None:
    jobs = [
        job(name=f"j{i}", job=f"c{i}", context=f"c{i}", state=state)
        for i, state in enumerate(states)
    ]
    plan = plan_comment(jobs, [], BOT, summary=True)
    if expected_start is None:
        assert plan == CommentPlan()
    else:
        assert plan.create is not None and plan.create.startswith(expected_start)
        assert plan.create.endswith(COMMENT_TAG)
        # Reported again (a restart): the comment already says it.
        posted = {"id": 9, "user": {"login": BOT}, "body": plan.create}
        assert plan_comment(jobs, [posted], BOT, summary=True) == CommentPlan()
