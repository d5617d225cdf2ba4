"""Poke tide (POST /poke) when a webhook may change a merge decision, so tide syncs within
seconds instead of after its sync period.

Fire and forget: the webhook's answer and the plugins never wait for tide. At most one
poke is in flight and one more pending; any further request while one is pending is
folded into it (a sync started after the last change sees all of them). Failures are
logged at warning at most once a minute: tide still syncs every period on its own. The
token is asked for at each POST, so a rotated Secret is followed without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

logger = logging.getLogger("bowsprit.hook")

TIMEOUT = 2.0
WARN_EVERY = 60.0

# (event type, action) pairs that may change whether a pull request merges.
POKING: frozenset[tuple[str, str]] = frozenset(
    {
        ("pull_request", "labeled"),
        ("pull_request", "unlabeled"),
        ("pull_request", "synchronize"),
        ("pull_request", "reopened"),
        ("pull_request", "ready_for_review"),
        ("pull_request_review", "submitted"),
    }
)


def pokes_tide(event_type: str, payload: Any) -> bool:
    action = payload.get("action", "") if isinstance(payload, dict) else ""
    return (event_type, action) in POKING


class TidePoker:
    """Coalescing POSTs to tide's /poke; `poke()` never blocks and never raises."""

    def __init__(
        self,
        url: str,
        token: str | Callable[[], str],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.token: Callable[[], str] = token if callable(token) else lambda: token
        self.clock = clock
        self.pending = False
        self.task: asyncio.Task[None] | None = None
        self.sent = 0  # POSTs answered 2xx
        self.failed = 0
        self._warned_at: float | None = None
        self._session: aiohttp.ClientSession | None = None

    def poke(self) -> None:
        if self.task is not None and not self.task.done():
            self.pending = True  # the running task sends one more when it is done
            return
        self.pending = False
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await self._send()
            if not self.pending:
                return
            self.pending = False

    async def _send(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))
        token = self.token()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with self._session.post(self.url, headers=headers) as response:
                if response.status >= 300:
                    self._failed(f"HTTP {response.status}")
                    return
            self.sent += 1
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            self._failed(repr(error))

    def _failed(self, why: str) -> None:
        self.failed += 1
        now = self.clock()
        if self._warned_at is None or now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            logger.warning(
                "could not poke tide at %s: %s (tide syncs on its period)", self.url, why
            )

    async def idle(self) -> None:
        """Wait until no poke is in flight or pending (tests, shutdown)."""
        while self.task is not None and not self.task.done():
            await asyncio.shield(self.task)

    async def aclose(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
