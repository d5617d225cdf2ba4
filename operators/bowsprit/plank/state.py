"""plank's picture of the cluster: its incomplete ProwJobs and their pods.

Filled by a full list at start-up, then kept current by watch events and by plank's own
writes (whose responses arrive before their events). Every entry remembers the
resourceVersion it came from, so an event older than a write plank has already made
never rolls the picture back.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.plank.concurrency import Entry, JobIndex, entry_for
from bowsprit.plank.observe import Job, Pod, StoredJob, pod_from, stored_from


def is_newer(version: str, than: str) -> bool:
    """Whether resourceVersion `version` is later than `than`. Versions are etcd revisions
    (integers) on every API server we know; anything else counts as newer."""
    try:
        return int(version) > int(than)
    except ValueError:
        return version != than


def plank_runs(body: dict[str, Any]) -> bool:
    """ProwJobs plank runs: agent kubernetes (the default), not complete."""
    spec, status = body.get("spec") or {}, body.get("status") or {}
    return spec.get("agent", "kubernetes") == "kubernetes" and not status.get("completionTime")


@dataclass(slots=True)
class Tracked:
    stored: StoredJob
    version: str
    generation: int | None = None

    @property
    def job(self) -> Job:
        return self.stored.job()

    @property
    def ref(self) -> dict[str, Any]:
        """apiVersion, kind and metadata of the ProwJob: what an Event needs to point at it."""
        stored = self.stored
        metadata = {"name": stored.name, "namespace": stored.namespace, "uid": stored.uid}
        return {"apiVersion": stored.api_version, "kind": "ProwJob", "metadata": metadata}


@dataclass
class ClusterState:
    jobs: dict[str, Tracked] = field(default_factory=dict)
    pods: dict[tuple[str, str], tuple[Pod, str]] = field(default_factory=dict)
    """Job pods by (server, name): each build cluster's watch records its own; versions
    of different API servers are never compared."""
    server_of: Callable[[str], str | None] = field(default=lambda alias: "")
    """The server (watch) of a build cluster alias; None when it is not configured."""
    index: JobIndex = field(default_factory=JobIndex)
    arrivals: dict[str, int] = field(default_factory=dict)
    _arrival: itertools.count[int] = field(default_factory=itertools.count)
    finished: dict[str, str] = field(default_factory=dict)
    """Versions of ProwJobs seen complete, so a late event of their past is ignored;
    forgotten when the ProwJob is deleted."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Held for every read and change of the maps and the index: the event loop and the
    worker threads all use them."""

    def saw_job(self, body: dict[str, Any], deleted: bool = False) -> bool:
        """Record a ProwJob from an event or a write; False if it was stale."""
        metadata = body["metadata"]
        name, version = metadata["name"], metadata.get("resourceVersion", "")
        with self.lock:
            known = self.jobs.get(name)
            last = known.version if known is not None else self.finished.get(name)
            if last is not None and not is_newer(version, last):
                return False
            if deleted or not plank_runs(body):
                self.jobs.pop(name, None)
                self.arrivals.pop(name, None)
                self.index.remove(name)
                if deleted:
                    self.finished.pop(name, None)
                elif (body.get("status") or {}).get("completionTime"):
                    self.finished[name] = version
                return True
            # A status write leaves the generation as it was: the spec's JSON is reused.
            generation = metadata.get("generation")
            spec = None
            if known is not None and generation is not None and known.generation == generation:
                spec = known.stored.spec
            stored = stored_from(body, spec)
            self.jobs[name] = Tracked(stored, version, generation)
            if name not in self.arrivals:
                self.arrivals[name] = next(self._arrival)
            self.index.put(entry_for(stored.job(), self.arrivals[name]))
            return True

    def saw_pod(self, body: dict[str, Any], deleted: bool = False, server: str = "") -> bool:
        metadata = body["metadata"]
        key, version = (server, metadata["name"]), metadata.get("resourceVersion", "")
        with self.lock:
            known = self.pods.get(key)
            if known is not None and not is_newer(version, known[1]):
                return False
            if deleted:
                self.pods.pop(key, None)
            else:
                self.pods[key] = (pod_from(body), version)
            return True

    def observe(self, name: str) -> tuple[Tracked | None, Pod | None, Entry | None]:
        """The job, its pod (in the job's build cluster) and its index entry, as last seen."""
        with self.lock:
            entry = self.index.entries.get(name)
            server = self.server_of(entry.cluster if entry else "default")
            pod = self.pods.get((server, name)) if server is not None else None
            return self.jobs.get(name), pod[0] if pod else None, entry

    def superseded(self, entry: Entry) -> list[str]:
        with self.lock:
            return self.index.superseded(entry)

    def blocked(self, entry: Entry, plank: PlankConfig) -> str | None:
        with self.lock:
            return self.index.blocked(entry, plank)

    def oldest_first(self, names: set[str]) -> list[str]:
        """Those of `names` still incomplete, oldest first (the order blocked jobs retry in)."""
        with self.lock:
            entries = self.index.entries
            present = [entries[name] for name in names if name in entries]
        return [entry.name for entry in sorted(present, key=lambda e: (e.created, e.name))]

    def forget_job(self, name: str) -> bool:
        """A ProwJob missing from a new list (deleted while no watch ran); whether it
        was known."""
        with self.lock:
            self.arrivals.pop(name, None)
            self.finished.pop(name, None)
            self.index.remove(name)
            return self.jobs.pop(name, None) is not None

    def forget_pod(self, name: str, server: str = "") -> bool:
        with self.lock:
            return self.pods.pop((server, name), None) is not None

    def pod_names(self, server: str) -> set[str]:
        with self.lock:
            return {name for where, name in self.pods if where == server}

    def entry(self, name: str) -> Entry | None:
        with self.lock:
            return self.index.entries.get(name)

    def waiting_for(self, names: list[str], freed: Entry | None) -> list[str]:
        """Those of `names` a slot freed by `freed` may unblock: runs of the same job
        or queue; all of them when nothing is known of the slot."""
        if freed is None:
            return names
        with self.lock:
            entries = self.index.entries
            return [
                name
                for name in names
                if (entry := entries.get(name)) is not None
                and (entry.job == freed.job or (freed.queue and entry.queue == freed.queue))
            ]
