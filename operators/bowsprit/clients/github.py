"""The GitHub layer every component uses: one async client.

The HTTP is a kept-alive aiohttp session per endpoint (`github_http`: githubkit's httpx
path cost about 1 ms of CPU per request), answering as githubkit's did.
Retries, rate limits and App tokens are ours, because they must follow an injected clock,
sleep and jitter source so tests are deterministic. There is no hishel cache (it cost
about 17 ms of CPU per GET here, SQLite in memory, growing without bound): a small LRU of
ETags and bodies revalidates every GET with `If-None-Match` instead, and a 304 (which
GitHub does not charge against the rate limit) is answered from it. Responses are read as
plain JSON (`.json()`), never as githubkit's models, which reject incomplete payloads.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jwt

from bowsprit.clients.github_http import Answer, LeanHTTP, RequestError, RequestFailed
from bowsprit.lib.clock import Clock, jitter, utc_now

logger = logging.getLogger("bowsprit.github")

Sleep = Callable[[float], Awaitable[None]]
Jitter = Callable[[], float]

# An installation token lives an hour; take a new one when less than this is left, so a
# token never expires between being handed out and being used.
TOKEN_REFRESH_MARGIN = 300.0
# GitHub accepts App JWTs of at most 10 minutes; backdated a minute for clock drift.
JWT_LIFETIME = 540
JWT_BACKDATE = 60
# GitHub's advice when a secondary rate limit names no Retry-After.
SECONDARY_LIMIT_WAIT = 60.0
PER_PAGE = 100
# GET answers kept for revalidation; the least recently used go first.
CACHE_ENTRIES = 4096


class GitHubError(Exception):
    """A request that will not succeed by retrying: a 4xx (other than rate limits), or
    retries exhausted. `status` is None when no response came (connection errors)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class GitHubSettings:
    """Where GitHub is and how to log in; built from flags by `settings_from_args`."""

    base_url: str = "https://api.github.com"
    token_path: Path | None = None
    app_id: str | None = None
    app_private_key_path: Path | None = None
    max_attempts: int = 6
    """Tries of one request, the first included, before GitHubError."""
    backoff_base: float = 1.0
    """Seconds before the first retry of a 5xx or connection error; doubles each time."""
    backoff_max: float = 60.0
    max_rate_limit_wait: float = 3600.0
    """Longest wait for a rate limit to reset before giving up with GitHubError."""
    timeout: float = 30.0
    fallback_urls: tuple[str, ...] = ()
    """Further endpoints, tried in order when one cannot be reached or answers 5xx."""


def add_github_flags(parser: argparse.ArgumentParser) -> None:
    """Prow's GitHub flags, with its names."""
    parser.add_argument(
        "--github-endpoint",
        action="append",
        default=None,
        help="GitHub API base URL (repeatable, as in Prow: the first is used, the next "
        "when it fails, e.g. ghproxy then GitHub). Default https://api.github.com",
    )
    parser.add_argument("--github-token-path", type=Path, default=None, help="file of a token")
    parser.add_argument("--github-app-id", default=None, help="GitHub App ID (App auth)")
    parser.add_argument(
        "--github-app-private-key-path",
        type=Path,
        default=None,
        help="file of the GitHub App's PEM private key (App auth)",
    )


def settings_from_args(args: argparse.Namespace) -> GitHubSettings:
    if bool(args.github_app_id) != bool(args.github_app_private_key_path):
        raise SystemExit("--github-app-id and --github-app-private-key-path go together")
    if args.github_app_id and args.github_token_path:
        raise SystemExit("--github-token-path and --github-app-id are mutually exclusive")
    endpoints = args.github_endpoint or ["https://api.github.com"]
    return GitHubSettings(
        base_url=endpoints[0],
        token_path=args.github_token_path,
        app_id=args.github_app_id,
        app_private_key_path=args.github_app_private_key_path,
        fallback_urls=tuple(endpoints[1:]),
    )


# Pure rules, unit-tested ----------------------------------------------------------------


def rate_limit_wait(
    status: int, headers: Mapping[str, str], message: str, now: float
) -> float | None:
    """Seconds GitHub asks to wait before retrying, or None when the response is not a
    rate limit (then a 403/429 is a plain refusal)."""
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after")
    if retry_after is not None and retry_after.strip().isdigit():
        return float(retry_after)
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return max(int(reset) - now, 0.0) + 1.0
    if status == 429 or "secondary rate limit" in message.lower():
        return SECONDARY_LIMIT_WAIT
    return None


def backoff(attempt: int, base: float, cap: float, fraction: float) -> float:
    """Exponential backoff with jitter: between half and all of base*2^attempt (capped),
    so clients that failed together do not retry together."""
    step: float = min(cap, base * 2.0**attempt)
    return step / 2 + step / 2 * fraction


def next_link(link_header: str) -> str | None:
    """The rel="next" URL of a Link header, as GitHub paginates."""
    for part in link_header.split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", ""):
            return url.strip().removeprefix("<").removesuffix(">")
    return None


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message", ""))
    return ""


# Credentials ------------------------------------------------------------------------------


@dataclass
class _Installation:
    token: str
    expires_at: float


@dataclass
class _Credentials:
    """Authorization headers: a token, or GitHub App installation tokens per org."""

    settings: GitHubSettings
    clock: Clock
    token: str | None = None
    token_mtime: float = 0.0
    private_key: str | None = None
    installations: dict[str, _Installation] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: GitHubSettings, clock: Clock) -> _Credentials:
        creds = cls(settings, clock)
        if settings.app_id:
            if settings.app_private_key_path is None:
                raise GitHubError("a GitHub App needs its private key path")
            creds.private_key = _read_secret(settings.app_private_key_path, "private key")
        elif settings.token_path is not None:
            creds.token = _read_secret(settings.token_path, "token")
            creds.token_mtime = settings.token_path.stat().st_mtime
        return creds

    def current_token(self) -> str | None:
        """The token, read again when its file changed (a rotated Kubernetes secret)."""
        path = self.settings.token_path
        if self.token is None or path is None:
            return self.token
        try:
            mtime = path.stat().st_mtime
            if mtime != self.token_mtime:
                self.token, self.token_mtime = _read_secret(path, "token"), mtime
                logger.info("GitHub token re-read from %s", path)
        except (OSError, GitHubError) as error:
            logger.warning("keeping the GitHub token in use: %s", error)
        return self.token

    @property
    def is_app(self) -> bool:
        return self.private_key is not None

    def app_jwt(self) -> str:
        assert self.private_key is not None and self.settings.app_id is not None
        now = int(self.clock().timestamp())
        claims = {"iat": now - JWT_BACKDATE, "exp": now + JWT_LIFETIME, "iss": self.settings.app_id}
        return jwt.encode(claims, self.private_key, algorithm="RS256")

    def app_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.app_jwt()}"}

    def cached_installation(self, org: str) -> str | None:
        found = self.installations.get(org)
        if found and found.expires_at - self.clock().timestamp() > TOKEN_REFRESH_MARGIN:
            return found.token
        return None


def _read_secret(path: Path, what: str) -> str:
    try:
        value = path.read_text().strip()
    except OSError as error:
        raise GitHubError(f"cannot read the GitHub {what} at {path}: {error}") from error
    if not value:
        raise GitHubError(f"the GitHub {what} file {path} is empty")
    return value


class _ETags:
    """GET answers with their ETags, by credential and URL, least recently used first out."""

    def __init__(self, size: int = CACHE_ENTRIES) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[str, str], httpx.Response] = OrderedDict()

    def get(self, key: tuple[str, str]) -> httpx.Response | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: tuple[str, str], response: httpx.Response) -> None:
        if response.status_code != 200 or "etag" not in response.headers:
            return
        self.entries[key] = response
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


# The client -------------------------------------------------------------------------------


class GitHubClient:
    """The GitHub REST calls Bowsprit makes, rate-limit aware and retried."""

    def __init__(
        self,
        settings: GitHubSettings,
        *,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        rand: Jitter | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or utc_now
        self.sleep: Sleep = sleep or asyncio.sleep
        self.rand = rand or jitter
        self._creds = _Credentials.load(settings, self.clock)
        self._etags = _ETags()
        # Authorization is set per request (tokens differ per org); the HTTP is a lean
        # aiohttp session (github_http), answering as githubkit did.
        self._github = LeanHTTP(settings.base_url, "bowsprit", settings.timeout)
        # Further --github-endpoints, tried in order when one fails (ghproxy, then GitHub).
        self._fallbacks = [
            LeanHTTP(url, "bowsprit", settings.timeout) for url in settings.fallback_urls
        ]
        self._limits: dict[str, float] = {}  # credential key -> epoch when its budget resets
        self._bot: str | None = None

    async def aclose(self) -> None:
        await self._github.close_shared()
        for fallback in self._fallbacks:
            await fallback.close_shared()

    # Requests ---------------------------------------------------------------------------

    async def _headers(self, org: str | None) -> dict[str, str]:
        token = self._creds.current_token()
        if token is not None:
            return {"Authorization": f"token {token}"}
        if not self._creds.is_app:
            return {}
        if org is None:
            return self._creds.app_header()
        return {"Authorization": f"token {await self._installation_token(org)}"}

    async def _installation_token(self, org: str) -> str:
        cached = self._creds.cached_installation(org)
        if cached is not None:
            return cached
        lock = self._creds.locks.setdefault(org, asyncio.Lock())
        async with lock:  # one exchange per org, however many callers wait for it
            cached = self._creds.cached_installation(org)
            if cached is not None:
                return cached
            found = await self._send("GET", f"/orgs/{_q(org)}/installation", None, app=True)
            issued = await self._send(
                "POST", f"/app/installations/{found.json()['id']}/access_tokens", None, app=True
            )
            body = issued.json()
            expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
            self._creds.installations[org] = _Installation(body["token"], expires.timestamp())
            logger.info("GitHub App installation token for %s, valid until %s", org, expires)
            return str(body["token"])

    async def _send(
        self,
        method: str,
        url: str,
        org: str | None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        app: bool = False,
    ) -> httpx.Response:
        """One request with retries: 5xx and connection errors back off with jitter, rate
        limits wait as GitHub says; any other 4xx raises GitHubError at once."""
        key = "app" if app else (org or "") if self._creds.is_app else ""
        cache_key = (key, f"{url}?{sorted((params or {}).items())}")
        cached = self._etags.get(cache_key) if method == "GET" else None
        for attempt in range(self.settings.max_attempts):
            await self._wait_for_budget(key)
            headers = self._creds.app_header() if app else await self._headers(org)
            if cached is not None:
                headers["If-None-Match"] = cached.headers["etag"]
            try:
                response = await self._arequest_any(
                    method, url, json=json, params=params, headers=headers
                )
                raw = response.raw_response
                self._note_budget(key, raw)
                if raw.status_code == 304 and cached is not None:
                    return cached
                if method == "GET":
                    self._etags.put(cache_key, raw)
                return raw
            except RequestFailed as failed:
                # A refusal for the rate limit is waited for right here, once.
                delay = self._failure_delay(method, url, failed.response.raw_response, attempt)
            except RequestError as error:
                delay = backoff(
                    attempt, self.settings.backoff_base, self.settings.backoff_max, self.rand()
                )
                logger.warning("GitHub %s %s: %r; retrying in %.1f s", method, url, error, delay)
                if attempt + 1 == self.settings.max_attempts:
                    raise GitHubError(f"{method} {url}: {error!r}") from error
            await self.sleep(delay)
        raise AssertionError("unreachable: the last attempt raises")

    def _failure_delay(self, method: str, url: str, raw: httpx.Response, attempt: int) -> float:
        status, message = raw.status_code, _error_message(raw)
        last = attempt + 1 == self.settings.max_attempts
        waited = rate_limit_wait(status, raw.headers, message, self.clock().timestamp())
        if waited is not None:
            if waited > self.settings.max_rate_limit_wait or last:
                raise GitHubError(f"{method} {url}: rate limited ({message})", status)
            logger.warning("GitHub %s %s: rate limited; waiting %.0f s", method, url, waited)
            return waited
        if status < 500 or last:
            raise GitHubError(f"{method} {url}: {status} {message}", status)
        delay = backoff(attempt, self.settings.backoff_base, self.settings.backoff_max, self.rand())
        logger.warning("GitHub %s %s: %d; retrying in %.1f s", method, url, status, delay)
        return delay

    def _note_budget(self, key: str, response: httpx.Response) -> None:
        remaining = response.headers.get("x-ratelimit-remaining")
        reset = response.headers.get("x-ratelimit-reset", "")
        if remaining == "0" and reset.isdigit():
            self._limits[key] = float(reset)
        else:
            self._limits.pop(key, None)

    async def _wait_for_budget(self, key: str) -> None:
        """With the budget spent, wait for its reset rather than be refused."""
        reset = self._limits.get(key)
        if reset is None:
            return
        wait = reset - self.clock().timestamp() + 1.0
        if wait > self.settings.max_rate_limit_wait:
            raise GitHubError("GitHub rate limit spent until " + str(int(reset)), 403)
        if wait > 0:
            logger.warning("GitHub rate limit spent; waiting %.0f s for its reset", wait)
            await self.sleep(wait)
        self._limits.pop(key, None)

    async def _json(self, method: str, url: str, org: str | None, **kwargs: Any) -> Any:
        return (await self._send(method, url, org, **kwargs)).json()

    async def _pages(self, url: str, org: str, key: str | None = None) -> list[Any]:
        """Every page of a listing (`key` names the list inside an object answer)."""
        items: list[Any] = []
        params: dict[str, Any] | None = {"per_page": PER_PAGE}
        next_url: str | None = url
        while next_url is not None:
            response = await self._send("GET", next_url, org, params=params)
            body = response.json()
            items.extend(body[key] if key is not None else body)
            next_url = next_link(response.headers.get("link", ""))
            params = None  # the next link carries its own query
        return items

    async def _exists(self, url: str, org: str) -> bool:
        """204 yes, 404 no (GitHub's membership checks)."""
        try:
            response = await self._send("GET", url, org)
        except GitHubError as error:
            if error.status == 404:
                return False
            raise
        return response.status_code == 204

    # The interface ----------------------------------------------------------------------

    async def bot_login(self) -> str:
        """The login this client acts as (an App acts as `<slug>[bot]`)."""
        if self._bot is None:
            if self._creds.is_app:
                app = await self._json("GET", "/app", None, app=True)
                self._bot = f"{app['slug']}[bot]"
            else:
                self._bot = str((await self._json("GET", "/user", None))["login"])
        return self._bot

    async def get_pull(self, org: str, repo: str, number: int) -> dict[str, Any]:
        pull: dict[str, Any] = await self._json("GET", f"{_repo(org, repo)}/pulls/{number}", org)
        return pull

    async def list_pull_files(self, org: str, repo: str, number: int) -> list[str]:
        files = await self._pages(f"{_repo(org, repo)}/pulls/{number}/files", org)
        return [str(item["filename"]) for item in files]

    async def is_member(self, org: str, user: str) -> bool:
        return await self._exists(f"/orgs/{_q(org)}/members/{_q(user)}", org)

    async def is_collaborator(self, org: str, repo: str, user: str) -> bool:
        return await self._exists(f"{_repo(org, repo)}/collaborators/{_q(user)}", org)

    async def list_issue_comments(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return await self._pages(f"{_repo(org, repo)}/issues/{number}/comments", org)

    async def create_comment(self, org: str, repo: str, number: int, body: str) -> dict[str, Any]:
        url = f"{_repo(org, repo)}/issues/{number}/comments"
        created: dict[str, Any] = await self._json("POST", url, org, json={"body": body})
        return created

    async def edit_comment(self, org: str, repo: str, comment_id: int, body: str) -> None:
        url = f"{_repo(org, repo)}/issues/comments/{comment_id}"
        await self._send("PATCH", url, org, json={"body": body})

    async def delete_comment(self, org: str, repo: str, comment_id: int) -> None:
        await self._send("DELETE", f"{_repo(org, repo)}/issues/comments/{comment_id}", org)

    async def list_labels(self, org: str, repo: str, number: int) -> list[str]:
        labels = await self._pages(f"{_repo(org, repo)}/issues/{number}/labels", org)
        return [str(item["name"]) for item in labels]

    async def add_label(self, org: str, repo: str, number: int, label: str) -> None:
        url = f"{_repo(org, repo)}/issues/{number}/labels"
        await self._send("POST", url, org, json={"labels": [label]})

    async def remove_label(self, org: str, repo: str, number: int, label: str) -> None:
        url = f"{_repo(org, repo)}/issues/{number}/labels/{_q(label)}"
        await self._send("DELETE", url, org)

    async def create_status(
        self,
        org: str,
        repo: str,
        sha: str,
        *,
        state: str,
        context: str,
        description: str,
        target_url: str | None,
    ) -> None:
        body: dict[str, Any] = {"state": state, "context": context, "description": description}
        if target_url:
            body["target_url"] = target_url
        await self._send("POST", f"{_repo(org, repo)}/statuses/{_q(sha)}", org, json=body)

    async def list_statuses(self, org: str, repo: str, ref: str) -> list[dict[str, Any]]:
        """The newest status of each context on a commit (the combined status' entries)."""
        url = f"{_repo(org, repo)}/commits/{_q(ref)}/status"
        return await self._pages(url, org, key="statuses")

    async def get_branch_sha(self, org: str, repo: str, branch: str) -> str:
        found = await self._json("GET", f"{_repo(org, repo)}/branches/{_q(branch)}", org)
        return str(found["commit"]["sha"])

    async def list_pulls(self, org: str, repo: str) -> list[dict[str, Any]]:
        """The repository's open pull requests, every page."""
        return await self._pages(f"{_repo(org, repo)}/pulls", org)  # state=open by default

    async def _arequest_any(self, method: str, url: str, **kwargs: Any) -> Answer:
        """One try against each endpoint in turn until one answers below 500 (Prow's
        clients do the same with several --github-endpoints); the first one's failure is
        raised when none does."""
        first: Exception | None = None
        for github in (self._github, *self._fallbacks):
            try:
                return await github.arequest(method, url, **kwargs)
            except RequestFailed as failed:
                if failed.response.status_code < 500:
                    raise
                first = first or failed
            except RequestError as error:
                first = first or error
            if self._fallbacks:
                logger.warning("GitHub endpoint %s failed for %s %s", github.base_url, method, url)
        assert first is not None
        raise first

    # Calls of the hold, wip, dco, label, needs-rebase and require-matching-label plugins.

    async def list_repo_labels(self, org: str, repo: str) -> list[str]:
        labels = await self._pages(f"{_repo(org, repo)}/labels", org)
        return [str(item["name"]) for item in labels]

    async def list_pull_commits(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        """The pull request's commits (GitHub lists at most 250), oldest first."""
        return await self._pages(f"{_repo(org, repo)}/pulls/{number}/commits", org)

    async def team_has_member(self, org: str, team: str, user: str) -> bool:
        """An active member of the team with this slug (Prow's TeamBySlugHasMember)."""
        url = f"/orgs/{_q(org)}/teams/{_q(team)}/memberships/{_q(user)}"
        try:
            found = await self._json("GET", url, org)
        except GitHubError as error:
            if error.status == 404:
                return False
            raise
        return bool(found.get("state") == "active")

    async def assign_issue(self, org: str, repo: str, number: int, logins: list[str]) -> None:
        url = f"{_repo(org, repo)}/issues/{number}/assignees"
        await self._send("POST", url, org, json={"assignees": logins})

    async def search_issues(self, query: str, org: str) -> list[dict[str, Any]]:
        """Every issue or pull request the search finds (GitHub stops at 1000)."""
        items: list[Any] = []
        params: dict[str, Any] | None = {"q": query, "per_page": PER_PAGE}
        next_url: str | None = "/search/issues"
        while next_url is not None:
            response = await self._send("GET", next_url, org, params=params)
            items.extend(response.json()["items"])
            next_url = next_link(response.headers.get("link", ""))
            params = None  # the next link carries its own query
        return items

    async def merge_pull(
        self,
        org: str,
        repo: str,
        number: int,
        *,
        sha: str,
        method: str,
        title: str | None = None,
        message: str | None = None,
    ) -> None:
        """Merge a pull request if its head is still `sha`. GitHub's refusals come back as
        GitHubError: 405 (not mergeable, base modified, not allowed), 409 (head moved)."""
        body: dict[str, Any] = {"sha": sha, "merge_method": method}
        if title is not None:
            body["commit_title"] = title
        if message is not None:
            body["commit_message"] = message
        await self._send("PUT", f"{_repo(org, repo)}/pulls/{number}/merge", org, json=body)

    async def graphql(
        self, query: str, variables: dict[str, Any], org: str | None = None
    ) -> dict[str, Any]:
        """One GraphQL query (`org` picks the App installation); GitHub's `errors` raise
        GitHubError naming the first."""
        body = await self._json(
            "POST", "/graphql", org, json={"query": query, "variables": variables}
        )
        if body.get("errors"):
            raise GitHubError(f"GraphQL: {body['errors'][0].get('message', body['errors'][0])}")
        data: dict[str, Any] = body["data"]
        return data

    # The owners plugins' calls (lgtm, approve, verify-owners, owners-label) -------------

    async def list_reviews(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return await self._pages(f"{_repo(org, repo)}/pulls/{number}/reviews", org)

    async def list_review_comments(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return await self._pages(f"{_repo(org, repo)}/pulls/{number}/comments", org)

    async def list_pull_changes(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        """The pull request's files with their status and patch (list_pull_files: names)."""
        return await self._pages(f"{_repo(org, repo)}/pulls/{number}/files", org)

    async def get_tree(self, org: str, repo: str, sha: str) -> list[dict[str, Any]]:
        """Every entry of a commit's tree, recursively (one request)."""
        url = f"{_repo(org, repo)}/git/trees/{_q(sha)}"
        found = await self._json("GET", url, org, params={"recursive": "1"})
        if found.get("truncated"):
            logger.warning("%s/%s@%s: GitHub truncated the tree listing", org, repo, sha)
        return list(found.get("tree") or [])

    async def get_blob_text(self, org: str, repo: str, sha: str) -> str:
        found = await self._json("GET", f"{_repo(org, repo)}/git/blobs/{_q(sha)}", org)
        return _decoded(found)

    async def get_file_text(self, org: str, repo: str, path: str, ref: str) -> str | None:
        """A file's text at a ref through the contents API; None when it is not there."""
        url = f"{_repo(org, repo)}/contents/{quote(path)}"
        try:
            found = await self._json("GET", url, org, params={"ref": ref})
        except GitHubError as error:
            if error.status == 404:
                return None
            raise
        return _decoded(found) if isinstance(found, dict) else None

    async def list_collaborators(self, org: str, repo: str) -> list[str]:
        users = await self._pages(f"{_repo(org, repo)}/collaborators", org)
        return [str(user["login"]) for user in users]

    async def get_commit_tree_sha(self, org: str, repo: str, sha: str) -> str:
        found = await self._json("GET", f"{_repo(org, repo)}/commits/{_q(sha)}", org)
        return str(found["commit"]["tree"]["sha"])

    async def list_team_members(self, org: str, team_name: str) -> list[str] | None:
        """The logins of the org's team with this name (Prow's sticky-lgtm team is named,
        not a slug); None when there is no such team."""
        for team in await self._pages(f"/orgs/{_q(org)}/teams", org):
            if team.get("name") == team_name:
                url = f"/orgs/{_q(org)}/teams/{_q(str(team['slug']))}/members"
                return [str(user["login"]) for user in await self._pages(url, org)]
        return None

    async def list_issue_events(self, org: str, repo: str, number: int) -> list[dict[str, Any]]:
        return await self._pages(f"{_repo(org, repo)}/issues/{number}/events", org)

    async def request_review(self, org: str, repo: str, number: int, logins: list[str]) -> None:
        url = f"{_repo(org, repo)}/pulls/{number}/requested_reviewers"
        await self._send("POST", url, org, json=_reviewers(logins))

    async def create_review(
        self,
        org: str,
        repo: str,
        number: int,
        *,
        body: str,
        commit_sha: str,
        comments: list[dict[str, Any]],
    ) -> None:
        review: dict[str, Any] = {"body": body, "event": "COMMENT", "comments": comments}
        if commit_sha:
            review["commit_id"] = commit_sha
        await self._send("POST", f"{_repo(org, repo)}/pulls/{number}/reviews", org, json=review)

    async def installation_token(self, org: str) -> str:
        """The GitHub App's installation token for `org` (clonerefs clones with it)."""
        if not self._creds.is_app:
            raise GitHubError("installation tokens need GitHub App credentials")
        return await self._installation_token(org)

    # Calls of the everyday plugins (assign, lifecycle, retitle, milestone, branchcleaner).

    async def unassign_issue(self, org: str, repo: str, number: int, logins: list[str]) -> None:
        url = f"{_repo(org, repo)}/issues/{number}/assignees"
        await self._send("DELETE", url, org, json={"assignees": logins})

    async def unrequest_review(self, org: str, repo: str, number: int, logins: list[str]) -> None:
        url = f"{_repo(org, repo)}/pulls/{number}/requested_reviewers"
        await self._send("DELETE", url, org, json=_reviewers(logins))

    async def edit_issue(self, org: str, repo: str, number: int, fields: dict[str, Any]) -> None:
        await self._send("PATCH", f"{_repo(org, repo)}/issues/{number}", org, json=fields)

    async def list_milestones(self, org: str, repo: str) -> list[dict[str, Any]]:
        """The repository's open milestones."""
        return await self._pages(f"{_repo(org, repo)}/milestones", org)

    async def delete_branch(self, org: str, repo: str, branch: str) -> None:
        await self._send("DELETE", f"{_repo(org, repo)}/git/refs/heads/{quote(branch)}", org)

    async def git_token(self, org: str) -> str | None:
        """The token git fetches `org`'s repositories with over HTTPS (tide's trial
        merges): the token, the App's installation token, or None without credentials."""
        token = self._creds.current_token()
        if token is not None or not self._creds.is_app:
            return token
        return await self._installation_token(org)


def _decoded(found: dict[str, Any]) -> str:
    """The text of a blob or contents answer (base64, as GitHub sends it)."""
    content = str(found.get("content", ""))
    if found.get("encoding", "base64") == "base64":
        return base64.b64decode(content).decode("utf-8", errors="replace")
    return content


def _reviewers(logins: list[str]) -> dict[str, list[str]]:
    """Users and `org/team` teams, as GitHub takes them (teams by slug)."""
    body: dict[str, list[str]] = {"reviewers": [u for u in logins if "/" not in u]}
    teams = [u.split("/", 1)[1] for u in logins if "/" in u]
    if teams:
        body["team_reviewers"] = teams
    return body


def _q(part: str) -> str:
    return quote(part, safe="")


def _repo(org: str, repo: str) -> str:
    return f"/repos/{_q(org)}/{_q(repo)}"
