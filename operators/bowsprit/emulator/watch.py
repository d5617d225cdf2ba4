"""Watch events: the history a watch replays from, and the live watchers."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any

from bowsprit.emulator.selectors import Matcher


@dataclass(frozen=True)
class Event:
    """One change: its resourceVersion, resource, type, the object and what it was before."""

    rv: int
    key: tuple[str, str]
    type: str  # ADDED, MODIFIED, DELETED
    obj: dict[str, Any]
    old: dict[str, Any] | None


@dataclass(eq=False)
class Watcher:
    """A live watch: which objects it sees, and the queue its stream reads."""

    key: tuple[str, str]
    namespace: str | None
    matcher: Matcher | None
    queue: asyncio.Queue[Event | None]

    def sees(self, obj: dict[str, Any] | None) -> bool:
        if obj is None:
            return False
        if self.namespace is not None and obj["metadata"].get("namespace") != self.namespace:
            return False
        return self.matcher is None or self.matcher(obj)

    def translate(self, event: Event) -> tuple[str, dict[str, Any]] | None:
        """The event as this watcher sees it (selectors turn updates into adds and deletes)."""
        if event.type == "ADDED":
            return ("ADDED", event.obj) if self.sees(event.obj) else None
        if event.type == "DELETED":
            return ("DELETED", event.obj) if self.sees(event.obj) else None
        was, now = self.sees(event.old), self.sees(event.obj)
        if was and now:
            return ("MODIFIED", event.obj)
        if now:
            return ("ADDED", event.obj)
        if was:
            return ("DELETED", event.obj)
        return None


class History:
    """The last `size` events, for watches that start from a resourceVersion."""

    def __init__(self, size: int) -> None:
        self._events: deque[Event] = deque(maxlen=size)
        self.compacted_rv = 0

    def append(self, event: Event) -> None:
        if len(self._events) == self._events.maxlen:
            self.compacted_rv = self._events[0].rv
        self._events.append(event)

    def since(self, rv: int, key: tuple[str, str]) -> list[Event]:
        return [event for event in self._events if event.rv > rv and event.key == key]

    def compact(self) -> None:
        """Forget everything (tests use it to provoke 410 Gone)."""
        if self._events:
            self.compacted_rv = self._events[-1].rv
        self._events.clear()
