"""tide's POST /poke: hook tells tide that a pull request changed (labels, pushes,
reviews) so the next sync starts now instead of after a whole sync period.

A poke only sets tide's wake event, which already coalesces wake-ups: many pokes during
a sync cause one more sync, never a queue. The caller must carry the shared token,
which is read again when its file changes (a rotated Secret: no restart).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from prometheus_client import Counter

from bowsprit.lib.secretfile import SecretFile, SecretFileError

logger = logging.getLogger("bowsprit.tide")

POKES = Counter("tide_pokes", "POST /poke requests, by result", ["result"])


def poke_app(token: Callable[[], str], wake: Callable[[], None]) -> web.Application:
    """The /poke route: 202 and `wake()` with the right bearer token (`token()`, the
    current one), 401 without."""

    async def poke(request: web.Request) -> web.Response:
        if request.method != "POST":
            POKES.labels("method").inc()
            return web.Response(status=405, text="405 Method not allowed: POST /poke\n")
        given = request.headers.get("Authorization", "").encode()
        current = token()
        if not current or not hmac.compare_digest(given, f"Bearer {current}".encode()):
            POKES.labels("unauthorized").inc()
            return web.Response(status=401, text="401 Unauthorized\n")
        wake()
        POKES.labels("accepted").inc()
        return web.Response(status=202, text="202 Accepted: a sync follows\n")

    app = web.Application()
    app.router.add_route("*", "/poke", poke)
    return app


def read_token(path: Path | None) -> SecretFile:
    """The shared token (surrounding whitespace dropped), followed as its file changes; a
    clear error if unusable at start."""
    if path is None:
        raise SystemExit("tide: --poke-port needs --poke-token-file")
    try:
        return SecretFile(path).load()
    except SecretFileError as error:
        raise SystemExit(f"tide: --poke-token-file: {error}") from error


async def serve_pokes(
    port: int, token: Callable[[], str], wake: Callable[[], None]
) -> web.AppRunner:
    """Start the /poke server on `port`; the caller cleans the runner up."""
    runner = web.AppRunner(poke_app(token, wake), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, port=port).start()
    logger.info("tide: POST /poke on port %d", port)
    return runner


async def stop_pokes(runner: web.AppRunner | None) -> None:
    if runner is not None:
        await asyncio.shield(runner.cleanup())
