"""The reporters over real HTTP: the GitHub reporter against the fake GitHub, the Slack
reporter against a local server that records what is posted to its webhook."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.clients.github import GitHubClient, GitHubError, GitHubSettings
from bowsprit.clients.slack import SlackError, SlackWebhook, read_webhook_url
from bowsprit.crier.report import GitHubReporter, SlackReporter
from bowsprit.testing.fakegithub import FakeGitHub, Fault
from bowsprit.testing.fakegithub.state import (
    CommentCreated,
    CommentDeleted,
    StatusCreated,
)
from tests.crier.jobs import BASE, HEAD, job

CONFIG = ProwConfigSpec()


async def _no_wait(_: float) -> None:
    return None


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("org", "repo", {"main": BASE})
        fake.add_pull("org/repo", 1, "alice", HEAD)
        yield fake


@pytest.fixture
async def reporter(github: FakeGitHub, tmp_path: Path) -> AsyncIterator[GitHubReporter]:
    token = tmp_path / "token"
    token.write_text("t")
    client = GitHubClient(
        GitHubSettings(base_url=github.url, token_path=token), sleep=_no_wait, rand=lambda: 0.0
    )
    yield GitHubReporter(client)
    await client.aclose()


def _statuses(github: FakeGitHub) -> list[tuple[str, str]]:
    return [(a.context, a.state) for a in github.actions if isinstance(a, StatusCreated)]


async def test_statuses_and_the_failure_comment(
    reporter: GitHubReporter, github: FakeGitHub
) -> None:
    await reporter.report(job(state="pending"), CONFIG, suspect=False)
    assert await reporter.report(job(state="failure"), CONFIG, suspect=False) == (
        "status failure, failure comment posted"
    )
    assert _statuses(github) == [("unit", "pending"), ("unit", "failure")]
    (comment,) = github.repos["org/repo"].pulls[1].comments
    assert comment.body.startswith("@alice: The following test **failed**")
    assert f"unit | {HEAD} | [link](https://deck/view/1) | true | `/test unit`" in comment.body
    status = github.repos["org/repo"].statuses[HEAD][-1]
    assert status.description.endswith(" BaseSHA:" + BASE)
    assert status.target_url == "https://deck/view/1"

    # The rerun passes: success, and the comment goes away.
    await reporter.report(job(name="pj-2", state="success"), CONFIG, suspect=False)
    assert github.statuses("org/repo", HEAD) == {"unit": "success"}
    assert github.repos["org/repo"].pulls[1].comments == []
    assert CommentDeleted("org/repo", comment.id) in github.actions


async def test_a_suspect_report_already_made_is_not_made_again(
    reporter: GitHubReporter, github: FakeGitHub
) -> None:
    await reporter.report(job(state="failure"), CONFIG, suspect=False)
    before = list(github.actions)
    done = await reporter.report(job(state="failure"), CONFIG, suspect=True)
    assert done == "status failure already set, failure comment unchanged"
    assert github.actions == before
    # Suspect, but not made yet (killed before reporting): made now.
    await reporter.report(job(state="error", name="pj-3"), CONFIG, suspect=True)
    assert _statuses(github)[-1] == ("unit", "error")


@pytest.mark.parametrize(
    "fault",
    [
        None,  # the fake answers 422 "No commit found for SHA" for an unknown commit
        Fault("POST", "/repos/org/repo/statuses", 404, body='{"message": "Not Found"}'),
        Fault(
            "POST",
            "/repos/org/repo/statuses",
            422,
            body='{"message": "This SHA and context has reached the maximum number of statuses."}',
        ),
    ],
    ids=["no-commit", "not-found", "too-many-statuses"],
)
async def test_a_commit_gone_is_logged_and_dropped(
    reporter: GitHubReporter, github: FakeGitHub, fault: Fault | None
) -> None:
    if fault is not None:
        github.fail(fault)
    head = "f" * 40 if fault is None else HEAD
    assert await reporter.report(job(state="failure", head=head), CONFIG, suspect=False) == (
        "dropped"
    )
    assert not any(isinstance(a, CommentCreated) for a in github.actions)


async def test_other_failures_are_raised_for_a_retry(
    reporter: GitHubReporter, github: FakeGitHub
) -> None:
    github.fail(Fault("POST", "/repos/org/repo/statuses", 502, count=100))
    with pytest.raises(GitHubError) as raised:
        await reporter.report(job(state="pending"), CONFIG, suspect=False)
    assert raised.value.status == 502
    github.faults.clear()  # the 502s left over would answer first
    github.fail(Fault("POST", "/repos/org/repo/statuses", 403, body='{"message": "no access"}'))
    with pytest.raises(GitHubError, match="no access") as refused:
        await reporter.report(job(state="pending"), CONFIG, suspect=False)
    assert refused.value.status == 403


# Slack ------------------------------------------------------------------------------------


class SlackServer:
    """An incoming-webhook endpoint that records posts and answers as told."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.answers: list[tuple[int, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.posts.append(json.loads(await request.read()))
        status, text = self.answers.pop(0) if self.answers else (200, "ok")
        return web.Response(status=status, text=text)


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[tuple[SlackServer, SlackWebhook]]:
    server = SlackServer()
    app = web.Application()
    app.router.add_post("/services/T0/B0/secret", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    secret = tmp_path / "webhook"
    secret.write_text(f"http://127.0.0.1:{port}/services/T0/B0/secret\n")
    webhook = SlackWebhook(read_webhook_url(secret))
    yield server, webhook
    await webhook.aclose()
    await runner.cleanup()


SLACK_CONFIG = ProwConfigSpec.model_validate(
    {
        "crier": {
            "slack_reporter_configs": {
                "*": {
                    "job_types_to_report": ["presubmit"],
                    "job_states_to_report": ["failure"],
                    "channel": "ci",
                }
            }
        }
    }
)


async def test_slack_posts_to_the_webhook(slack: tuple[SlackServer, SlackWebhook]) -> None:
    server, webhook = slack
    reporter = SlackReporter(webhook)
    assert not reporter.wants(job(state="success"), SLACK_CONFIG)
    failed = job(state="failure")
    assert reporter.wants(failed, SLACK_CONFIG)
    assert await reporter.report(failed, SLACK_CONFIG, suspect=False) == "posted to ci"
    assert server.posts == [
        {
            "channel": "ci",
            "text": "Job unit of type presubmit ended with state failure. "
            "<https://deck/view/1|View logs>",
        }
    ]


async def test_slack_failures(slack: tuple[SlackServer, SlackWebhook]) -> None:
    server, webhook = slack
    reporter = SlackReporter(webhook)
    failed = job(state="failure")
    server.answers = [(500, "oops"), (429, "slow down")]
    for _ in range(2):
        with pytest.raises(SlackError) as raised:
            await reporter.report(failed, SLACK_CONFIG, suspect=False)
        assert raised.value.retryable
    server.answers = [(404, "no_service")]  # a revoked webhook stays revoked
    assert await reporter.report(failed, SLACK_CONFIG, suspect=False) == "dropped"


def test_webhook_url_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SlackError, match="cannot read"):
        read_webhook_url(tmp_path / "absent")
    (tmp_path / "bad").write_text("not a url")
    with pytest.raises(SlackError, match="does not hold a webhook URL"):
        read_webhook_url(tmp_path / "bad")
