"""crier's picture of its ProwJobs, kept by an informer thread (clients.informer) instead
of kopf's per-object handlers (kopf's worker and memories per object, and 10,000 parsed
bodies, took crier to 170-190 MB at 10,000 ProwJobs).

Each ProwJob is kept as compact JSON without managedFields (a parsed body costs several
times its JSON), parsed again when a worker reports it; the pull request each one tests is
indexed so that a summary comment finds its siblings without parsing every job.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

PullKey = tuple[str, str, int]
Seen = Callable[[str, str, dict[str, str]], None]
"""On the event loop: (name, uid, status.prev_report_states) of a ProwJob added or changed."""
Gone = Callable[[str, str], None]
"""On the event loop: (name, uid) of a ProwJob deleted."""


def pull_of(body: dict[str, Any]) -> PullKey | None:
    """(org, repo, number) of the first pull request a ProwJob tests."""
    refs = (body.get("spec") or {}).get("refs") or {}
    pulls = refs.get("pulls") or []
    if not pulls or not isinstance(pulls[0], dict):
        return None
    number = pulls[0].get("number")
    if not isinstance(number, int):
        return None
    return str(refs.get("org", "")), str(refs.get("repo", "")), number


def uid_of(body: dict[str, Any]) -> str:
    metadata = body.get("metadata") or {}
    return str(metadata.get("uid") or metadata.get("name", ""))


class Bodies:
    """ProwJobs by name, as last seen. Written by the informer thread, read by the event
    loop's workers and the blob reporter's threads (so locked)."""

    def __init__(self) -> None:
        self._json: dict[str, bytes] = {}
        self._pulls: dict[PullKey, set[str]] = {}
        self._pull_of: dict[str, PullKey] = {}
        self._lock = threading.Lock()

    def put(self, body: dict[str, Any]) -> None:
        name = body["metadata"]["name"]
        metadata = {k: v for k, v in body["metadata"].items() if k != "managedFields"}
        packed = json.dumps({**body, "metadata": metadata}, separators=(",", ":")).encode()
        pull = pull_of(body)
        with self._lock:
            self._json[name] = packed
            self._unindex(name)
            if pull is not None:
                self._pull_of[name] = pull
                self._pulls.setdefault(pull, set()).add(name)

    def get(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            packed = self._json.get(name)
        if packed is None:
            return None
        body: dict[str, Any] = json.loads(packed)
        return body

    def pop(self, name: str) -> None:
        with self._lock:
            self._json.pop(name, None)
            self._unindex(name)

    def names(self) -> set[str]:
        with self._lock:
            return set(self._json)

    def testing(self, pull: PullKey) -> list[dict[str, Any]]:
        """The ProwJobs that test pull request `pull`."""
        with self._lock:
            names = sorted(self._pulls.get(pull, ()))
        return [body for name in names if (body := self.get(name)) is not None]

    def __len__(self) -> int:
        return len(self._json)

    def _unindex(self, name: str) -> None:
        pull = self._pull_of.pop(name, None)
        if pull is not None:
            names = self._pulls.get(pull)
            if names is not None:
                names.discard(name)
                if not names:
                    del self._pulls[pull]


class JobStore:
    """The informer's store: records each ProwJob in `bodies` (in the informer's thread)
    and tells the event loop by name only, so no body waits in the loop's queue."""

    def __init__(
        self, bodies: Bodies, loop: asyncio.AbstractEventLoop, seen: Seen, gone: Gone
    ) -> None:
        self.bodies, self.loop, self.seen, self.gone = bodies, loop, seen, gone

    def replace(self, items: Iterable[dict[str, Any]]) -> None:
        """A (re-)list: those no longer listed were deleted while no watch ran."""
        listed = set()
        for item in items:
            listed.add(item["metadata"]["name"])
            self.upsert(item)
        for name in self.bodies.names() - listed:
            body = self.bodies.get(name)
            if body is not None:
                self.delete(body)

    def upsert(self, item: dict[str, Any]) -> None:
        name = item["metadata"]["name"]
        recorded = dict((item.get("status") or {}).get("prev_report_states") or {})
        self.bodies.put(item)
        self.loop.call_soon_threadsafe(self.seen, name, uid_of(item), recorded)

    def delete(self, item: dict[str, Any]) -> None:
        name = item["metadata"]["name"]
        self.bodies.pop(name)
        self.loop.call_soon_threadsafe(self.gone, name, uid_of(item))
