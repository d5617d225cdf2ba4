"""Where ghproxy keeps GitHub's answers: in memory or on disk, bounded either way.

An entry is one GET answer with its ETag. Entries are only ever revalidated, never served
without asking GitHub, so a store need not expire anything: it only bounds its size,
dropping the least recently used first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import diskcache


@dataclass(frozen=True)
class Entry:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    stored_at: float

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64


class Store(Protocol):
    def get(self, key: str) -> Entry | None: ...
    def put(self, key: str, entry: Entry) -> None: ...
    def size(self) -> int: ...
    def close(self) -> None: ...


class MemoryStore:
    """A least-recently-used store of at most `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: str, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += entry.size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size

    def size(self) -> int:
        return self._bytes

    def close(self) -> None:
        pass


class DiskStore:
    """diskcache (SQLite plus files) in a folder, e.g. a PersistentVolume: bounded to
    `max_bytes`, least recently used out first, and still there after a restart."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self._cache = diskcache.Cache(
            str(folder), size_limit=max_bytes, eviction_policy="least-recently-used"
        )

    def get(self, key: str) -> Entry | None:
        found = self._cache.get(key)
        if not isinstance(found, tuple) or len(found) != 5:
            return None
        status, headers, body, etag, stored_at = found
        return Entry(int(status), tuple(tuple(pair) for pair in headers), body, etag, stored_at)

    def put(self, key: str, entry: Entry) -> None:
        value = (
            entry.status,
            [list(p) for p in entry.headers],
            entry.body,
            entry.etag,
            entry.stored_at,
        )
        self._cache.set(key, value)

    def size(self) -> int:
        return int(self._cache.volume())

    def close(self) -> None:
        self._cache.close()
