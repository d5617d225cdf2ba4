"""The GitHub layer against the fake GitHub over real HTTP: every call, retries, rate
limits, ETags, token and GitHub App auth; and its pure rules, table-driven."""

from __future__ import annotations

import argparse
import os
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bowsprit.clients.github import (
    GitHubClient,
    GitHubError,
    GitHubSettings,
    add_github_flags,
    backoff,
    next_link,
    rate_limit_wait,
    settings_from_args,
)
from bowsprit.testing.fakegithub import FakeGitHub, Fault
from bowsprit.testing.fakegithub.state import CommentDeleted, LabelRemoved, StatusCreated

HEAD = "b" * 40
MAIN = "a" * 40


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


class Sleeps:
    """Records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def github(clock: Clock) -> Iterator[FakeGitHub]:
    with FakeGitHub(clock=clock) as fake:
        fake.add_repo("org", "repo", {"main": MAIN, "release/1.0": "d" * 40})
        fake.add_pull("org/repo", 1, "alice", HEAD, files=[f"f{i}.go" for i in range(230)])
        fake.add_member("org", "alice")
        fake.add_collaborator("org/repo", "carol")
        yield fake


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def token(tmp_path: Path) -> Path:
    path = tmp_path / "token"
    path.write_text("s3cret\n")
    return path


@pytest.fixture
async def client(
    github: FakeGitHub, token: Path, clock: Clock, sleeps: Sleeps
) -> AsyncIterator[GitHubClient]:
    settings = GitHubSettings(base_url=github.url, token_path=token)
    made = GitHubClient(settings, clock=clock, sleep=sleeps, rand=lambda: 0.5)
    yield made
    await made.aclose()


async def test_every_call_against_the_fake(client: GitHubClient, github: FakeGitHub) -> None:
    assert await client.bot_login() == "bowsprit-bot"
    assert (await client.get_pull("org", "repo", 1))["head"]["sha"] == HEAD
    files = await client.list_pull_files("org", "repo", 1)
    assert files == [f"f{i}.go" for i in range(230)]  # three pages of 100
    assert await client.is_member("org", "alice")
    assert not await client.is_member("org", "mallory")
    assert await client.is_collaborator("org", "repo", "carol")
    assert not await client.is_collaborator("org", "repo", "alice")
    created = await client.create_comment("org", "repo", 1, "first")
    await client.edit_comment("org", "repo", created["id"], "edited")
    comments = await client.list_issue_comments("org", "repo", 1)
    assert [(c["body"], c["user"]["login"]) for c in comments] == [("edited", "bowsprit-bot")]
    await client.delete_comment("org", "repo", created["id"])
    assert await client.list_issue_comments("org", "repo", 1) == []
    await client.add_label("org", "repo", 1, "needs-ok-to-test")
    await client.add_label("org", "repo", 1, "kind/bug")
    assert await client.list_labels("org", "repo", 1) == ["needs-ok-to-test", "kind/bug"]
    await client.remove_label("org", "repo", 1, "kind/bug")  # a slash, quoted
    assert await client.list_labels("org", "repo", 1) == ["needs-ok-to-test"]
    await client.create_status(
        "org", "repo", HEAD, state="pending", context="unit", description="d", target_url=None
    )
    await client.create_status(
        "org", "repo", HEAD, state="success", context="unit", description="ok", target_url="u"
    )
    statuses = await client.list_statuses("org", "repo", HEAD)
    assert [(s["context"], s["state"], s["target_url"]) for s in statuses] == [
        ("unit", "success", "u")
    ]
    assert await client.get_branch_sha("org", "repo", "main") == MAIN
    assert StatusCreated("org/repo", HEAD, "unit", "success", "ok") in github.actions
    assert CommentDeleted("org/repo", created["id"]) in github.actions
    assert LabelRemoved("org/repo", 1, "kind/bug") in github.actions
    assert {r.authorization for r in github.requests} == {"token s3cret"}


async def test_absent_things_are_none_or_false_and_search_sends_its_query(
    client: GitHubClient, github: FakeGitHub
) -> None:
    """The calls that share the transport's 404-means-absent and paging helpers."""
    github.git.set_files("org/repo", MAIN, {"OWNERS": "approvers: [alice]\n"})
    assert await client.get_file_text("org", "repo", "OWNERS", MAIN) == "approvers: [alice]\n"
    assert await client.get_file_text("org", "repo", "missing/OWNERS", MAIN) is None
    github.teams[("org", "reviewers")] = {"alice"}
    assert await client.team_has_member("org", "reviewers", "alice")
    assert not await client.team_has_member("org", "reviewers", "mallory")
    found = await client.search_issues("repo:org/repo is:pr is:open", "org")
    assert [item["number"] for item in found] == [1]
    searched = [r.query for r in github.requests if r.path == "/search/issues"]
    assert searched == ["q=repo:org/repo is:pr is:open&per_page=100"]
    # Only a 404 means absent: another refusal is still an error.
    github.fail(Fault("GET", "/orgs/org/teams/reviewers/memberships/", 403))
    with pytest.raises(GitHubError) as refused:
        await client.team_has_member("org", "reviewers", "alice")
    assert refused.value.status == 403
    github.fail(Fault("GET", "/repos/org/repo/contents/OWNERS", 401))
    with pytest.raises(GitHubError) as refused:
        await client.get_file_text("org", "repo", "OWNERS", MAIN)
    assert refused.value.status == 401


async def test_server_errors_are_retried_with_jittered_backoff(
    client: GitHubClient, github: FakeGitHub, sleeps: Sleeps
) -> None:
    github.fail(Fault("POST", "/repos/org/repo/statuses", 502, count=2))
    await client.create_status(
        "org", "repo", HEAD, state="pending", context="unit", description="", target_url=None
    )
    assert sleeps.waits == [0.75, 1.5]  # half of 1 s and 2 s, plus half the rest (jitter 0.5)
    assert github.statuses("org/repo", HEAD) == {"unit": "pending"}


async def test_retries_end_in_an_error(
    client: GitHubClient, github: FakeGitHub, sleeps: Sleeps
) -> None:
    github.fail(Fault("GET", "/repos/org/repo/pulls/1", 503, count=100))
    with pytest.raises(GitHubError) as raised:
        await client.get_pull("org", "repo", 1)
    assert raised.value.status == 503
    assert len(sleeps.waits) == GitHubSettings().max_attempts - 1
    assert len([r for r in github.requests if r.path == "/repos/org/repo/pulls/1"]) == 6


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422])
async def test_client_errors_are_never_retried(
    client: GitHubClient, github: FakeGitHub, sleeps: Sleeps, status: int
) -> None:
    github.fail(Fault("POST", "/repos/org/repo/issues/1/comments", status, count=5))
    with pytest.raises(GitHubError) as raised:
        await client.create_comment("org", "repo", 1, "x")
    assert raised.value.status == status
    assert sleeps.waits == []
    assert len([r for r in github.requests if r.method == "POST"]) == 1


async def test_an_unknown_commit_is_a_client_error(client: GitHubClient) -> None:
    with pytest.raises(GitHubError) as raised:
        await client.create_status(
            "org", "repo", "f" * 40, state="success", context="c", description="", target_url=None
        )
    assert raised.value.status == 422
    assert "No commit found" in str(raised.value)


async def test_secondary_rate_limit_waits_for_retry_after(
    client: GitHubClient, github: FakeGitHub, sleeps: Sleeps
) -> None:
    github.fail(
        Fault(
            "POST",
            "/repos/org/repo/issues/1/comments",
            403,
            headers=(("Retry-After", "7"),),
            body='{"message": "You have exceeded a secondary rate limit."}',
        )
    )
    await client.create_comment("org", "repo", 1, "x")
    assert sleeps.waits == [7.0]


async def test_primary_rate_limit_waits_for_the_reset(
    client: GitHubClient, github: FakeGitHub, sleeps: Sleeps, clock: Clock
) -> None:
    reset = str(int(clock.now.timestamp()) + 30)
    github.fail(
        Fault(
            "GET",
            "/repos/org/repo/pulls/1",
            403,
            headers=(("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset)),
            body='{"message": "API rate limit exceeded"}',
        )
    )
    await client.get_pull("org", "repo", 1)
    assert sleeps.waits == [31.0]


async def test_a_spent_budget_is_waited_for_before_asking(
    client: GitHubClient, github: FakeGitHub, sleeps: Sleeps, clock: Clock
) -> None:
    reset = str(int(clock.now.timestamp()) + 100)
    github.fail(
        Fault(
            "GET",
            "/repos/org/repo/pulls/1",
            200,
            headers=(("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset)),
            body="{}",
        )
    )
    await client.get_pull("org", "repo", 1)
    assert sleeps.waits == []
    await client.get_pull("org", "repo", 1)
    assert sleeps.waits == [101.0]  # waited for the reset, then asked: never refused


async def test_a_rate_limit_too_far_away_fails_at_once(
    client: GitHubClient, github: FakeGitHub, sleeps: Sleeps, clock: Clock
) -> None:
    reset = str(int(clock.now.timestamp()) + 7200)
    headers = (("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset))
    github.fail(Fault("GET", "/repos/org/repo/pulls/1", 403, headers=headers))
    with pytest.raises(GitHubError) as raised:
        await client.get_pull("org", "repo", 1)
    assert raised.value.status == 403
    assert sleeps.waits == []


async def test_connection_errors_are_retried_then_reported(sleeps: Sleeps, token: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    settings = GitHubSettings(base_url=f"http://127.0.0.1:{port}", token_path=token)
    client = GitHubClient(settings, sleep=sleeps, rand=lambda: 0.0)
    try:
        with pytest.raises(GitHubError) as raised:
            await client.get_pull("org", "repo", 1)
    finally:
        await client.aclose()
    assert raised.value.status is None
    assert sleeps.waits == [0.5, 1.0, 2.0, 4.0, 8.0]


async def test_conditional_gets_cost_nothing(client: GitHubClient, github: FakeGitHub) -> None:
    first = await client.get_pull("org", "repo", 1)
    spent = github.remaining
    again = await client.get_pull("org", "repo", 1)
    assert again == first
    assert github.remaining == spent  # answered 304: revalidated from the cache, not charged
    github.repos["org/repo"].pulls[1].title = "changed"
    assert (await client.get_pull("org", "repo", 1))["title"] == "changed"


# GitHub App ------------------------------------------------------------------------------


@pytest.fixture
def app_key(tmp_path: Path) -> tuple[Path, rsa.RSAPublicKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "app.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path, key.public_key()


@pytest.fixture
async def app_client(
    github: FakeGitHub, app_key: tuple[Path, rsa.RSAPublicKey], clock: Clock, sleeps: Sleeps
) -> AsyncIterator[GitHubClient]:
    settings = GitHubSettings(base_url=github.url, app_id="4242", app_private_key_path=app_key[0])
    made = GitHubClient(settings, clock=clock, sleep=sleeps, rand=lambda: 0.5)
    yield made
    await made.aclose()


async def test_app_auth_exchanges_a_jwt_for_installation_tokens(
    app_client: GitHubClient,
    github: FakeGitHub,
    app_key: tuple[Path, rsa.RSAPublicKey],
    clock: Clock,
) -> None:
    github.add_installation("org")
    await app_client.get_pull("org", "repo", 1)
    await app_client.get_pull("org", "repo", 1)
    paths = [(r.method, r.path) for r in github.requests]
    installation = github.installations["org"]
    assert paths == [
        ("GET", "/orgs/org/installation"),
        ("POST", f"/app/installations/{installation}/access_tokens"),
        ("GET", "/repos/org/repo/pulls/1"),
        ("GET", "/repos/org/repo/pulls/1"),  # the token is cached
    ]
    bearer = github.requests[0].authorization.removeprefix("Bearer ")
    claims = jwt.decode(bearer, app_key[1], algorithms=["RS256"])
    now = int(clock.now.timestamp())
    assert claims == {"iss": "4242", "iat": now - 60, "exp": now + 540}
    token = github.installation_tokens[0].token
    assert github.requests[-1].authorization == f"token {token}"
    assert await app_client.bot_login() == "bowsprit[bot]"


async def test_installation_tokens_are_per_org_and_refreshed_before_expiry(
    app_client: GitHubClient, github: FakeGitHub, clock: Clock
) -> None:
    github.add_installation("org")
    github.add_installation("other")
    github.add_repo("other", "repo")
    github.add_pull("other/repo", 7, "bob", "e" * 40)
    await app_client.get_pull("org", "repo", 1)
    await app_client.get_pull("other", "repo", 7)
    assert len(github.installation_tokens) == 2
    clock.now += timedelta(minutes=54)  # six minutes left: still good
    await app_client.get_pull("org", "repo", 1)
    assert len(github.installation_tokens) == 2
    clock.now += timedelta(minutes=2)  # four minutes left: refreshed before it runs out
    await app_client.get_pull("org", "repo", 1)
    assert len(github.installation_tokens) == 3
    assert github.requests[-1].authorization == f"token {github.installation_tokens[2].token}"


async def test_an_org_without_the_app_is_a_clear_error(app_client: GitHubClient) -> None:
    with pytest.raises(GitHubError) as raised:
        await app_client.get_pull("org", "repo", 1)
    assert raised.value.status == 404
    assert "/orgs/org/installation" in str(raised.value)


def test_missing_credentials_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GitHubError, match="cannot read the GitHub token"):
        GitHubClient(GitHubSettings(token_path=tmp_path / "absent"))
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(GitHubError, match="is empty"):
        GitHubClient(GitHubSettings(token_path=tmp_path / "empty"))


# Flags and pure rules --------------------------------------------------------------------


def _parse(*argv: str) -> GitHubSettings:
    parser = argparse.ArgumentParser()
    add_github_flags(parser)
    return settings_from_args(parser.parse_args(argv))


def test_flags() -> None:
    assert _parse() == GitHubSettings()
    assert _parse(
        "--github-endpoint", "http://ghproxy", "--github-endpoint", "https://api.github.com"
    ).base_url == ("http://ghproxy")
    assert _parse("--github-token-path", "/etc/token").token_path == Path("/etc/token")
    app = _parse("--github-app-id", "1", "--github-app-private-key-path", "/k")
    assert (app.app_id, app.app_private_key_path) == ("1", Path("/k"))
    with pytest.raises(SystemExit):
        _parse("--github-app-id", "1")
    with pytest.raises(SystemExit):
        _parse(
            "--github-app-id",
            "1",
            "--github-app-private-key-path",
            "/k",
            "--github-token-path",
            "/t",
        )


NOW = 1_000_000.0


@pytest.mark.parametrize(
    ("status", "headers", "message", "expected"),
    [
        (200, {"retry-after": "5"}, "", None),
        (500, {"retry-after": "5"}, "", None),
        (403, {"retry-after": "5"}, "", 5.0),
        (429, {"retry-after": "12"}, "", 12.0),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000010"}, "", 11.0),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "999990"}, "", 1.0),
        (403, {"x-ratelimit-remaining": "12"}, "You have exceeded a secondary rate limit", 60.0),
        (429, {}, "", 60.0),
        (403, {"x-ratelimit-remaining": "12"}, "Resource not accessible by integration", None),
        (403, {"retry-after": "soon"}, "", None),
    ],
    ids=[
        "ok",
        "server-error",
        "retry-after",
        "429-retry-after",
        "reset-ahead",
        "reset-passed",
        "secondary-message",
        "bare-429",
        "forbidden",
        "bad-retry-after",
    ],
)
def test_rate_limit_wait(
    status: int, headers: dict[str, str], message: str, expected: float | None
) -> None:
    assert rate_limit_wait(status, headers, message, NOW) == expected


@pytest.mark.parametrize(
    ("attempt", "fraction", "expected"),
    [(0, 0.0, 0.5), (0, 1.0, 1.0), (3, 0.5, 6.0), (10, 0.0, 30.0), (10, 1.0, 60.0)],
)
def test_backoff(attempt: int, fraction: float, expected: float) -> None:
    assert backoff(attempt, 1.0, 60.0, fraction) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ('<http://x/a?page=2>; rel="next", <http://x/a?page=5>; rel="last"', "http://x/a?page=2"),
        ('<http://x/a?page=1>; rel="prev", <http://x/a?page=3>; rel="next"', "http://x/a?page=3"),
        ('<http://x/a?page=1>; rel="first"', None),
    ],
)
def test_next_link(header: str, expected: str | None) -> None:
    assert next_link(header) == expected


def test_the_etag_cache_is_bounded_least_recently_used_first() -> None:
    from bowsprit.clients.github.transport import ETags

    cache = ETags(size=2)

    def answer(tag: str) -> httpx.Response:
        return httpx.Response(200, headers={"ETag": tag}, json={})

    cache.put(("", "a"), answer("1"))
    cache.put(("", "b"), answer("2"))
    assert cache.get(("", "a")) is not None  # a is now the most recently used
    cache.put(("", "c"), answer("3"))
    assert list(cache.entries) == [("", "a"), ("", "c")]
    cache.put(("", "d"), httpx.Response(200, json={}))  # no ETag: nothing to revalidate
    cache.put(("", "e"), httpx.Response(404, headers={"ETag": "4"}))
    assert list(cache.entries) == [("", "a"), ("", "c")]


async def test_a_rotated_token_is_read_again(
    client: GitHubClient, github: FakeGitHub, token: Path
) -> None:
    await client.get_pull("org", "repo", 1)
    token.write_text("rotated\n")
    os.utime(token, (1, 1))  # a new mtime, whatever the file system's resolution
    await client.get_pull("org", "repo", 1)
    token.unlink()  # a secret briefly missing while it is swapped: keep the last token
    await client.get_pull("org", "repo", 1)
    assert [r.authorization for r in github.requests] == [
        "token s3cret",
        "token rotated",
        "token rotated",
    ]
