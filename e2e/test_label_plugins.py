"""hold, wip, dco, needs-rebase, label, require-matching-label and external plugins end
to end: `bowsprit hook` as its
own process against the cluster (emulator and envtest) and the HTTP fake GitHub, fed
webhooks built from the octokit samples; an external plugin is a small HTTP server here."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bowsprit.hook.tokens import signature_valid
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.plugin_routes import push_commit
from bowsprit.testing.fakegithub.state import (
    CommentCreated,
    CommentDeleted,
    LabelAdded,
    LabelRemoved,
    StatusCreated,
)
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, prow_config
from e2e.test_hook import (
    FULL,
    HEAD,
    MASTER,
    ORG,
    REPO,
    SAMPLES,
    SECRET,
    create,
    hook_running,
    pr_comment,
    sample_body,
)

pytestmark = [
    pytest.mark.usefixtures("crds"),
    pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures"),
]

SIGNED_SHA = "d" * 40


class Received:
    """What the external plugin endpoint got: (headers, body) per request."""

    def __init__(self) -> None:
        self.items: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    def events(self) -> list[str]:
        with self.lock:
            return [headers.get("X-GitHub-Event", "") for headers, _ in self.items]


@pytest.fixture
def endpoint() -> Iterator[tuple[str, Received]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with received.lock:
                received.items.append((dict(self.headers.items()), body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo(ORG, REPO, {"master": MASTER})
        item = fake.add_pull(FULL, 2, "Codertocat", HEAD, base="master", head="changes")
        item.commit_messages[HEAD] = "Update the README\n\nNo sign-off here."
        fake.add_member(ORG, "Codertocat")
        fake.repos[FULL].labels = ["kind/bug", "needs-kind"]
        yield fake


def pull_request(action: str, **fields: Any) -> bytes:
    body = sample_body("pull_request", "opened.payload")
    body["action"] = action
    body["pull_request"] = {**body["pull_request"], "labels": [], **fields}
    return json.dumps(body).encode()


def labels(github: FakeGitHub) -> set[str]:
    return {label.name for label in github.repos[FULL].pulls[2].labels}


def test_hold_wip_dco_needs_rebase_and_external_plugins(
    kube: Kube,
    namespace: str,
    github: FakeGitHub,
    tmp_path: Path,
    endpoint: tuple[str, Received],
) -> None:
    url, received = endpoint
    prow_config(kube, namespace)
    create(
        kube,
        namespace,
        "pluginconfigs",
        "PluginConfig",
        "merge-rules",
        {
            "repos": [ORG],
            "plugins": ["hold", "wip", "dco", "needs-rebase", "label", "require-matching-label"],
            "require_matching_label": [
                {
                    "prs": True,
                    "regexp": "^kind/",
                    "missing_label": "needs-kind",
                    "missing_comment": "Please add a kind.",
                    "grace_period": "0s",
                }
            ],
            "external_plugins": [
                {"name": "cherrypicker", "endpoint": url, "events": ["issue_comment"]}
            ],
        },
    )
    with hook_running(kube, namespace, github, tmp_path, "--resync-period", "0") as hook:
        # /hold and /hold cancel, and the external plugin gets the signed comment.
        hold = hook.post_and_wait("issue_comment", pr_comment("/hold", "Codertocat", 2))
        assert labels(github) >= {"do-not-merge/hold"}
        hook.post_and_wait("issue_comment", pr_comment("/hold cancel", "Codertocat", 2))
        assert "do-not-merge/hold" not in labels(github)
        assert LabelRemoved(FULL, 2, "do-not-merge/hold") in github.actions
        wait_for(lambda: len(received.events()) == 2, what="the external plugin's deliveries")
        headers, body = received.items[0]
        assert headers["X-GitHub-Event"] == "issue_comment"
        assert headers["X-GitHub-Delivery"] == hold.delivery_id
        assert json.loads(body)["comment"]["body"] == "/hold"
        assert signature_valid((SECRET.encode(),), body, headers["X-Hub-Signature-256"])

        # A WIP title, an unsigned commit and a PR GitHub cannot merge: one opened event.
        github.repos[FULL].pulls[2].mergeable = False
        hook.post_and_wait("pull_request", pull_request("opened", title="WIP: README"))
        assert labels(github) >= {
            "do-not-merge/work-in-progress",
            "dco-signoff: no",
            "needs-rebase",
        }
        assert github.statuses(FULL, HEAD)["dco"] == "failure"
        created = [a.body for a in github.actions if isinstance(a, CommentCreated)]
        assert any("you'll need to add a 'DCO signoff'" in body for body in created)
        assert any(body.startswith("PR needs rebase.") for body in created)

        # require-matching-label asked for a kind; /kind bug gives one, and GitHub's
        # `labeled` webhook makes the missing label and its comment go.
        assert "needs-kind" in labels(github)
        hook.post_and_wait("issue_comment", pr_comment("/kind bug", "Codertocat", 2))
        assert "kind/bug" in labels(github)
        wait_for(lambda: len(received.events()) == 3, what="the third delivery")
        labeled = json.loads(pull_request("labeled"))
        labeled["label"] = {"name": "kind/bug"}
        hook.post_and_wait("pull_request", json.dumps(labeled).encode())
        assert "needs-kind" not in labels(github)
        remaining = [c.body for c in github.repos[FULL].pulls[2].comments]
        assert not [body for body in remaining if body.startswith("Please add a kind.")]

        # A signed-off push after a rebase fixes dco and needs-rebase; the title lost WIP.
        push_commit(github, FULL, 2, SIGNED_SHA, "Sign it\n\nSigned-off-by: C <c@example.com>")
        github.repos[FULL].pulls[2].commits = [SIGNED_SHA]
        github.repos[FULL].pulls[2].mergeable = True
        head = {**sample_body("pull_request", "opened.payload")["pull_request"]["head"]}
        head["sha"] = SIGNED_SHA
        hook.post_and_wait("pull_request", pull_request("synchronize", head=head))
        hook.post_and_wait("pull_request", pull_request("edited", title="README", head=head))
        assert "dco-signoff: yes" in labels(github)
        assert not labels(github) & {
            "dco-signoff: no",
            "needs-rebase",
            "do-not-merge/work-in-progress",
        }
        assert github.statuses(FULL, SIGNED_SHA)["dco"] == "success"
        assert (
            StatusCreated(FULL, SIGNED_SHA, "dco", "success", "All commits have Signed-off-by")
            in github.actions
        )
        assert len([a for a in github.actions if isinstance(a, CommentDeleted)]) == 3
        assert not github.repos[FULL].pulls[2].comments  # the bot's comments went too

        help_page = json.loads(hook.get("/plugin-help"))
        assert set(help_page["RepoPlugins"][ORG]) == {
            "dco",
            "hold",
            "label",
            "needs-rebase",
            "require-matching-label",
            "wip",
        }
        assert help_page["RepoExternalPlugins"][ORG] == ["cherrypicker"]
        assert help_page["PluginHelp"]["dco"]["Commands"][0]["Usage"] == "/check-dco"
    # Only its event type: the three comments, none of the pull_request events.
    assert received.events() == ["issue_comment"] * 3
    assert LabelAdded(FULL, 2, "needs-rebase") in github.actions
