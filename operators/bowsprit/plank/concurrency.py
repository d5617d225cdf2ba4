"""The in-memory index of incomplete ProwJobs: concurrency limits and superseded runs.

Kept up to date from watch events (and from plank's own writes before their events
arrive), filled from a full list before plank starts any pod, so counts are right
after a restart without listing on every reconcile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.plank.observe import Job

ACTIVE = ("triggered", "pending")


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    job: str
    state: str
    created: datetime
    started: datetime
    queue: str | None
    max_concurrency: int
    presubmit_of: str | None
    """For presubmits: org/repo@base_ref and the pull numbers (SHAs ignored, as Prow's
    TerminateOlderJobs), which newer runs of the same job supersede."""
    arrival: int
    """Order in which plank first saw the job: it breaks ties of the second-precision
    timestamps (creation order for jobs created while plank runs)."""
    cluster: str = "default"
    """The build cluster alias its pod runs in."""


def entry_for(job: Job, arrival: int = 0) -> Entry:
    refs = job.spec.refs
    presubmit_of = None
    if job.spec.type == "presubmit" and refs is not None:
        pulls = ",".join(str(n) for n in sorted(p.number for p in refs.pulls or []))
        presubmit_of = f"{refs.org}/{refs.repo}@{refs.base_ref or ''}#{pulls}"
    return Entry(
        name=job.name,
        job=job.spec.job,
        state=job.status.state,
        created=job.created,
        started=job.started,
        queue=job.spec.job_queue_name,
        max_concurrency=job.spec.max_concurrency or 0,
        presubmit_of=presubmit_of,
        arrival=arrival,
        cluster=job.spec.cluster or "default",
    )


def _order(entry: Entry) -> tuple[datetime, int, str]:
    return entry.created, entry.arrival, entry.name


class JobIndex:
    """Incomplete ProwJobs by name, job name and queue."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self._by_job: defaultdict[str, set[str]] = defaultdict(set)
        self._by_queue: defaultdict[str, set[str]] = defaultdict(set)
        self._pending: set[str] = set()
        self._pending_in: defaultdict[str, set[str]] = defaultdict(set)

    def put(self, entry: Entry) -> None:
        self.remove(entry.name)
        self.entries[entry.name] = entry
        self._by_job[entry.job].add(entry.name)
        if entry.queue:
            self._by_queue[entry.queue].add(entry.name)
        if entry.state == "pending":
            self._pending.add(entry.name)
            self._pending_in[entry.cluster].add(entry.name)

    def remove(self, name: str) -> None:
        old = self.entries.pop(name, None)
        if old is None:
            return
        self._by_job[old.job].discard(name)
        if not self._by_job[old.job]:
            del self._by_job[old.job]
        if old.queue:
            self._by_queue[old.queue].discard(name)
            if not self._by_queue[old.queue]:
                del self._by_queue[old.queue]
        self._pending.discard(name)
        self._pending_in[old.cluster].discard(name)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _ahead(self, names: set[str], entry: Entry) -> int:
        """Runs that hold or come before `entry`'s slot: pending, or triggered earlier."""
        count = 0
        for name in names:
            other = self.entries[name]
            if name == entry.name:
                continue
            if other.state == "pending" or (
                other.state == "triggered"
                and (other.created, other.name) < (entry.created, entry.name)
            ):
                count += 1
        return count

    def blocked(self, entry: Entry, plank: PlankConfig) -> str | None:
        """Why `entry` may not start now (Prow's canExecuteConcurrently), or None."""
        if plank.max_concurrency and self.pending >= plank.max_concurrency:
            limit = plank.max_concurrency
            return f"{self.pending} jobs are pending, plank's max_concurrency is {limit}"
        room = (plank.cluster_capacity or {}).get(entry.cluster, -1)
        in_cluster = len(self._pending_in[entry.cluster])
        if room >= 0 and in_cluster >= room:
            return (
                f"{in_cluster} jobs are pending in build cluster {entry.cluster},"
                f" its capacity is {room}"
            )
        if entry.max_concurrency:
            ahead = self._ahead(self._by_job[entry.job], entry)
            if ahead >= entry.max_concurrency:
                limit = entry.max_concurrency
                return f"{ahead} runs of {entry.job} are ahead, its max_concurrency is {limit}"
        if entry.queue:
            capacity = (plank.job_queue_capacities or {}).get(entry.queue)
            if capacity is None:
                return None  # unknown queues are refused before this (see decide callers)
            if capacity >= 0:
                ahead = self._ahead(self._by_queue[entry.queue], entry)
                if ahead >= capacity:
                    return (
                        f"{ahead} runs of queue {entry.queue} are ahead, its capacity is {capacity}"
                    )
        return None

    def superseded(self, entry: Entry) -> list[str]:
        """Older incomplete runs of the same presubmit on the same pulls, when `entry` is
        the newest; they are to be aborted."""
        if entry.presubmit_of is None:
            return []
        runs = [
            self.entries[name]
            for name in self._by_job[entry.job]
            if self.entries[name].presubmit_of == entry.presubmit_of
            and self.entries[name].state in ACTIVE
        ]
        newest = max(runs, key=lambda run: (run.started, *_order(run)), default=None)
        if newest is None or newest.name != entry.name:
            return []
        return sorted(run.name for run in runs if run.name != entry.name)
