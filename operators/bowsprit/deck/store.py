"""What deck reads from the cluster, kept current by informers (never a list per request).

Objects are kept as the API server sent them, less `metadata.managedFields` (the API
server's field bookkeeping, which nothing in deck shows and which, parsed, weighs as much
as the rest of a ProwJob); `version` goes up on every change, so the job list can answer
"nothing changed" without looking at the jobs, and derived views (the sorted list) are
rebuilt only after a change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

Key = tuple[str, str]


def _key(item: dict[str, Any]) -> Key:
    metadata = item.get("metadata") or {}
    return (str(metadata.get("namespace", "")), str(metadata.get("name", "")))


def _kept(item: dict[str, Any]) -> dict[str, Any]:
    (item.get("metadata") or {}).pop("managedFields", None)
    return item


def start_time(item: dict[str, Any]) -> str:
    status = item.get("status") or {}
    return str(
        status.get("startTime") or (item.get("metadata") or {}).get("creationTimestamp") or ""
    )


class ObjectStore:
    """Objects of one kind by namespace and name; updated from an informer's thread."""

    def __init__(self) -> None:
        self._items: dict[Key, dict[str, Any]] = {}
        # name -> the namespaces holding it: deck's links carry a ProwJob's name alone
        self._namespaces: dict[str, dict[str, None]] = {}
        self._lock = threading.Lock()
        self.version = 0
        self._sorted: list[dict[str, Any]] = []
        self._sorted_version = -1
        self.changed = threading.Condition(self._lock)

    def replace(self, items: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            self._items = {_key(item): _kept(item) for item in items}
            self._namespaces = {}
            for namespace, name in self._items:
                self._namespaces.setdefault(name, {})[namespace] = None
            self._bump()

    def upsert(self, item: dict[str, Any]) -> None:
        with self._lock:
            namespace, name = key = _key(item)
            self._items[key] = _kept(item)
            self._namespaces.setdefault(name, {})[namespace] = None
            self._bump()

    def delete(self, item: dict[str, Any]) -> None:
        with self._lock:
            namespace, name = key = _key(item)
            self._items.pop(key, None)
            namespaces = self._namespaces.get(name, {})
            namespaces.pop(namespace, None)
            if not namespaces:
                self._namespaces.pop(name, None)
            self._bump()

    def _bump(self) -> None:
        self.version += 1
        self.changed.notify_all()

    def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        with self._lock:
            return self._items.get((namespace, name))

    def find(self, name: str) -> dict[str, Any] | None:
        """By name in any namespace (Prow's deck takes ProwJob names alone)."""
        with self._lock:
            return self._named(name)

    def _named(self, name: str) -> dict[str, Any] | None:
        namespace = next(iter(self._namespaces.get(name, ())), None)
        return None if namespace is None else self._items.get((namespace, name))

    def wait_for(self, name: str, timeout: float) -> dict[str, Any] | None:
        """The object named `name` once the watch has brought it (a job deck just created),
        or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = self._named(name)
                left = deadline - time.monotonic()
                if found is not None or left <= 0:
                    return found
                self.changed.wait(left)

    def newest_first(self) -> tuple[int, list[dict[str, Any]]]:
        """(version, objects newest first by start time); sorted once per change."""
        with self._lock:
            if self._sorted_version != self.version:
                self._sorted = sorted(self._items.values(), key=start_time, reverse=True)
                self._sorted_version = self.version
            return self.version, self._sorted

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
