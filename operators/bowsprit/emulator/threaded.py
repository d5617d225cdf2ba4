"""Serve an aiohttp application on 127.0.0.1 from a thread with its own event loop.

Servers that tests and operators talk to (the emulator, the fake GitHub) must not run in
the caller's loop: kopf treats every task in its loop as its own (DEPENDENCIES.md §3).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TypeVar, cast

from aiohttp import web

T = TypeVar("T")


class ThreadedApp:
    """`start(make_app)` serves the app made in the thread's loop; `stop(before)` ends it."""

    def __init__(self, name: str, port: int = 0) -> None:
        self.name = name
        self.port = port
        self.loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, make_app: Callable[[], web.Application]) -> None:
        ready: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._serve, args=(make_app, ready), name=self.name, daemon=True
        )
        self._thread.start()
        ready.result(timeout=30)

    def _serve(self, make_app: Callable[[], web.Application], ready: Future[None]) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._open(make_app()))
        except BaseException as error:  # noqa: BLE001 - handed to the starting thread
            ready.set_exception(error)
            return
        ready.set_result(None)
        self.loop.run_forever()

    async def _open(self, app: web.Application) -> None:
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        # With port 0 the OS picks the port; aiohttp has no public way to ask which.
        server = cast(asyncio.Server, site._server)  # noqa: SLF001
        self.port = server.sockets[0].getsockname()[1]

    def call(self, function: Callable[[], T]) -> T:
        """Run `function` in the server's loop (its state is not thread-safe)."""

        async def run() -> T:
            return function()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)

    def stop(self, before: Callable[[], Awaitable[None]] | None = None) -> None:
        if self._thread is None:
            return

        async def close() -> None:
            if before is not None:
                await before()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        self.loop.close()
        self._thread = None
