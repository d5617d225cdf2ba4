"""ghproxy's cache (Prow's pkg/ghcache): GET answers are kept and every hit is revalidated
with `If-None-Match`, which GitHub does not charge for when nothing changed; errors are
never kept; identical GETs in flight at once share one upstream request; each
Authorization header has a cache partition of its own (ETags are per token); every
answer says how it was served in `X-Cache-Mode`.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from prometheus_client import Histogram

from bowsprit.ghproxy.store import Entry, Store
from bowsprit.lib.clock import Clock, utc_now

MODE_HEADER = "X-Cache-Mode"
MISS = "MISS"  # not in the cache: asked upstream, answer kept
CHANGED = "CHANGED"  # in the cache, but GitHub had a newer answer: kept instead
REVALIDATED = "REVALIDATED"  # in the cache and unchanged (free: a 304)
COALESCED = "COALESCED"  # shared the answer of an identical request in flight (free)
NO_STORE = "NO-STORE"  # an answer that is never kept (errors)
SKIP = "SKIP"  # not a GET: passed through
ERROR = "ERROR"  # GitHub could not be reached
FREE = (REVALIDATED, COALESCED, ERROR)

ENTRY_AGE = Histogram(
    "ghcache_cache_entry_age_seconds",
    "Age of the cached answers served after revalidation",
    buckets=(60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400),
)

# Hop-by-hop and transport headers: never forwarded, never kept.
DROPPED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
        "accept-encoding",
    }
)
# Headers of a 304 that describe now, not the kept answer.
FRESH = (
    "date",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-used",
    "x-ratelimit-resource",
)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    mode: str = MISS

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def with_mode(self, mode: str) -> Reply:
        return Reply(self.status, self.headers, self.body, mode)


class UpstreamError(Exception):
    """GitHub did not answer (connection error, timeout)."""


class Upstream(Protocol):
    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, partition: str
    ) -> Reply: ...


def partition_of(authorization: str, shared: bool = False) -> str:
    """The cache partition of a credential: a hash, so no token shows in keys or files."""
    if shared:
        return "shared"
    return hashlib.sha256(authorization.encode()).hexdigest()


def forwardable(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in DROPPED}


def _merge_fresh(entry: Entry, fresh: Reply) -> tuple[tuple[str, str], ...]:
    """The kept headers, with the 304's rate-limit headers and date (the budget now)."""
    updates = {k.lower(): (k, v) for k, v in fresh.headers if k.lower() in FRESH}
    kept = [(k, v) for k, v in entry.headers if k.lower() not in updates]
    return tuple(kept) + tuple(updates.values())


@dataclass
class GitHubCache:
    upstream: Upstream
    store: Store
    clock: Clock = utc_now
    shared_partition: bool = False
    inflight: dict[str, asyncio.Future[Reply]] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)

    async def handle(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Reply:
        """One request from a client: its answer, with X-Cache-Mode set."""
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        partition = partition_of(authorization, self.shared_partition)
        sent = forwardable(headers)
        if method != "GET":
            reply = await self._upstream(method, url, sent, body, partition)
            return reply.with_mode(SKIP if reply.mode != ERROR else ERROR)
        accept = next((v for k, v in sent.items() if k.lower() == "accept"), "")
        key = f"{partition}\n{accept}\n{url}"
        client_etag = next((v for k, v in sent.items() if k.lower() == "if-none-match"), None)
        reply = await self._coalesced(key, url, sent, partition)
        return _conditional(reply, client_etag)

    async def _coalesced(
        self, key: str, url: str, headers: dict[str, str], partition: str
    ) -> Reply:
        """Identical GETs in flight share one answer (Prow's requestCoalescer). The
        upstream request is a task of its own, so a client that goes away does not take
        the answer from the others waiting for it."""
        first = self.inflight.get(key)
        if first is None:
            task = asyncio.ensure_future(self._revalidated(key, url, headers, partition))
            self.inflight[key] = task
            task.add_done_callback(lambda _: self.inflight.pop(key, None))
            return await asyncio.shield(task)
        self.waiting[key] = self.waiting.get(key, 0) + 1
        try:
            reply = await asyncio.shield(first)
        finally:
            left = self.waiting.get(key, 1) - 1
            if left > 0:
                self.waiting[key] = left
            else:
                self.waiting.pop(key, None)
        return reply.with_mode(COALESCED if reply.mode != ERROR else ERROR)

    async def _revalidated(
        self, key: str, url: str, headers: dict[str, str], partition: str
    ) -> Reply:
        entry = self.store.get(key)
        asked = {k: v for k, v in headers.items() if k.lower() != "if-none-match"}
        if entry is not None:
            asked["If-None-Match"] = entry.etag
        reply = await self._upstream("GET", url, asked, None, partition)
        if reply.mode == ERROR:
            return reply
        if reply.status == 304 and entry is not None:
            ENTRY_AGE.observe(max(self.clock().timestamp() - entry.stored_at, 0.0))
            return Reply(entry.status, _merge_fresh(entry, reply), entry.body, REVALIDATED)
        if reply.status >= 400:
            return reply.with_mode(NO_STORE)
        etag = reply.header("etag")
        if reply.status == 200 and etag:
            stamp = self.clock().timestamp()
            self.store.put(key, Entry(reply.status, reply.headers, reply.body, etag, stamp))
        return reply.with_mode(CHANGED if entry is not None else MISS)

    async def _upstream(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, partition: str
    ) -> Reply:
        try:
            return await self.upstream.send(method, url, headers, body, partition)
        except UpstreamError as error:
            message = f'{{"message": "ghproxy: GitHub did not answer: {error}"}}'.encode()
            return Reply(502, (("Content-Type", "application/json"),), message, ERROR)


def _conditional(reply: Reply, client_etag: str | None) -> Reply:
    """A client that already holds this answer (its If-None-Match is the answer's ETag)
    gets a 304 without the body, as GitHub would answer it."""
    if client_etag and reply.status == 200 and reply.header("etag") == client_etag:
        return Reply(304, reply.headers, b"", reply.mode)
    return reply
