"""Job history and PR history from the bucket (Prow's cmd/deck job_history.go and
pr_history.go): every run's started.json and finished.json, read one folder level at a
time, never a walk of the whole bucket."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

logger = logging.getLogger("bowsprit.deck")

PAGE = 20  # Prow's resultsPerPage


class Bucket(Protocol):
    def get(self, key: str) -> bytes: ...
    def children(self, prefix: str) -> tuple[list[str], list[str]]: ...


@dataclass
class Build:
    id: str
    folder: str
    started: int | None = None
    finished: int | None = None
    result: str = "PENDING"
    revision: str = ""
    pull: str = ""

    @property
    def duration(self) -> str:
        if self.started is None or self.finished is None:
            return ""
        seconds = max(self.finished - self.started, 0)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}h{minutes}m{seconds}s" if hours else f"{minutes}m{seconds}s"


def _json(bucket: Bucket, key: str) -> dict[str, Any] | None:
    try:
        data = json.loads(bucket.get(key))
    except Exception:  # noqa: BLE001 - a missing or broken file is a run still going
        return None
    return data if isinstance(data, dict) else None


def read_build(bucket: Bucket, build_id: str, folder: str) -> Build:
    build = Build(build_id, folder)
    started = _json(bucket, f"{folder}/started.json") or {}
    finished = _json(bucket, f"{folder}/finished.json") or {}
    build.started = _int(started.get("timestamp"))
    build.finished = _int(finished.get("timestamp"))
    build.pull = str(started.get("pull") or "")
    build.revision = _pull_sha(started, build.pull) or str(
        finished.get("revision") or started.get("repo-commit") or ""
    )
    if finished:
        build.result = str(
            finished.get("result") or ("SUCCESS" if finished.get("passed") else "FAILURE")
        )
    return build


def _pull_sha(started: dict[str, Any], pull: str) -> str:
    """The pull request's head commit from started.json's refs strings
    (`main:<base>,7:<sha>`): what the author pushed, not the merge clonerefs made."""
    for refs in (started.get("repos") or {}).values():
        for part in str(refs).split(",")[1:]:
            number, _, sha = part.partition(":")
            if number == pull and sha:
                return sha
    return ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _build_key(build_id: str) -> tuple[int, str]:
    return (int(build_id), build_id) if build_id.isdigit() else (-1, build_id)


@dataclass
class JobHistory:
    job: str
    builds: list[Build] = field(default_factory=list)
    older: str = ""  # build ID to ask for the next page with, if any
    newer: str = ""
    latest: str = ""


def job_history(bucket: Bucket, folder: str, before: str | None) -> JobHistory:
    """A page of runs of the job whose folder is `logs/<job>` or `pr-logs/directory/<job>`
    (where runs are `<build>.txt` files naming their folder), newest first, older than
    `before` when given."""
    job = folder.rstrip("/").rsplit("/", 1)[-1]
    history = JobHistory(job)
    folders, files = bucket.children(folder)
    if "latest-build.txt" in files:
        try:
            history.latest = bucket.get(f"{folder}/latest-build.txt").decode().strip()
        except Exception:  # noqa: BLE001 - an index, not the truth
            history.latest = ""
    runs: dict[str, Callable[[], str]] = {}
    for name in folders:
        runs[name] = lambda name=name: f"{folder}/{name}"  # type: ignore[misc]
    for name in files:
        if name.endswith(".txt") and name != "latest-build.txt":
            build_id = name.removesuffix(".txt")
            runs[build_id] = lambda name=name: _alias(bucket, f"{folder}/{name}")  # type: ignore[misc]
    ids = sorted(runs, key=_build_key, reverse=True)
    if before:
        newer = [i for i in ids if _build_key(i) >= _build_key(before)]
        ids = [i for i in ids if _build_key(i) < _build_key(before)]
        history.newer = newer[-PAGE - 1] if len(newer) > PAGE else ("" if not newer else "top")
    page, rest = ids[:PAGE], ids[PAGE:]
    history.older = page[-1] if rest and page else ""
    history.builds = [read_build(bucket, build_id, runs[build_id]()) for build_id in page]
    return history


def _alias(bucket: Bucket, key: str) -> str:
    """The folder an alias file names (`s3://bucket/<folder>`), as a key."""
    try:
        target = bucket.get(key).decode().strip()
    except Exception:  # noqa: BLE001
        return ""
    if "://" in target:
        target = (
            target.split("://", 1)[1].split("/", 1)[1] if "/" in target.split("://", 1)[1] else ""
        )
    return target.strip("/")


@dataclass
class Commit:
    sha: str
    builds: list[tuple[str, Build]] = field(default_factory=list)  # (job, build)
    latest: int = 0


def pr_history(bucket: Bucket, folder: str) -> list[Commit]:
    """Every run under `pr-logs/pull/<org_repo>/<pr>`, grouped by the PR's commit, the
    newest commit first; each commit's runs by job then newest first."""
    jobs, _ = bucket.children(folder)
    commits: dict[str, Commit] = {}
    for job in jobs:
        build_ids, _ = bucket.children(f"{folder}/{job}")
        for build_id in build_ids:
            build = read_build(bucket, build_id, f"{folder}/{job}/{build_id}")
            commit = commits.setdefault(
                build.revision or "unknown", Commit(build.revision or "unknown")
            )
            commit.builds.append((job, build))
            commit.latest = max(commit.latest, build.started or 0)
    for commit in commits.values():
        commit.builds.sort(key=lambda pair: (pair[0], -_build_key(pair[1].id)[0]))
    return sorted(commits.values(), key=lambda commit: commit.latest, reverse=True)
