"""The requests under every GitHub call: credentials per org, retries with backoff, rate
limits, ETag revalidation, pagination, and the fall back to the next --github-endpoint.

Retries, rate limits and App tokens are ours, because they must follow an injected clock,
sleep and jitter source so tests are deterministic. There is no hishel cache (it cost
about 17 ms of CPU per GET here, SQLite in memory, growing without bound): a small LRU of
ETags and bodies revalidates every GET with `If-None-Match` instead, and a 304 (which
GitHub does not charge against the rate limit) is answered from it. Responses are read as
plain JSON (`.json()`), never as githubkit's models, which reject incomplete payloads.
The REST calls themselves are in the modules named for what they touch (`issues`, `pulls`,
`repos`, `users`, `search`), each a subclass of `Transport`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from bowsprit.clients.github.auth import Credentials, Installation
from bowsprit.clients.github.endpoint import LeanHTTP, RequestError, RequestFailed, request_any
from bowsprit.clients.github.errors import GitHubError
from bowsprit.clients.github.rules import backoff, error_message, next_link, rate_limit_wait
from bowsprit.clients.github.settings import GitHubSettings
from bowsprit.lib.clock import Clock, jitter, utc_now

logger = logging.getLogger("bowsprit.github")

Sleep = Callable[[float], Awaitable[None]]
Jitter = Callable[[], float]

PER_PAGE = 100
# GET answers kept for revalidation; the least recently used go first.
CACHE_ENTRIES = 4096


class ETags:
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


class Transport:
    """Authenticated, retried, rate-limit aware requests; the calls build on `_send`,
    `_json`, `_pages`, `_get_or_none` and `_exists`."""

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
        self._creds = Credentials.load(settings, self.clock)
        self._etags = ETags()
        # Authorization is set per request (tokens differ per org). The first endpoint,
        # then further --github-endpoints in order when one fails (ghproxy, then GitHub).
        self._endpoints = [
            LeanHTTP(url, "bowsprit", settings.timeout)
            for url in (settings.base_url, *settings.fallback_urls)
        ]
        self._limits: dict[str, float] = {}  # credential key -> epoch when its budget resets
        self._bot: str | None = None

    async def aclose(self) -> None:
        for endpoint in self._endpoints:
            await endpoint.close_shared()

    # Credentials ------------------------------------------------------------------------

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
            self._creds.installations[org] = Installation(body["token"], expires.timestamp())
            logger.info("GitHub App installation token for %s, valid until %s", org, expires)
            return str(body["token"])

    async def installation_token(self, org: str) -> str:
        """The GitHub App's installation token for `org` (clonerefs clones with it)."""
        if not self._creds.is_app:
            raise GitHubError("installation tokens need GitHub App credentials")
        return await self._installation_token(org)

    async def git_token(self, org: str) -> str | None:
        """The token git fetches `org`'s repositories with over HTTPS (tide's trial
        merges): the token, the App's installation token, or None without credentials."""
        token = self._creds.current_token()
        if token is not None or not self._creds.is_app:
            return token
        return await self._installation_token(org)

    # Requests ---------------------------------------------------------------------------

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
                response = await request_any(
                    self._endpoints, method, url, json=json, params=params, headers=headers
                )
                self._note_budget(key, response.headers)
                if response.status_code == 304 and cached is not None:
                    return cached
                raw = response.raw_response
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
        status, message = raw.status_code, error_message(raw)
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

    def _note_budget(self, key: str, headers: Mapping[str, str]) -> None:
        remaining = headers.get("x-ratelimit-remaining")
        reset = headers.get("x-ratelimit-reset", "")
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

    # Shapes of answers ------------------------------------------------------------------

    async def _json(self, method: str, url: str, org: str | None, **kwargs: Any) -> Any:
        return (await self._send(method, url, org, **kwargs)).json()

    async def _pages(
        self,
        url: str,
        org: str,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> list[Any]:
        """Every page of a listing (`key` names the list inside an object answer; `params`
        are the first page's query, which the next-page links carry on)."""
        items: list[Any] = []
        query: dict[str, Any] | None = {**(params or {}), "per_page": PER_PAGE}
        next_url: str | None = url
        while next_url is not None:
            response = await self._send("GET", next_url, org, params=query)
            body = response.json()
            items.extend(body[key] if key is not None else body)
            next_url = next_link(response.headers.get("link", ""))
            query = None  # the next link carries its own query
        return items

    async def _get_or_none(
        self, url: str, org: str, params: dict[str, Any] | None = None
    ) -> httpx.Response | None:
        """A GET's answer, or None for GitHub's 404 (the thing is not there)."""
        try:
            return await self._send("GET", url, org, params=params)
        except GitHubError as error:
            if error.status == 404:
                return None
            raise

    async def _exists(self, url: str, org: str) -> bool:
        """204 yes, 404 no (GitHub's membership checks)."""
        response = await self._get_or_none(url, org)
        return response is not None and response.status_code == 204


# The calls' modules import these two; they keep the single-module client's names so a
# call written against that client moves into a module here unchanged.


def _q(part: str) -> str:
    return quote(part, safe="")


def _repo(org: str, repo: str) -> str:
    return f"/repos/{_q(org)}/{_q(repo)}"
