"""The work queue operators reconcile from, with client-go's workqueue semantics.

A key is queued once however often it is added; no two workers hold the same key at
once (a key added while it is worked on is queued again when that work is done); a key
can be woken later (one pending wake-up per key, the newest wins); a failed key is
retried with per-key exponential backoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class Timers(Generic[K]):
    """At most one pending wake-up per key: setting one replaces the one before."""

    def __init__(self) -> None:
        self._handles: dict[K, asyncio.TimerHandle] = {}

    def set(self, key: K, delay: float, callback: Callable[[], object]) -> None:
        self.cancel(key)
        loop = asyncio.get_running_loop()
        self._handles[key] = loop.call_later(max(delay, 0.0), callback)

    def cancel(self, key: K) -> None:
        handle = self._handles.pop(key, None)
        if handle is not None:
            handle.cancel()


class WorkQueue:
    def __init__(self, backoff: float, max_backoff: float) -> None:
        self.backoff, self.max_backoff = backoff, max_backoff
        self.timers: Timers[str] = Timers()
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._failures: dict[str, int] = {}

    def add(self, key: str) -> None:
        if key in self._running:
            self._again.add(key)
        elif key not in self._queued:
            self._queued.add(key)
            self._queue.put_nowait(key)

    async def get(self) -> str:
        """The next key; the caller must call `done` with it."""
        key = await self._queue.get()
        self._queued.discard(key)
        self._running.add(key)
        return key

    def done(self, key: str) -> None:
        self._running.discard(key)
        if key in self._again:
            self._again.discard(key)
            self.add(key)

    def idle(self) -> bool:
        """Nothing queued and nothing being worked on (wake-ups may still be pending)."""
        return self._queue.empty() and not self._running

    def add_after(self, key: str, delay: float) -> None:
        self.timers.set(key, delay, lambda: self.add(key))

    def retry(self, key: str) -> float:
        """Count a failure and wake the key after its backoff; returns the delay."""
        failures = self._failures.get(key, 0) + 1
        self._failures[key] = failures
        delay: float = min(self.backoff * 2 ** (failures - 1), self.max_backoff)
        self.add_after(key, delay)
        return delay

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def forget(self, key: str) -> None:
        """Drop what is known of a key that is gone: its failures and its wake-up."""
        self._failures.pop(key, None)
        self.timers.cancel(key)

    def take_ready(self) -> list[str]:
        """Every key queued right now, without waiting (the caller calls `done` with
        each), so a worker can serve several keys from one read of the cluster."""
        taken = []
        while not self._queue.empty():
            key = self._queue.get_nowait()
            self._queued.discard(key)
            self._running.add(key)
            taken.append(key)
        return taken
