"""The operators' asyncio exception handler: quiet about kopf's watch streams closing at
exit (a kopf shutdown race), as loud as asyncio about everything else."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from bowsprit.clients.operator import quiet_watch_closing


async def infinite_watch() -> AsyncIterator[int]:  # the name kopf's generator has
    yield 1


async def other_stream() -> AsyncIterator[int]:
    yield 1


@pytest.mark.parametrize(
    ("generator", "logged_as_error"),
    [(infinite_watch, False), (other_stream, True)],
    ids=["kopf-watch-stream", "any-other-generator"],
)
async def test_only_kopfs_watch_stream_closing_is_quiet(
    generator: object, logged_as_error: bool, caplog: pytest.LogCaptureFixture
) -> None:
    agen = generator()  # type: ignore[operator]
    error = RuntimeError("generator didn't stop after athrow()")
    context = {
        "message": "an error occurred during closing of asynchronous generator",
        "exception": error,
        "asyncgen": agen,
    }
    with caplog.at_level(logging.DEBUG):
        quiet_watch_closing(asyncio.get_running_loop(), context)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert bool(errors) is logged_as_error
    await agen.aclose()
