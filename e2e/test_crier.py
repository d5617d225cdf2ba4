"""`bowsprit crier` as it runs in a cluster, against every target and the fake GitHub:
ProwJobs move through their states (their status patched here, as plank would) and GitHub
receives exactly the statuses and the failure comment, also across a SIGKILL of crier
between a report and its record."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.testing.fakegithub import FakeGitHub, Fault
from bowsprit.testing.fakegithub.state import (
    Action,
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    StatusCreated,
)
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, component_argv, operator_process, prow_config
from e2e.test_plank import Jobs

pytestmark = pytest.mark.usefixtures("crds")
HEAD = "b" * 40
BASE = "a" * 40
POD_SPEC = {"containers": [{"image": "busybox", "command": ["true"]}]}
REPORTER = "github-reporter"


def presubmit(
    name: str, job: str = "unit", optional: bool = False, head: str = HEAD
) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {
            "name": name,
            "labels": {"prow.k8s.io/is-optional": str(optional).lower()},
        },
        "spec": {
            "type": "presubmit",
            "job": job,
            "context": job,
            "report": True,
            "rerun_command": f"/test {job}",
            "refs": {
                "org": "org",
                "repo": "repo",
                "base_ref": "main",
                "base_sha": BASE,
                "pulls": [{"number": 1, "author": "alice", "sha": head}],
            },
            "pod_spec": POD_SPEC,
        },
    }


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("org", "repo", {"main": BASE})
        fake.add_pull("org/repo", 1, "alice", HEAD)
        yield fake


def crier_argv(kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path) -> list[str]:
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    return [
        *component_argv(kube, "crier", namespace),
        "--github-workers",
        "2",
        "--github-endpoint",
        github.url,
        "--github-token-path",
        str(token),
    ]


def reported(jobs: Jobs, name: str, state: str) -> dict[str, Any]:
    """Wait for crier's record that it reported `state`."""
    return wait_for(
        lambda: (
            (jobs.status(name).get("prev_report_states") or {}).get(REPORTER) == state
            and jobs.status(name)
        ),
        what=f"{name} reported {state}",
    )


def statuses(github: FakeGitHub) -> list[tuple[str, str]]:
    return [(a.context, a.state) for a in github.actions if isinstance(a, StatusCreated)]


def comments(github: FakeGitHub) -> list[Action]:
    kinds = (CommentCreated, CommentEdited, CommentDeleted)
    return [a for a in github.actions if isinstance(a, kinds)]


def finish(jobs: Jobs, name: str, state: str, description: str) -> None:
    jobs.set_status(
        name,
        {
            "state": state,
            "description": description,
            "completionTime": "2026-11-25T05:01:00Z",
            "url": f"https://deck/view/{name}",
        },
    )


def test_statuses_and_the_failure_comment(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    jobs = Jobs(kube, namespace)
    prow_config(kube, namespace)
    with operator_process(crier_argv(kube, namespace, github, tmp_path)):
        jobs.create(presubmit("unit-1"))
        jobs.create(presubmit("lint-1", job="lint", optional=True))
        reported(jobs, "unit-1", "triggered")
        reported(jobs, "lint-1", "triggered")
        jobs.set_status("unit-1", {"state": "pending", "description": "Job running."})
        reported(jobs, "unit-1", "pending")
        finish(jobs, "unit-1", "failure", "Job failed.")
        finish(jobs, "lint-1", "failure", "Job failed.")
        reported(jobs, "unit-1", "failure")
        reported(jobs, "lint-1", "failure")
        assert github.statuses("org/repo", HEAD) == {"unit": "failure", "lint": "failure"}
        (comment,) = github.repos["org/repo"].pulls[1].comments
        assert comment.body.startswith("@alice: The following tests **failed**")
        assert f"unit | {HEAD} | [link](https://deck/view/unit-1) | true | `/test unit`" in (
            comment.body
        )
        assert f"lint | {HEAD} | [link](https://deck/view/lint-1) | false | `/test lint`" in (
            comment.body
        )

        # /retest: unit passes; its row goes, lint's stays.
        jobs.create(presubmit("unit-2"))
        reported(jobs, "unit-2", "triggered")
        finish(jobs, "unit-2", "success", "Job succeeded.")
        reported(jobs, "unit-2", "success")
        (comment,) = github.repos["org/repo"].pulls[1].comments
        assert "unit |" not in comment.body and "lint |" in comment.body
        # lint passes too: the comment is deleted.
        jobs.create(presubmit("lint-2", job="lint", optional=True))
        reported(jobs, "lint-2", "triggered")
        finish(jobs, "lint-2", "success", "Job succeeded.")
        reported(jobs, "lint-2", "success")
        assert github.repos["org/repo"].pulls[1].comments == []

    assert sorted(statuses(github)) == sorted(
        [("unit", "pending")] * 2
        + [("lint", "pending"), ("unit", "failure"), ("lint", "failure")]
        + [("unit", "pending"), ("unit", "success"), ("lint", "pending"), ("lint", "success")]
    )
    kinds = [type(a).__name__ for a in comments(github)]
    # first failure posted; the second failure recreates it (a notification, as in Prow);
    # unit fixed edits it; lint fixed deletes it.
    assert kinds == [
        "CommentCreated",
        "CommentDeleted",
        "CommentCreated",
        "CommentEdited",
        "CommentDeleted",
    ]
    descriptions = [a.description for a in github.actions if isinstance(a, StatusCreated)]
    assert all(d.endswith(" BaseSHA:" + BASE) for d in descriptions)


@contextlib.contextmanager
def killed_crier(argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """crier as a process this test kills with SIGKILL (no clean exit to check)."""
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.kill()
            process.wait(timeout=30)


def test_killed_between_report_and_record_reports_once(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    jobs = Jobs(kube, namespace)
    prow_config(kube, namespace)
    argv = crier_argv(kube, namespace, github, tmp_path)

    # 1. GitHub sets the status, crier is killed before it hears back or records it.
    held = github.hold("POST", "/repos/org/repo/statuses")
    with killed_crier(argv, tmp_path / "crier-1.log"):
        jobs.create(presubmit("unit-1"))
        assert held.arrived.wait(30), (tmp_path / "crier-1.log").read_text()
    held.release()
    assert "prev_report_states" not in jobs.status("unit-1")
    assert statuses(github) == [("unit", "pending")]

    # 2. A new crier finds the status already there: it records, and posts nothing.
    with operator_process(argv):
        reported(jobs, "unit-1", "triggered")
    assert statuses(github) == [("unit", "pending")]

    # 3. The job fails; crier is killed after the failure comment is created.
    finish(jobs, "unit-1", "failure", "Job failed.")
    held = github.hold("POST", "/repos/org/repo/issues/1/comments")
    with killed_crier(argv, tmp_path / "crier-3.log"):
        assert held.arrived.wait(30), (tmp_path / "crier-3.log").read_text()
    held.release()
    assert (jobs.status("unit-1").get("prev_report_states") or {}).get(REPORTER) == "triggered"

    # 4. The next crier leaves status and comment as they are, and records.
    with operator_process(argv):
        reported(jobs, "unit-1", "failure")
    assert statuses(github) == [("unit", "pending"), ("unit", "failure")]
    assert [type(a).__name__ for a in comments(github)] == ["CommentCreated"]
    assert len(github.repos["org/repo"].pulls[1].comments) == 1


def test_failed_reports_are_retried_and_a_gone_commit_dropped(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    jobs = Jobs(kube, namespace)
    prow_config(kube, namespace)
    # Refused twice (a 403 the client does not retry): crier retries with backoff.
    refusal = '{"message": "Resource not accessible by integration"}'
    github.fail(Fault("POST", "/repos/org/repo/statuses", 403, count=2, body=refusal))
    with operator_process(crier_argv(kube, namespace, github, tmp_path)):
        jobs.create(presubmit("unit-1"))
        reported(jobs, "unit-1", "triggered")
        # A head force-pushed away: GitHub knows no such commit; logged, dropped, recorded.
        jobs.create(presubmit("unit-gone", head="f" * 40))
        reported(jobs, "unit-gone", "triggered")
    posts = [r for r in github.requests if r.method == "POST"]
    assert [r.path for r in posts] == [f"/repos/org/repo/statuses/{HEAD}"] * 3 + [
        "/repos/org/repo/statuses/" + "f" * 40
    ]
    assert statuses(github) == [("unit", "pending")]


def test_summary_comment_once_every_job_is_done(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    jobs = Jobs(kube, namespace)
    prow_config(kube, namespace, crier={"github_reporter": {"summary_comment_repos": ["org"]}})
    with operator_process(crier_argv(kube, namespace, github, tmp_path)):
        jobs.create(presubmit("unit-1"))
        jobs.create(presubmit("lint-1", job="lint"))
        reported(jobs, "unit-1", "triggered")
        reported(jobs, "lint-1", "triggered")
        finish(jobs, "unit-1", "failure", "Job failed.")
        reported(jobs, "unit-1", "failure")
        assert github.repos["org/repo"].pulls[1].comments == []  # lint still runs
        finish(jobs, "lint-1", "success", "Job succeeded.")
        reported(jobs, "lint-1", "success")
    (comment,) = github.repos["org/repo"].pulls[1].comments
    assert comment.body.startswith("@alice: The following test **failed**")
    assert "unit |" in comment.body and "lint |" not in comment.body


class SlackServer:
    """A Slack incoming webhook on loopback that records every post."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                length = int(self.headers.get("Content-Length", "0"))
                recorder.posts.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T/B/x"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_slack_and_github_report_side_by_side(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    jobs = Jobs(kube, namespace)
    slack = SlackServer()
    webhook = tmp_path / "webhook"
    webhook.write_text(slack.url)
    slack_configs = {
        "*": {
            "job_types_to_report": ["presubmit"],
            "job_states_to_report": ["failure"],
            "channel": "ci",
        }
    }
    prow_config(kube, namespace, crier={"slack_reporter_configs": slack_configs})
    argv = crier_argv(kube, namespace, github, tmp_path)
    argv += ["--slack-workers", "1", "--slack-webhook-url-file", str(webhook)]
    try:
        with operator_process(argv):
            jobs.create(presubmit("unit-1"))
            reported(jobs, "unit-1", "triggered")
            finish(jobs, "unit-1", "failure", "Job failed.")
            status = wait_for(
                lambda: (
                    (s := jobs.status("unit-1")).get("prev_report_states")
                    == {REPORTER: "failure", "slackreporter": "failure"}
                    and s
                ),
                what="both reporters' records",
            )
            assert status["state"] == "failure"
    finally:
        slack.close()
    assert slack.posts == [
        {
            "channel": "ci",
            "text": "Job unit of type presubmit ended with state failure. "
            "<https://deck/view/unit-1|View logs>",
        }
    ]
    assert statuses(github) == [("unit", "pending"), ("unit", "failure")]
