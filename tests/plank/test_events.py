"""plank's Events: queued without ever blocking, limited per ProwJob, posted aside."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from bowsprit.plank import events
from bowsprit.plank.events import EventPoster

REF = {"apiVersion": "bowsprit.dev/v1", "kind": "ProwJob"}


def ref(name: str) -> dict[str, Any]:
    return {**REF, "metadata": {"name": name, "namespace": "default", "uid": f"u-{name}"}}


async def test_each_job_gets_a_burst_then_one_event_per_interval() -> None:
    now = [0.0]
    poster = EventPoster(lambda body: None, lambda: "2026-12-05T00:00:00Z", lambda: now[0])
    for _ in range(events.BURST + 5):
        poster.add(ref("a"), "Pending", "started")
    poster.add(ref("b"), "Failure", "failed")  # another job has its own allowance
    assert poster.queue.qsize() == events.BURST + 1
    now[0] += 1 / events.PER_SECOND
    poster.add(ref("a"), "Success", "done")
    poster.add(ref("a"), "Success", "done")
    assert poster.queue.qsize() == events.BURST + 2
    poster.forget("a")
    assert "a" not in poster.buckets


async def test_events_are_posted_by_their_own_task_and_a_failure_is_survived() -> None:
    posted: list[dict[str, Any]] = []
    gate = threading.Event()

    def post(body: dict[str, Any]) -> None:
        gate.wait(5)  # a slow API server: add() must not wait for it
        if body["reason"] == "Error":
            raise RuntimeError("500")
        posted.append(body)

    poster = EventPoster(post, lambda: "2026-12-05T00:00:00Z")
    task = asyncio.create_task(poster.run())
    poster.add(ref("a"), "Error", "broken")
    poster.add(ref("a"), "Pending", "Job triggered.")
    assert poster.queue.qsize() == 2  # queued at once, nothing posted yet
    gate.set()
    async with asyncio.timeout(10):
        while not posted:
            await asyncio.sleep(0.01)
    task.cancel()
    assert [(b["type"], b["reason"], b["involvedObject"]["uid"]) for b in posted] == [
        ("Normal", "Pending", "u-a")
    ]
