"""ghproxy's requests to GitHub: bounded concurrency, optional spacing per token (Prow's
throttling against secondary rate limits), a longest queue wait, timeouts, and Prow's
metrics of the token budget and of each request."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import aiohttp
from prometheus_client import Gauge, Histogram
from yarl import URL

from bowsprit.ghproxy.cache import DROPPED, Reply, UpstreamError

TOKEN_USAGE = Gauge(
    "github_token_usage",
    "Requests left in the token's budget for the current hour",
    ["token_hash", "api_version", "resource"],
)
TOKEN_RESET = Gauge(
    "github_token_reset",
    "When the token's budget resets (epoch seconds)",
    ["token_hash", "api_version", "resource"],
)
DURATION = Histogram(
    "github_request_duration",
    "Time of GitHub requests",
    ["token_hash", "path", "status", "user_agent"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
WAITS = Histogram(
    "github_request_wait_duration_seconds",
    "Time requests waited to be sent (throttling)",
    ["token_hash", "request_type", "api"],
    buckets=(0.001, 0.01, 0.1, 0.5, 1, 5, 15, 30, 60),
)
CONCURRENT = Gauge("concurrent_outbound_requests", "Requests in flight to GitHub")
PENDING = Gauge("pending_outbound_requests", "Requests waiting to be sent to GitHub")

_NUMBER = re.compile(r"^\d+$")
_SHA = re.compile(r"^[0-9a-f]{40}$")


def simplified_path(path: str) -> str:
    """A path with names and numbers replaced, for metric labels of bounded cardinality."""
    parts = path.split("?")[0].strip("/").split("/")
    if parts[:1] == ["repos"] and len(parts) >= 3:
        parts[1:3] = [":owner", ":repo"]
    elif parts[:1] in (["orgs"], ["users"]) and len(parts) >= 2:
        parts[1] = ":name"
    return "/" + "/".join(
        ":number" if _NUMBER.match(p) else ":sha" if _SHA.match(p) else p for p in parts
    )


@dataclass(frozen=True)
class Throttling:
    """Prow's flags: spacing between a token's requests (both of the first two set to turn
    it on), GraphQL's own spacing, and the longest a request may be held back."""

    throttling_time_ms: int = 0
    get_throttling_time_ms: int = 0
    throttling_time_v4_ms: int = 0
    max_delay_seconds: float = 30.0
    max_delay_v4_seconds: float = 30.0

    @property
    def enabled(self) -> bool:
        return self.throttling_time_ms > 0 and self.get_throttling_time_ms > 0

    def spacing(self, method: str, graphql: bool) -> float:
        if graphql:
            return (self.throttling_time_v4_ms or self.throttling_time_ms) / 1000
        return (self.get_throttling_time_ms if method == "GET" else self.throttling_time_ms) / 1000


def throttle_wait(
    slot: float | None, now: float, spacing: float, longest: float
) -> tuple[float, float]:
    """How long a token's next request waits, and when the one after it may go: requests
    go `spacing` apart; none waits longer than `longest` (it then goes at that delay, as
    Prow's throttler lets a long queue through)."""
    wait = min(max((slot or now) - now, 0.0), longest)
    return wait, now + wait + spacing


@dataclass
class HttpUpstream:
    base_url: str
    concurrency: int = 25
    timeout: float = 30.0
    throttling: Throttling = field(default_factory=Throttling)
    _slots: dict[tuple[str, bool], float] = field(default_factory=dict)
    _client: aiohttp.ClientSession | None = None
    _limit: asyncio.Semaphore | None = None

    def _http(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        """One session for the process, made in the running loop on first use (aiohttp's
        client costs less CPU per request than httpx's here)."""
        if self._client is None or self._limit is None:
            self._client = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                connector=aiohttp.TCPConnector(limit=self.concurrency),
            )
            self._limit = asyncio.Semaphore(self.concurrency)
        return self._client, self._limit

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def _throttle(self, method: str, graphql: bool, partition: str) -> None:
        if not self.throttling.enabled:
            return
        key = (partition, graphql)
        longest = (
            self.throttling.max_delay_v4_seconds if graphql else self.throttling.max_delay_seconds
        )
        now = time.monotonic()
        wait, self._slots[key] = throttle_wait(
            self._slots.get(key), now, self.throttling.spacing(method, graphql), longest
        )
        WAITS.labels(partition[:12], method, "v4" if graphql else "v3").observe(wait)
        if wait > 0:
            await asyncio.sleep(wait)

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, partition: str
    ) -> Reply:
        client, limit = self._http()
        graphql = url.lstrip("/").startswith("graphql")
        PENDING.inc()
        try:
            await self._throttle(method, graphql, partition)
            await limit.acquire()
        finally:
            PENDING.dec()
        CONCURRENT.inc()
        started = time.monotonic()
        target = URL(self.base_url.rstrip("/") + url, encoded=True)
        try:
            async with client.request(
                method, target, headers=dict(headers), data=body, allow_redirects=False
            ) as response:
                content = await response.read()
                status = response.status
                kept = tuple(
                    (k, v) for k, v in response.headers.items() if k.lower() not in DROPPED
                )
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UpstreamError(repr(error)) from error
        finally:
            CONCURRENT.dec()
            limit.release()
        reply = Reply(status, kept, content)
        self._observe(reply, url, headers, partition, time.monotonic() - started, graphql)
        return reply

    def _observe(
        self,
        reply: Reply,
        url: str,
        headers: Mapping[str, str],
        partition: str,
        seconds: float,
        graphql: bool,
    ) -> None:
        token = partition[:12]
        agent = next((v for k, v in headers.items() if k.lower() == "user-agent"), "")
        DURATION.labels(token, simplified_path(url), str(reply.status), agent).observe(seconds)
        remaining, reset = reply.header("x-ratelimit-remaining"), reply.header("x-ratelimit-reset")
        resource = reply.header("x-ratelimit-resource") or "core"
        version = "v4" if graphql else "v3"
        if remaining and remaining.isdigit():
            TOKEN_USAGE.labels(token, version, resource).set(int(remaining))
        if reset and reset.isdigit():
            TOKEN_RESET.labels(token, version, resource).set(int(reset))
