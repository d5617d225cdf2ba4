"""What status-reconciler remembers of each job definition, kept on the CR itself.

The annotation `statusreconciler.bowsprit.dev/reconciled` holds, per repository, the
fields of the job that its last reconcile of that repository saw (name, context, kind,
file and branch filters): Prow's "old config", object by object. A CR that carries a
record also carries the finalizer `statusreconciler.bowsprit.dev/contexts`, so its
deletion waits until its contexts are retired, even when status-reconciler was down at
the time. Everything here is pure: CR bodies in, jobs and patches out.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.jobbase import RepoJobDefinition
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.jobpod.jobs import Job, JobKind

logger = logging.getLogger("bowsprit.statusreconciler")

ANNOTATION = "statusreconciler.bowsprit.dev/reconciled"
FINALIZER = "statusreconciler.bowsprit.dev/contexts"
KINDS: dict[JobKind, type[RepoJobDefinition]] = {
    "BlockingPresubmit": BlockingPresubmitSpec,
    "Presubmit": PresubmitSpec,
}
PLURALS: dict[JobKind, str] = {"BlockingPresubmit": "blockingpresubmits", "Presubmit": "presubmits"}
# The fields the rules read; the rest of a job (its pod) does not change its contexts.
RECORDED = (
    "name",
    "org",
    "repo",
    "context",
    "always_run",
    "run_if_changed",
    "skip_if_only_changed",
    "branches",
    "skip_branches",
    "skip_report",
)


def repo_key(org: str, repo: str) -> str:
    return f"{org}/{repo}"


def record_of(job: Job) -> dict[str, Any]:
    """The part of a job the rules read, as stored in the annotation."""
    dumped = job.spec.model_dump(mode="json", exclude_none=True)
    spec = {key: dumped[key] for key in RECORDED if key in dumped}
    spec["name"] = job.name  # metadata.name when spec.name is unset
    spec["context"] = job.context  # the name when context is unset
    return {"kind": job.kind, "spec": spec}


def job_from_record(namespace: str, name: str, record: Mapping[str, Any]) -> Job:
    kind: JobKind = record["kind"]
    return Job(kind, namespace, name, KINDS[kind].model_validate(record["spec"]))


@dataclass(frozen=True)
class Definition:
    """One BlockingPresubmit or Presubmit as status-reconciler sees it."""

    kind: JobKind
    namespace: str
    name: str
    resource_version: str
    deleting: bool
    current: Job | None  # None when the spec does not parse
    records: Mapping[str, Mapping[str, Any]]  # repository → recorded job
    finalizers: tuple[str, ...]
    generation: int | None = None
    status: Mapping[str, Any] | None = None

    @property
    def unreadable(self) -> bool:
        """A spec that does not parse (admission should have refused it): nothing is
        concluded from it, so a broken edit never retires a context."""
        return self.current is None and not self.deleting

    @property
    def repos(self) -> set[str]:
        """The repositories a change of this object concerns: where it is now and where it
        was when last reconciled."""
        found = set(self.records)
        if self.current is not None:
            found.add(repo_key(self.current.spec.org, self.current.spec.repo))
        return found

    def live_in(self, repo: str) -> Job | None:
        """The job as it is now in `repo`: None when deleted, moved away or unparsable."""
        job = self.current
        if self.deleting or job is None or repo_key(job.spec.org, job.spec.repo) != repo:
            return None
        return job

    def recorded_in(self, repo: str) -> Job | None:
        found = self.records.get(repo)
        if found is None:
            return None
        try:
            return job_from_record(self.namespace, self.name, found)
        except (ValidationError, KeyError, TypeError, ValueError) as error:
            logger.error(
                "%s %s/%s: bad record for %s ignored: %s",
                self.kind,
                self.namespace,
                self.name,
                repo,
                error,
            )
            return None


def _records(metadata: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    raw = (metadata.get("annotations") or {}).get(ANNOTATION)
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def definition(kind: JobKind, body: Mapping[str, Any]) -> Definition:
    metadata = body.get("metadata") or {}
    namespace, name = str(metadata.get("namespace", "")), str(metadata.get("name", ""))
    try:
        current: Job | None = Job(kind, namespace, name, KINDS[kind].model_validate(body["spec"]))
    except (ValidationError, KeyError, TypeError, ValueError) as error:
        logger.error("%s %s/%s ignored: %s", kind, namespace, name, error)
        current = None
    return Definition(
        kind,
        namespace,
        name,
        str(metadata.get("resourceVersion", "")),
        bool(metadata.get("deletionTimestamp")),
        current,
        _records(metadata),
        tuple(metadata.get("finalizers") or ()),
        metadata.get("generation"),
        body.get("status") or {},
    )


@dataclass(frozen=True)
class Picture:
    """A repository's jobs as last reconciled (`old`) and as they are (`new`)."""

    old: list[Job]
    new: list[Job]
    known: bool  # some job of the repository has a record: it was reconciled before


def picture(definitions: Iterable[Definition], repo: str) -> Picture:
    old: list[Job] = []
    new: list[Job] = []
    known = False
    for item in sorted(definitions, key=lambda d: (d.namespace, d.kind, d.name)):
        known = known or repo in item.records
        if item.unreadable:
            continue  # neither removed nor changed: left as recorded until it reads again
        before = item.recorded_in(repo)
        if before is not None:
            old.append(before)
        now = item.live_in(repo)
        if now is not None:
            new.append(now)
    return Picture(old, new, known)


@dataclass(frozen=True)
class RecordWrite:
    """A metadata merge patch for one object, valid only at the version it was read at."""

    kind: JobKind
    namespace: str
    name: str
    patch: dict[str, Any]


def record_writes(definitions: Iterable[Definition], repo: str) -> list[RecordWrite]:
    """After `repo` is reconciled: each of its objects records what it is now there (or
    nothing, once deleted or moved away), holds the finalizer while it has a record, and
    lets go of it once it has none. Objects already so are left alone."""
    writes = []
    for item in definitions:
        if repo not in item.repos or item.unreadable:
            continue
        records = {key: dict(value) for key, value in item.records.items() if key != repo}
        now = item.live_in(repo)
        if now is not None:
            records[repo] = record_of(now)
        finalizers = [f for f in item.finalizers if f != FINALIZER]
        if records:
            finalizers.append(FINALIZER)
        if records == item.records and tuple(finalizers) == item.finalizers:
            continue
        # While being deleted, an object can only lose finalizers, so a record kept there
        # for another repository stays as it is until that repository is reconciled.
        if item.deleting and records and FINALIZER not in item.finalizers:
            continue
        annotation = json.dumps(records, sort_keys=True, separators=(",", ":")) if records else None
        patch = {
            "metadata": {
                "resourceVersion": item.resource_version,
                "annotations": {ANNOTATION: annotation},
                "finalizers": finalizers,
            }
        }
        writes.append(RecordWrite(item.kind, item.namespace, item.name, patch))
    return writes


def status_writes(definitions: Iterable[Definition], repo: str) -> list[RecordWrite]:
    """BlockingPresubmits show what was last reconciled of them in their status
    (observedGeneration, reconciledContext); written only when it differs."""
    writes = []
    for item in definitions:
        job = item.live_in(repo)
        if item.kind != "BlockingPresubmit" or job is None or item.generation is None:
            continue
        wanted = {"observedGeneration": item.generation, "reconciledContext": job.context}
        status = item.status or {}
        if all(status.get(key) == value for key, value in wanted.items()):
            continue
        writes.append(RecordWrite(item.kind, item.namespace, item.name, wanted))
    return writes
