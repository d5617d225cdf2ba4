"""One repository pass against the fake GitHub over real HTTP, through the GitHub layer:
which pull requests get ProwJobs (Prow's TestControllerReconcile cases), which statuses
are written, that a failing pull request does not stop the others, and that a second
pass changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bowsprit.api.pluginconfig import TriggerSettings
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.statusreconciler.apply import RepoPass, prowjob_name
from bowsprit.statusreconciler.decide import Delta, delta
from bowsprit.testing.fakegithub import FakeGitHub, Fault
from bowsprit.testing.fakegithub.state import CommitStatus, StatusCreated
from tests.statusreconciler.jobs import config

BASE = "a" * 40
OLD = config(
    '"org/repo":\n- {name: required-job, context: required-job, always_run: true}\n'
    "- {name: other-required-job, context: other-required-job, always_run: true}"
)
NEW = config(
    '"org/repo":\n- {name: other-required-job, context: new-context, always_run: true}\n'
    "- {name: new-required-job, context: new-required-context, always_run: true,"
    " branches: [base]}\n"
    '- {name: run-on-changes-job, run_if_changed: "^mychange"}'
)


def head(number: int) -> str:
    return f"{number:040d}"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("org", "repo", {"base": BASE, "other": "c" * 40})
        fake.add_member("org", "member")
        fake.add_pull("org/repo", 1, "member", head(1), base="base", files=["mychange"])
        fake.add_pull("org/repo", 2, "member", head(2), base="base", files=["notmychange"])
        fake.add_pull("org/repo", 3, "stranger", head(3), base="base")
        fake.add_pull("org/repo", 4, "stranger", head(4), base="base", labels=["ok-to-test"])
        fake.add_pull("org/repo", 5, "member", head(5), base="base", draft=True)
        fake.add_pull("org/repo", 6, "member", head(6), base="other")
        unmergeable = fake.add_pull("org/repo", 7, "member", head(7), base="base")
        unmergeable.mergeable = False
        closed = fake.add_pull("org/repo", 8, "member", head(8), base="base")
        closed.state = "closed"
        for number in range(1, 9):
            fake.repos["org/repo"].statuses[head(number)] = [
                CommitStatus(c, "failure", "Job failed.", "https://deck", "bot", "")
                for c in ("required-job", "other-required-job")
            ]
        yield fake


@pytest.fixture
async def client(github: FakeGitHub, tmp_path: Path) -> AsyncIterator[GitHubClient]:
    token = tmp_path / "token"
    token.write_text("t\n")
    made = GitHubClient(GitHubSettings(base_url=github.url, token_path=token, max_attempts=1))
    yield made
    await made.aclose()


class Created:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    async def __call__(self, body: dict[str, Any]) -> None:
        self.bodies.append(body)

    def by_pull(self) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for body in self.bodies:
            number = body["spec"]["refs"]["pulls"][0]["number"]
            found.setdefault(number, []).append(body["spec"]["job"])
        return found


def new_pass(client: GitHubClient, created: Created, change: Delta, **kwargs: Any) -> RepoPass:
    return RepoPass(
        "org", "repo", change, client, created, TriggerSettings(), "bowsprit-bot", "jobs", **kwargs
    )


def statuses(github: FakeGitHub) -> set[tuple[int, str, str, str]]:
    numbers = {head(n): n for n in range(1, 9)}
    return {
        (numbers[a.sha], a.context, a.state, a.description)
        for a in github.actions
        if isinstance(a, StatusCreated)
    }


async def test_a_pass_over_the_open_pull_requests(client: GitHubClient, github: FakeGitHub) -> None:
    created = Created()
    work = new_pass(client, created, delta(OLD, NEW, known=True))
    await work.run()
    assert work.errors == []
    # Trusted authors (or ok-to-test) on a matching branch, not drafts, not unmergeable;
    # run_if_changed only where the files match; closed pull requests are not listed.
    assert created.by_pull() == {
        1: ["new-required-job", "run-on-changes-job"],
        2: ["new-required-job"],
        4: ["new-required-job"],
    }
    body = next(b for b in created.bodies if b["spec"]["refs"]["pulls"][0]["number"] == 1)
    assert body["metadata"]["namespace"] == "jobs"
    assert body["metadata"]["labels"]["event-GUID"] == "none"
    assert body["metadata"]["labels"]["prow.k8s.io/is-optional"] == "false"
    assert body["spec"]["refs"]["base_sha"] == BASE
    assert body["spec"]["refs"]["pulls"][0]["sha"] == head(1)
    assert body["spec"]["context"] == "new-required-context"
    # Retired and migrated on every open pull request with the context, drafts included
    # (Prow's migrator looks at branches only).
    moved = 'Context retired. Status moved to "new-context".'
    expected = set()
    for number in (1, 2, 3, 4, 5, 6, 7):
        expected |= {
            (number, "required-job", "success", "Context retired without replacement."),
            (number, "new-context", "failure", "Job failed."),
            (number, "other-required-job", "success", moved),
        }
    assert statuses(github) == expected
    # Only this repository's open pull requests were looked at, each once per need: one
    # listing, files for the run_if_changed job only where the branch matches, one
    # combined status per pull request, the authors' trust, the base branch's head.
    asked = [r.path for r in github.requests if r.method == "GET"]
    assert all(p.startswith(("/repos/org/repo/", "/orgs/org/members/")) for p in asked), asked
    assert asked.count("/repos/org/repo/pulls") == 1
    assert len([p for p in asked if p.endswith("/status")]) == 7
    # Trusted authors with a candidate job: 1, 2, 4 (ok-to-test) and 6 (run-on-changes-job
    # has no branch filter); 3's author is not trusted, so its files are never asked for.
    assert len([p for p in asked if p.endswith("/files")]) == 4
    members = [p for p in asked if p.startswith("/orgs/")]
    assert len(members) == len(set(members))  # each author asked once per pass
    assert asked.count("/repos/org/repo/branches/base") == 1
    # Again: the same ProwJob names (a create finds the first), no status written again.
    again, before = Created(), len(github.actions)
    second = new_pass(client, again, delta(OLD, NEW, known=True))
    await second.run()
    assert sorted(b["metadata"]["name"] for b in again.bodies) == sorted(
        b["metadata"]["name"] for b in created.bodies
    )
    assert len(github.actions) == before


async def test_one_failing_pull_request_does_not_stop_the_others(
    client: GitHubClient, github: FakeGitHub
) -> None:
    github.fail(Fault("GET", "/repos/org/repo/pulls/1/files", 500))
    created = Created()
    work = new_pass(client, created, delta(OLD, NEW, known=True))
    await work.run()
    assert len(work.errors) == 1 and "#1" in work.errors[0]
    assert sorted(created.by_pull()) == [2, 4]
    assert (3, "required-job", "success", "Context retired without replacement.") in statuses(
        github
    )


async def test_dry_run_writes_nothing(client: GitHubClient, github: FakeGitHub) -> None:
    created = Created()
    work = new_pass(client, created, delta(OLD, NEW, known=True), dry_run=True)
    await work.run()
    assert created.bodies == [] and statuses(github) == set()
    assert len(work.created) == 4 and work.written


async def test_an_empty_delta_asks_github_nothing(client: GitHubClient, github: FakeGitHub) -> None:
    await new_pass(client, Created(), Delta()).run()
    assert github.requests == []


def test_prowjob_names_follow_the_head_and_the_job() -> None:
    from bowsprit.jobpod.newjob import PullFacts

    pull = PullFacts("org", "repo", "", 1, "a", "", "t", head(1), "f", "base", "")
    job = NEW[1]
    assert prowjob_name(job, pull) == prowjob_name(job, pull)
    moved = PullFacts("org", "repo", "", 1, "a", "", "t", head(2), "f", "base", "")
    assert prowjob_name(job, moved) != prowjob_name(job, pull)
    assert prowjob_name(NEW[2], pull) != prowjob_name(job, pull)
