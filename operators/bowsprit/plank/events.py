"""plank's Kubernetes Events, off the hot path: queued by the workers, posted by one task
of their own, limited per ProwJob, dropped (and counted) rather than ever delaying a
transition. An Event is worth less than the next job's start."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import Counter

from bowsprit.clients.cluster import event_body

logger = logging.getLogger("bowsprit.plank")
QUEUED = 10_000
"""Events waiting to be posted at most; beyond, new ones are dropped."""
BURST = 10
"""Events per ProwJob posted at once before the limit below applies."""
PER_SECOND = 0.1
"""Then one Event per ProwJob every 10 s (client-go's spam filter is 25, then 1/5 min)."""

Queued = tuple[tuple[str, str, str, str], str, str, str]
"""(apiVersion, name, namespace, uid of the ProwJob), reason, message, timestamp."""

DROPPED = Counter("plank_events_dropped", "Events not posted (queue full, or too many for a job)")


@dataclass
class Bucket:
    tokens: float
    at: float


@dataclass
class EventPoster:
    post: Callable[[dict[str, Any]], None]
    """Blocking: posts one core/v1 Event (clients.cluster.Cluster.post_event)."""
    clock: Callable[[], str]
    """The Event's timestamp (RFC 3339)."""
    monotonic: Callable[[], float] = time.monotonic
    queue: asyncio.Queue[Queued] = field(default_factory=lambda: asyncio.Queue(maxsize=QUEUED))
    """What each Event is made of, not its body: thousands may wait here."""
    buckets: dict[str, Bucket] = field(default_factory=dict)
    _executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="plank-events")
    )

    def add(self, ref: dict[str, Any], reason: str, message: str) -> None:
        """Queue an Event about the object `ref` (apiVersion, kind, metadata), unless
        that object has had too many lately or the queue is full. Never blocks."""
        if not self._allowed(ref["metadata"]["name"]):
            DROPPED.inc()
            return
        metadata = ref["metadata"]
        involved = (ref["apiVersion"], metadata["name"], metadata["namespace"], metadata["uid"])
        try:
            self.queue.put_nowait((involved, reason, message, self.clock()))
        except asyncio.QueueFull:
            DROPPED.inc()

    def _allowed(self, name: str) -> bool:
        now = self.monotonic()
        bucket = self.buckets.get(name)
        if bucket is None:
            bucket = self.buckets[name] = Bucket(BURST, now)
        bucket.tokens = min(BURST, bucket.tokens + (now - bucket.at) * PER_SECOND)
        bucket.at = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def forget(self, name: str) -> None:
        """The ProwJob is finished or gone: its limit need not be remembered."""
        self.buckets.pop(name, None)

    async def run(self) -> None:
        """Post queued Events one at a time, until cancelled."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                (api_version, name, namespace, uid), reason, message, at = await self.queue.get()
                ref = {
                    "apiVersion": api_version,
                    "kind": "ProwJob",
                    "metadata": {"name": name, "namespace": namespace, "uid": uid},
                }
                kind = "Warning" if reason in ("Error", "Failure", "Aborted") else "Normal"
                body = event_body(ref, kind, reason, message, "bowsprit-plank", at)
                try:
                    await loop.run_in_executor(self._executor, self.post, body)
                except Exception as error:  # noqa: BLE001 - a lost Event is logged, not retried
                    logger.warning("%s: posting event %s failed: %s", name, reason, error)
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)
