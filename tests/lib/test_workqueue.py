"""The operators' work queue: once per key, never a key twice at once, wake-ups, backoff."""

from __future__ import annotations

import asyncio

from bowsprit.lib.workqueue import Timers, WorkQueue


async def test_a_key_is_queued_once_and_never_held_twice() -> None:
    work = WorkQueue(0.1, 1.0)
    work.add("a")
    work.add("a")
    work.add("b")
    assert await work.get() == "a"
    work.add("a")  # added while held: queued again only when done
    assert await work.get() == "b"
    work.done("b")
    work.done("a")
    assert await asyncio.wait_for(work.get(), 1) == "a"


async def test_retries_back_off_per_key_up_to_the_cap() -> None:
    work = WorkQueue(0.01, 0.03)
    assert [work.retry("a") for _ in range(4)] == [0.01, 0.02, 0.03, 0.03]
    work.succeeded("a")
    assert work.retry("a") == 0.01
    assert await asyncio.wait_for(work.get(), 1) == "a"  # woken after its backoff
    work.forget("a")
    assert work.retry("a") == 0.01


async def test_the_newest_wake_up_wins_and_cancel_stops_it() -> None:
    timers: Timers[str] = Timers()
    fired: list[str] = []
    done = asyncio.Event()
    timers.set("k", 60, lambda: fired.append("old"))
    timers.set("k", 0, lambda: (fired.append("new"), done.set()))
    await asyncio.wait_for(done.wait(), 1)
    timers.set("gone", 0, lambda: fired.append("gone"))
    timers.cancel("gone")
    # A later wake-up with the same delay runs after the cancelled one would have.
    after = asyncio.Event()
    timers.set("after", 0, after.set)
    await asyncio.wait_for(after.wait(), 1)
    assert fired == ["new"]
