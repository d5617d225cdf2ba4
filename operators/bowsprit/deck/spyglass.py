"""Spyglass: which artifacts a job page shows and with which lens (Prow's pkg/spyglass
and cmd/deck's lens selection), and the one rule that keeps every read inside the job's
folder."""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from bowsprit.api.prowconfig import SpyglassConfig, SpyglassLens
from bowsprit.lib import goregex

logger = logging.getLogger("bowsprit.deck")

# Falco's lenses plus junit: what deck shows when the ProwConfig names none.
DEFAULT_LENSES: tuple[dict[str, Any], ...] = (
    {
        "lens": {"name": "metadata"},
        "required_files": ["^(started|finished)\\.json$"],
        "optional_files": ["^podinfo\\.json$", "^prowjob\\.json$"],
    },
    {"lens": {"name": "buildlog"}, "required_files": ["^(?:[^/]*-)?build-log\\.txt$"]},
    {"lens": {"name": "junit"}, "required_files": ["^artifacts/(.*/)?junit.*\\.xml$"]},
    {"lens": {"name": "podinfo"}, "required_files": ["^podinfo\\.json$"]},
    {"lens": {"name": "links"}, "required_files": [".*"]},
)
KNOWN_LENSES = ("metadata", "buildlog", "junit", "podinfo", "links")


class BadPath(ValueError):
    """A path that is not a job folder, or leaves it."""


@dataclass(frozen=True)
class JobPath:
    """`/view/s3/<bucket>/<folder>`: a run's folder in a bucket."""

    provider: str
    bucket: str
    folder: str

    def key(self, name: str) -> str:
        return safe_key(self.folder, name)


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-_]{1,62}$")


def parse_job_path(path: str) -> JobPath:
    """`s3/<bucket>/<folder...>` (what follows /view/ or /job-history/)."""
    provider, _, rest = path.strip("/").partition("/")
    bucket, _, folder = rest.partition("/")
    if provider not in ("s3", "gs"):
        raise BadPath(f"storage provider {provider!r}: only s3 is served")
    if not _BUCKET.match(bucket):
        raise BadPath(f"bucket {bucket!r} is not a bucket name")
    folder = folder.strip("/")
    if not folder:
        raise BadPath("no folder after the bucket")
    return JobPath(provider, bucket, _normal(folder))


def _normal(folder: str) -> str:
    parts = folder.split("/")
    if any(part in ("", ".", "..") or "\\" in part or "\x00" in part for part in parts):
        raise BadPath(f"folder {folder!r} is not a plain path")
    return folder


def safe_key(folder: str, name: str) -> str:
    """`folder/name`, refused when name would leave the folder (.., absolute, backslash)."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        raise BadPath(f"artifact {name!r} is not a relative path")
    joined = posixpath.normpath(posixpath.join(folder, name))
    if not joined.startswith(folder.rstrip("/") + "/"):
        raise BadPath(f"artifact {name!r} is outside the job's folder")
    return joined


def path_owner(folder: str) -> tuple[str, str]:
    """(org/repo or "", job name or "") a bucket folder belongs to, from Prow's layout:
    `pr-logs/pull/<org>_<repo>/<pr>/<job>/...`, `pr-logs/pull/batch/<job>/...`,
    `pr-logs/directory/<job>/...`, `logs/<job>/...` (under any path prefix)."""
    parts = folder.split("/")
    for index, part in enumerate(parts):
        rest = parts[index + 1 :]
        if part == "logs" and rest:
            return "", rest[0]
        if part != "pr-logs" or len(rest) < 2:
            continue
        if rest[0] == "directory":
            return "", rest[1]
        if rest[0] == "pull" and rest[1] == "batch":
            return "", rest[2] if len(rest) > 2 else ""
        if rest[0] == "pull":
            org, _, repo = rest[1].partition("_")
            return (f"{org}/{repo}" if repo else ""), rest[3] if len(rest) > 3 else ""
    return "", ""


@dataclass
class Lens:
    name: str
    config: dict[str, Any]
    files: list[str] = field(default_factory=list)


def lenses(config: SpyglassConfig, artifacts: list[str]) -> list[Lens]:
    """The lenses whose required files are all among `artifacts` (names relative to the
    job folder), each with the files it matched, in the configured order. Each lens name
    once; `links` (the artifact list) always last. Regexes match anywhere in the name, as
    Prow's MatchString does."""
    configured = config.lenses or [SpyglassLens.model_validate(item) for item in DEFAULT_LENSES]
    chosen: list[Lens] = []
    for entry in configured:
        if entry.lens.name not in KNOWN_LENSES or any(c.name == entry.lens.name for c in chosen):
            continue
        files: list[str] = []
        try:
            patterns = [
                goregex.compile(p) for p in [*entry.required_files, *(entry.optional_files or [])]
            ]
        except goregex.GoRegexError as error:
            logger.error("lens %s left out: %s", entry.lens.name, error)
            continue
        required, optional = (
            patterns[: len(entry.required_files)],
            patterns[len(entry.required_files) :],
        )
        for pattern in required:
            matched = [name for name in artifacts if pattern.search(name)]
            if not matched:
                break
            files += matched
        else:
            for pattern in optional:
                files += [name for name in artifacts if pattern.search(name)]
            chosen.append(Lens(entry.lens.name, dict(entry.lens.config or {}), sorted(set(files))))
    chosen = [lens for lens in chosen if lens.name != "links"]
    chosen.append(Lens("links", {}, list(artifacts)))
    return chosen


def size_limit(config: SpyglassConfig) -> int:
    return config.size_limit or 100_000_000
