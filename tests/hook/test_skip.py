"""The skip plugin, with Prow's TestSkipStatus table (pkg/plugins/skip/skip_test.go) run
against the HTTP fake GitHub. Prow's optional presubmits are Presubmits here, its
required ones BlockingPresubmits."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from bowsprit.clients.github import GitHubClient
from bowsprit.hook.plugins import skip
from bowsprit.jobpod.jobs import Job
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.everyday_harness import HEAD, comment, scene
from tests.hook.jobs import job
from tests.hook.plugin_harness import FULL, apply, client, context, fake, github, statuses

__all__ = ["client", "fake", "github"]  # fixtures


def presubmit(context: str, optional: bool = True, **spec: object) -> Job:
    kind = "Presubmit" if optional else "BlockingPresubmit"
    return job(context, kind, context=context, **spec)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    name: str
    jobs: list[Job]
    existing: list[tuple[str, str]]
    skipped: list[str]
    body: str = "/skip"


CASES = [
    Case(
        "required contexts should not be skipped regardless of their state",
        [presubmit(c, optional=False) for c in ("passing-tests", "failed-tests", "pending-tests")],
        [("passing-tests", "success"), ("failed-tests", "failure"), ("pending-tests", "pending")],
        [],
    ),
    Case(
        "optional contexts that have failed or are pending should be skipped",
        [presubmit("failed-tests"), presubmit("pending-tests")],
        [("failed-tests", "failure"), ("pending-tests", "pending")],
        ["failed-tests", "pending-tests"],
    ),
    Case(
        "optional contexts that have not posted a context should not be skipped",
        [presubmit("untriggered-tests")],
        [],
        [],
    ),
    Case(
        "optional contexts that have succeeded should not be skipped",
        [presubmit("succeeded-tests")],
        [("succeeded-tests", "success")],
        [],
    ),
    Case(
        "optional tests that have failed but will be handled by trigger should not be skipped",
        [
            presubmit(
                "failed-tests",
                trigger=r"(?m)^/test (?:.*? )?job(?: .*?)?$",
                rerun_command="/test job",
            )
        ],
        [("failed-tests", "failure")],
        [],
        body="/skip\n/test job",
    ),
    # Prow's "combined status is success" case sets that state by hand; here it is what
    # GitHub derives from all-successful statuses.
    Case(
        "no contexts should be skipped if the combined status is success",
        [presubmit("passing-tests"), presubmit("other-tests")],
        [("passing-tests", "success"), ("other-tests", "success")],
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_skip_status(case: Case, github: FakeGitHub, client: GitHubClient) -> None:
    scene(github)
    for name, state in case.existing:
        github.add_status(FULL, HEAD, name, state)
    ctx = replace(context(client, "skip"), presubmits=tuple(case.jobs))
    await apply(client, await skip.handle_generic_comment(ctx, comment(case.body)))
    assert statuses(github) == [(name, "success", "Skipped") for name in case.skipped]
