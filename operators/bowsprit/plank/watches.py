"""plank's own watches of its ProwJobs and their pods (clients.informer threads), instead
of kopf's per-event machinery: each event is parsed once, recorded in ClusterState in the
watch's thread (the state is locked), and only the queue work goes to the event loop.

The first list of each is complete before any worker starts, so concurrency counts
include runs started before this process; a watch that breaks lists again, and objects
missing from that list are taken as deleted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from bowsprit.api import GROUP, VERSION

if TYPE_CHECKING:
    from bowsprit.plank.concurrency import Entry
    from bowsprit.plank.registry import Deps

JobMoved = Callable[["Deps", str, "Entry | None", bool], None]
"""Called on the event loop with (deps, name, its index entry before, tracked now)."""


class JobStore:
    def __init__(self, deps: Deps, loop: asyncio.AbstractEventLoop, moved: JobMoved) -> None:
        self.deps, self.loop, self.moved = deps, loop, moved

    def replace(self, items: Iterable[dict[str, Any]]) -> None:
        listed = set()
        for item in items:
            item.setdefault("apiVersion", f"{GROUP}/{VERSION}")
            item.setdefault("kind", "ProwJob")
            listed.add(item["metadata"]["name"])
            self.upsert(item)
        for name in set(self.deps.state.jobs) - listed:
            was = self.deps.state.entry(name)
            if self.deps.state.forget_job(name):
                self.loop.call_soon_threadsafe(self.moved, self.deps, name, was, False)

    def upsert(self, item: dict[str, Any]) -> None:
        self._saw(item, deleted=False)

    def delete(self, item: dict[str, Any]) -> None:
        self._saw(item, deleted=True)

    def _saw(self, item: dict[str, Any], deleted: bool) -> None:
        name = item["metadata"]["name"]
        state = self.deps.state
        was = state.entry(name)
        if state.saw_job(item, deleted=deleted):
            tracked = name in state.jobs
            self.loop.call_soon_threadsafe(self.moved, self.deps, name, was, tracked)


class PodStore:
    """The job pods of one build cluster's server (`server`, "" for a single cluster)."""

    def __init__(self, deps: Deps, loop: asyncio.AbstractEventLoop, server: str = "") -> None:
        self.deps, self.loop, self.server = deps, loop, server

    def replace(self, items: Iterable[dict[str, Any]]) -> None:
        listed = set()
        for item in items:
            listed.add(item["metadata"]["name"])
            self.upsert(item)
        for name in self.deps.state.pod_names(self.server) - listed:
            if self.deps.state.forget_pod(name, self.server):
                self.loop.call_soon_threadsafe(self.deps.enqueue, name)

    def upsert(self, item: dict[str, Any]) -> None:
        if self.deps.state.saw_pod(item, server=self.server):
            self.loop.call_soon_threadsafe(self.deps.enqueue, item["metadata"]["name"])

    def delete(self, item: dict[str, Any]) -> None:
        if self.deps.state.saw_pod(item, deleted=True, server=self.server):
            self.loop.call_soon_threadsafe(self.deps.enqueue, item["metadata"]["name"])
