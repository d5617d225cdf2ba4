"""trigger's decisions as pure functions: which presubmits a pull request or a comment
runs, which postsubmits a push runs, and what trigger says (Prow's pkg/pjutil/filter.go,
pkg/pjutil/help.go and pkg/plugins/trigger)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bowsprit.api.pluginconfig import TriggerSettings
from bowsprit.jobpod.jobs import Job

TEST_ALL = re.compile(r"(?m)^/test all,?($|\s.*)")
RETEST = re.compile(r"(?m)^/retest\s*$")
RETEST_REQUIRED = re.compile(r"(?m)^/retest-required\s*$")
OK_TO_TEST = re.compile(r"(?m)^/ok-to-test\s*$")
OK_TO_TEST_CANCEL = re.compile(r"(?m)^/ok-to-test cancel\s*$")
TEST_HELP = re.compile(r"(?m)^/test\s*(\?\s*)?$")
TEST_ANY = re.compile(r"(?m)^/test\s+\S+")
ANY_COMMAND = re.compile(r"(?m)^/(test|retest|ok-to-test)")
# Prow ignores commands inside code blocks and HTML comments.
_QUOTED = re.compile(r"(?s)```.*?```|<!--.*?-->")

FAILED_STATES = ("failure", "error")


def strip_quoted(body: str) -> str:
    return _QUOTED.sub("", body)


def has_command(body: str, presubmits: Iterable[Job] = ()) -> bool:
    """Prow's commentMatchesTrigger: a trigger command, or any presubmit's own trigger
    (a custom `trigger` such as `/integration` need not start with /test)."""
    return bool(ANY_COMMAND.search(body)) or any(job.triggered_by(body) for job in presubmits)


def automatic(jobs: Iterable[Job], branch: str, changed: Sequence[str]) -> list[Job]:
    """The presubmits a pull request runs on its own: opened, pushed, /ok-to-test."""
    return [job for job in jobs if job.runs_automatically(branch, changed)]


def needs_changes(jobs: Iterable[Job]) -> bool:
    """Whether deciding needs the pull request's changed files (one GitHub call saved)."""
    return any(job.has_file_filter for job in jobs)


@dataclass(frozen=True)
class CommentDecision:
    run: tuple[Job, ...] = ()
    retest: bool = False  # label the ProwJobs prow.k8s.io/retest=true
    help: bool = False  # answer with the list of commands
    unknown: bool = False  # /test named no known job


def _should_run(job: Job, branch: str, changed: Sequence[str], forced: bool, default: bool) -> bool:
    """Prow's Presubmit.ShouldRun."""
    if not job.runs_on_branch(branch):
        return False
    if job.always_run or forced:
        return True
    matched = job.changes_match(changed)
    return default if matched is None else matched


def from_comment(
    body: str,
    jobs: Sequence[Job],
    branch: str,
    changed: Sequence[str],
    statuses: dict[str, str],
    ok_to_test: bool,
) -> CommentDecision:
    """The presubmits a comment runs. `statuses` maps contexts on the head commit to
    their state (needed for /retest only); `ok_to_test` is a trusted /ok-to-test."""
    retest = bool(RETEST.search(body))
    retest_required = bool(RETEST_REQUIRED.search(body))
    test_all = ok_to_test or bool(TEST_ALL.search(body))
    chosen: list[Job] = []
    for job in jobs:
        if job.triggered_by(body):
            run = _should_run(job, branch, changed, forced=True, default=False)
        elif test_all:
            run = not job.needs_explicit_trigger and _should_run(
                job, branch, changed, forced=False, default=False
            )
        elif retest or retest_required:
            run = _retest(job, statuses, retest_required) and _should_run(
                job, branch, changed, forced=False, default=True
            )
        else:
            run = False
        if run:
            chosen.append(job)
    asked_by_name = bool(TEST_ANY.search(body)) and not TEST_ALL.search(body)
    named = [job for job in jobs if job.triggered_by(body)]
    return CommentDecision(
        run=tuple(chosen),
        retest=retest or retest_required,
        help=bool(TEST_HELP.search(body)) or (asked_by_name and not named),
        unknown=asked_by_name and not named and not TEST_HELP.search(body),
    )


def _retest(job: Job, statuses: dict[str, str], required_only: bool) -> bool:
    """Prow's RetestFilter: failed contexts, plus automatic jobs not reported yet."""
    if required_only and not job.required:
        return False
    state = statuses.get(job.context)
    return state in FAILED_STATES or (state is None and not job.needs_explicit_trigger)


def runs_on_push(jobs: Iterable[Job], branch: str, changed: Sequence[str]) -> list[Job]:
    return [job for job in jobs if job.runs_on_push(branch, changed)]


# What trigger says ------------------------------------------------------------------------


def draft_message() -> str:
    return (
        "Skipping CI for Draft Pull Request.\n"
        "If you want CI signal for your change, please convert it to an actual PR.\n"
        "You can still manually trigger a test run with `/test all`"
    )


def welcome_message(author: str, org: str, settings: TriggerSettings) -> str:
    """Prow's needs-ok-to-test comment for a contributor who is not trusted yet."""
    join = settings.join_org_url or f"https://github.com/orgs/{org}/people"
    if settings.ignore_ok_to_test:
        how = "Only members of the organisation and collaborators may run `/test`."
    else:
        how = (
            f"I'm waiting for a [{org}](https://github.com/orgs/{org}/people) member to "
            "verify that this patch is reasonable to test. If it is, they should reply with "
            "`/ok-to-test` on its own line. Until that is done, I will not automatically test "
            "new commits in this PR, but the usual testing commands by org members will still "
            "work. Regular contributors should [join the org](" + join + ") to skip this step."
            "\n\nOnce the patch is verified, the new status will be reflected by the "
            "`ok-to-test` label."
        )
    return f"Hi @{author}. Thanks for your PR.\n\n{how}"


NOT_TRUSTED_MESSAGE = (
    "Cannot trigger testing until a trusted user reviews the PR and leaves an `/ok-to-test` "
    "message."
)


def help_message(author: str, jobs: Sequence[Job], branch: str, unknown: bool) -> str:
    """Prow's HelpMessage: the commands that run this pull request's jobs."""
    on_branch = [job for job in jobs if job.runs_on_branch(branch)]
    required = sorted({job.rerun_command for job in on_branch if job.required})
    optional = sorted({job.rerun_command for job in on_branch if not job.required})
    automatic_jobs = sorted(job.name for job in on_branch if not job.needs_explicit_trigger)
    lines = [
        f"@{author}: " + ("The specified target(s) for `/test` were not found." if unknown else "")
    ]
    if required:
        lines.append("The following commands are available to trigger required jobs:")
        lines += [f"* `{command}`" for command in required]
    if optional:
        lines.append("The following commands are available to trigger optional jobs:")
        lines += [f"* `{command}`" for command in optional]
    if automatic_jobs:
        lines.append("Use `/test all` to run the following jobs that were automatically triggered:")
        lines += [f"* `{name}`" for name in automatic_jobs]
    return "\n".join(line for line in lines if line.strip())
