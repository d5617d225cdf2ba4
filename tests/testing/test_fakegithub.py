"""The fake GitHub over real HTTP: shapes, codes, records, ETags, faults, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bowsprit.testing.fakegithub import (
    FakeGitHub,
    Fault,
    deliver_webhook,
    webhook_samples,
)
from bowsprit.testing.fakegithub.state import CommentCreated, LabelAdded, Merged, StatusCreated

HEAD = "b" * 40


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("org", "repo", {"main": "a" * 40})
        fake.add_pull(
            "org/repo", 1, "alice", HEAD, files=[f"f{i}.go" for i in range(45)], labels=["lgtm"]
        )
        fake.add_pull("org/repo", 2, "bob", "c" * 40, base="release", labels=["approved"])
        fake.add_member("org", "alice")
        fake.add_collaborator("org/repo", "carol")
        yield fake


def call(
    github: FakeGitHub,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        github.url + path,
        data=data,
        method=method,
        headers={"Authorization": "token t", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None, dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None, dict(error.headers)


def test_repository_and_pull_shapes(github: FakeGitHub) -> None:
    status, repo, headers = call(github, "GET", "/repos/org/repo")
    assert status == 200 and repo["full_name"] == "org/repo" and repo["default_branch"] == "main"
    assert headers["X-RateLimit-Limit"] == "5000" and "ETag" in headers
    _, pull, _ = call(github, "GET", "/repos/org/repo/pulls/1")
    assert pull["head"]["sha"] == HEAD and pull["base"]["ref"] == "main"
    assert pull["user"]["login"] == "alice"
    assert [label["name"] for label in pull["labels"]] == ["lgtm"]
    status, error, _ = call(github, "GET", "/repos/org/repo/pulls/99")
    assert status == 404 and error["message"] == "Not Found"


def test_etag_revalidation_costs_nothing(github: FakeGitHub) -> None:
    _, _, headers = call(github, "GET", "/repos/org/repo")
    before = github.remaining
    status, _, _ = call(
        github, "GET", "/repos/org/repo", headers={"If-None-Match": headers["ETag"]}
    )
    assert status == 304 and github.remaining == before


def test_changed_files_are_paginated(github: FakeGitHub) -> None:
    _, page1, headers = call(github, "GET", "/repos/org/repo/pulls/1/files?per_page=30")
    assert len(page1) == 30 and 'rel="next"' in headers["Link"]
    next_url = headers["Link"].split(";")[0].strip("<>")
    _, page2, headers2 = call(github, "GET", next_url.removeprefix(github.url))
    assert len(page2) == 15 and "Link" not in headers2


def test_comments_labels_and_statuses_are_recorded(github: FakeGitHub) -> None:
    status, created, _ = call(github, "POST", "/repos/org/repo/issues/1/comments", {"body": "hi"})
    assert status == 201 and created["user"]["login"] == "bowsprit-bot"
    call(github, "PATCH", f"/repos/org/repo/issues/comments/{created['id']}", {"body": "edited"})
    _, listed, _ = call(github, "GET", "/repos/org/repo/issues/1/comments")
    assert [c["body"] for c in listed] == ["edited"]
    assert call(github, "DELETE", f"/repos/org/repo/issues/comments/{created['id']}")[0] == 204
    call(github, "POST", "/repos/org/repo/issues/1/labels", {"labels": ["ok-to-test"]})
    assert call(github, "DELETE", "/repos/org/repo/issues/1/labels/lgtm")[0] == 200
    call(
        github,
        "POST",
        f"/repos/org/repo/statuses/{HEAD}",
        {"state": "pending", "context": "unit", "description": "Job triggered."},
    )
    call(
        github,
        "POST",
        f"/repos/org/repo/statuses/{HEAD}",
        {"state": "success", "context": "unit", "description": "Job succeeded."},
    )
    _, combined, _ = call(github, "GET", f"/repos/org/repo/commits/{HEAD}/status")
    assert combined["state"] == "success" and combined["total_count"] == 1
    assert github.statuses("org/repo", HEAD) == {"unit": "success"}
    status, _, _ = call(
        github, "POST", f"/repos/org/repo/statuses/{'f' * 40}", {"state": "success"}
    )
    assert status == 422  # force-pushed SHA
    assert github.actions[0] == CommentCreated("org/repo", 1, "bowsprit-bot", "hi")
    assert LabelAdded("org/repo", 1, "ok-to-test") in github.actions
    assert StatusCreated("org/repo", HEAD, "unit", "success", "Job succeeded.") in github.actions


def test_trust_lookups(github: FakeGitHub) -> None:
    assert call(github, "GET", "/orgs/org/members/alice")[0] == 204
    assert call(github, "GET", "/orgs/org/members/mallory")[0] == 404
    assert call(github, "GET", "/repos/org/repo/collaborators/carol")[0] == 204
    assert call(github, "GET", "/repos/org/repo/collaborators/alice")[0] == 404


def test_merge(github: FakeGitHub) -> None:
    status, error, _ = call(github, "PUT", "/repos/org/repo/pulls/1/merge", {"sha": "0" * 40})
    assert status == 409 and "Head branch was modified" in error["message"]
    status, merged, _ = call(
        github, "PUT", "/repos/org/repo/pulls/1/merge", {"sha": HEAD, "merge_method": "squash"}
    )
    assert status == 200 and merged["merged"] is True
    assert github.actions[-1] == Merged("org/repo", 1, "squash", HEAD)
    assert github.repos["org/repo"].branches["main"] == merged["sha"]
    assert call(github, "PUT", "/repos/org/repo/pulls/1/merge", {})[0] == 405


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("is:pr state:open repo:org/repo", [1, 2]),
        ("is:pr state:open org:org label:lgtm", [1]),
        ("is:pr state:open repo:org/repo -label:lgtm", [2]),
        ("is:pr state:open repo:org/repo base:release", [2]),
        ("is:pr state:open repo:org/repo -base:release author:alice", [1]),
        ("is:pr state:open repo:other/repo", []),
    ],
)
def test_search_qualifiers(github: FakeGitHub, query: str, numbers: list[int]) -> None:
    _, found, _ = call(github, "GET", "/search/issues?q=" + urllib.request.quote(query))
    assert sorted(item["number"] for item in found["items"]) == numbers


def test_faults(github: FakeGitHub) -> None:
    github.fail(Fault("GET", "/repos/org/repo", 502, count=2))
    github.fail(
        Fault(
            "POST",
            "/repos/org/repo/statuses",
            403,
            headers=(("X-RateLimit-Remaining", "0"),),
            body='{"message": "API rate limit exceeded"}',
        )
    )
    assert call(github, "GET", "/repos/org/repo")[0] == 502
    assert call(github, "GET", "/repos/org/repo")[0] == 502
    assert call(github, "GET", "/repos/org/repo")[0] == 200
    status, _, headers = call(
        github, "POST", f"/repos/org/repo/statuses/{HEAD}", {"state": "success"}
    )
    assert status == 403 and headers["X-RateLimit-Remaining"] == "0"
    assert [r.path for r in github.requests][:2] == ["/repos/org/repo", "/repos/org/repo"]


class Receiver(BaseHTTPRequestHandler):
    secret = b"s3cret"
    received: list[tuple[str, str, bool]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(expected, self.headers["X-Hub-Signature-256"])
        self.received.append(
            (self.headers["X-GitHub-Event"], self.headers["X-GitHub-Delivery"], valid)
        )
        self.send_response(200 if valid else 403)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def test_every_sample_is_delivered_signed_as_github_signs() -> None:
    samples = list(webhook_samples())
    if not samples:
        pytest.skip("../shared/fixtures/github-webhooks is not here")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        for sample in samples:
            delivery = deliver_webhook(url, sample.event, sample.body, Receiver.secret)
            assert delivery.status == 200, sample.path
        assert deliver_webhook(url, "ping", b"{}", b"wrong").status == 403
    finally:
        server.shutdown()
        server.server_close()
    assert len(samples) >= 100
    assert {event for event, _, _ in Receiver.received} >= {"pull_request", "issue_comment", "push"}


def test_search_ors_repeated_scopes_and_label_alternatives() -> None:
    from bowsprit.testing.fakegithub.search import matches
    from bowsprit.testing.fakegithub.state import Label, Pull, Repo

    repo = Repo("o", "r")
    pull = Pull(1, "alice", "t", "main", "f", "a" * 40, labels=[Label("lgtm"), Label("that")])
    assert matches('is:pr org:"x" repo:"o/r" label:"this","that"', repo, pull)
    assert not matches('is:pr org:"x" repo:"o/other"', repo, pull)
    assert not matches('is:pr repo:"o/r" -repo:"o/r"', repo, pull)
    assert matches('is:pr base:"dev" base:"main" label:"lgtm"', repo, pull)
    assert not matches('is:pr base:"main" label:"approved"', repo, pull)


def test_a_merge_moves_the_base_and_makes_overlapping_pulls_conflict() -> None:
    with FakeGitHub() as github:
        github.add_repo("o", "r")
        github.add_pull("o/r", 1, "alice", "1" * 40, files=["a.go"])
        github.add_pull("o/r", 2, "bob", "2" * 40, files=["a.go"])
        github.add_pull("o/r", 3, "carol", "3" * 40, files=["b.go"])
        before = github.repos["o/r"].branches["main"]
        status, body, _ = call(github, "PUT", "/repos/o/r/pulls/1/merge", {"sha": "1" * 40})
        assert status == 200
        assert github.repos["o/r"].branches["main"] == body["sha"] != before
        assert [github.repos["o/r"].pulls[n].mergeable for n in (2, 3)] == [False, True]
        github.push("o/r", 3, "4" * 40)
        status, _, _ = call(github, "PUT", "/repos/o/r/pulls/3/merge", {"sha": "3" * 40})
        assert status == 409


def test_graphql_answers_tides_search_page_by_page() -> None:
    with FakeGitHub() as github:
        github.add_repo("o", "r")
        for number in range(1, 4):
            github.add_pull("o/r", number, "alice", str(number) * 40, labels=["lgtm"])
        github.add_pull("o/r", 9, "bob", "9" * 40)
        query = "query { search(type: ISSUE) { nodes { ... on PullRequest { number } } } }"
        variables = {"query": 'is:pr repo:"o/r" label:"lgtm"', "first": 2, "after": None}
        _, first, _ = call(github, "POST", "/graphql", {"query": query, "variables": variables})
        page = first["data"]["search"]
        assert [node["number"] for node in page["nodes"]] == [1, 2]
        assert page["pageInfo"]["hasNextPage"] is True
        variables["after"] = page["pageInfo"]["endCursor"]
        _, second, _ = call(github, "POST", "/graphql", {"query": query, "variables": variables})
        assert [node["number"] for node in second["data"]["search"]["nodes"]] == [3]
        assert second["data"]["search"]["pageInfo"]["hasNextPage"] is False
        _, refused, _ = call(github, "POST", "/graphql", {"query": "query { viewer { login } }"})
        assert refused["errors"]
