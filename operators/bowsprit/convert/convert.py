"""Prow's files in, Bowsprit objects and a report out (no file writing here).

Each input document goes through the importers of `bowsprit.api` (the same ones
`bowsprit check` uses); this module gathers what they produce, remembers which file
each object came from, makes object names unique across files and sorts everything, so
that the same input gives the same output.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from bowsprit.api import validation
from bowsprit.api.base import Resource
from bowsprit.api.crdgen import crd_for
from bowsprit.api.prowcommon import Imported, Problem, kubernetes_name, unique
from bowsprit.api.prowimport import (
    JOB_CONFIG_KEYS,
    import_jobs,
    import_prow_config,
    is_job_config,
)
from bowsprit.api.prowplugins import import_plugin_config

Role = Literal["config", "plugins", "jobs"]


@dataclass(frozen=True)
class Source:
    """One YAML document of a Prow file, and what the user said the file is."""

    path: str
    role: Role
    document: Any


@dataclass(frozen=True)
class Converted:
    """An object and the Prow file it came from."""

    obj: Resource
    source: str


@dataclass(frozen=True)
class Finding:
    """A problem and the Prow file it was found in."""

    source: str
    problem: Problem


@dataclass
class Conversion:
    objects: list[Converted] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [item for item in self.findings if not item.problem.warning]

    @property
    def not_carried(self) -> list[Finding]:
        return [item for item in self.findings if not item.problem.carried]

    @property
    def warnings(self) -> list[Finding]:
        return [item for item in self.findings if item.problem.warning and item.problem.carried]


def presets_of(sources: list[Source]) -> list[dict[str, Any]]:
    """Every preset of every file: Prow applies them to the jobs of all files."""
    found: list[dict[str, Any]] = []
    for source in sources:
        document = source.document
        if isinstance(document, dict) and isinstance(document.get("presets"), list):
            found += [item for item in document["presets"] if isinstance(item, dict)]
    return found


def convert(sources: list[Source], namespace: str | None = None) -> Conversion:
    result = Conversion()
    presets = presets_of(sources)
    decorate_all = any(
        isinstance(source.document, dict) and source.document.get("decorate_all_jobs") is True
        for source in sources
    )
    for source in sources:
        for imported in _import(source, presets, decorate_all):
            result.objects += [Converted(obj, source.path) for obj in imported.objects]
            result.findings += [Finding(source.path, problem) for problem in imported.problems]
    result.findings += _prow_uniqueness(sources, result.objects)
    _unique_names(result.objects)
    for item in result.objects:
        result.findings += [
            Finding(item.source, problem) for problem in admission_problems(item.obj)
        ]
    if namespace:
        for item in result.objects:
            item.obj.metadata.namespace = namespace
    result.objects.sort(key=lambda item: (item.obj.kind, item.obj.metadata.name or ""))
    return result


def _prow_uniqueness(sources: list[Source], objects: list[Converted]) -> list[Finding]:
    """What Prow's loader rejects across files: two job files with one basename (the
    config-updater keys its ConfigMap by basename) and two periodics with one name."""
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for path in dict.fromkeys(source.path for source in sources if source.role == "jobs"):
        base = path.rsplit("/", 1)[-1]
        if base in seen:
            message = f"duplicated basename is not allowed (also {seen[base]})"
            findings.append(Finding(path, Problem("file", "", message)))
        seen.setdefault(base, path)
    periodics: dict[str, str] = {}
    for item in objects:
        if item.obj.kind != "Periodic":
            continue
        spec = getattr(item.obj, "spec", None)
        name = getattr(spec, "name", None) or item.obj.metadata.name or ""
        if name in periodics:
            problem = Problem(
                f"Periodic/{name}", "name", f"duplicated periodic job (also {periodics[name]})"
            )
            findings.append(Finding(item.source, problem))
        periodics.setdefault(name, item.source)
    return findings


def _import(source: Source, presets: list[dict[str, Any]], decorate_all: bool) -> list[Imported]:
    document = source.document
    if document is None:
        return []
    if not isinstance(document, dict):
        return [Imported([], [Problem("file", "", "a Prow file holds a mapping")])]
    if source.role == "plugins":
        return [import_plugin_config(document)]
    own = document.get("presets") or []
    others = [preset for preset in presets if preset not in own]
    if source.role == "jobs":
        unknown = [
            Problem("jobs", str(key), "unknown field (Prow rejects it too)")
            for key in document
            if key not in _JOB_KEYS
        ]
        return [Imported([], unknown), import_jobs(document, others, decorate_all)]
    # config.yaml may hold jobs too (Prow's JobConfig is part of its Config).
    settings = {key: value for key, value in document.items() if key not in _JOB_KEYS}
    found = [import_prow_config(settings)]
    if is_job_config(document):
        jobs = {key: value for key, value in document.items() if key in _JOB_KEYS}
        found.append(import_jobs(jobs, others, decorate_all))
    return found


_JOB_KEYS = JOB_CONFIG_KEYS


@cache
def _schema(model: type[Resource]) -> dict[str, Any]:
    schema: dict[str, Any] = crd_for(model)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def admission_problems(obj: Resource) -> list[Problem]:
    """What the API server would reject (the CRD's schema and CEL rules), as
    `bowsprit check` reports it, so the written manifests apply."""
    outcome = validation.check(_schema(type(obj)), obj.to_manifest(), None)
    label = f"{obj.kind}/{obj.metadata.name or '?'}"
    problems = [Problem(label, path, "unknown field") for path in outcome.unknown_fields]
    return problems + [Problem(label, cause.field, cause.message) for cause in outcome.causes]


def _unique_names(objects: list[Converted]) -> None:
    """Qualify a job name that several files use (Prow allows one name in several repos)
    with its org and repo, as import_jobs does within one file."""
    counts = Counter((item.obj.kind, item.obj.metadata.name) for item in objects)
    for item in objects:
        obj = item.obj
        if counts[(obj.kind, obj.metadata.name)] < 2:
            continue
        spec: Any = getattr(obj, "spec", None)
        org, repo = getattr(spec, "org", None), getattr(spec, "repo", None)
        if org and repo and spec is not None:
            if not spec.name:
                spec.name = obj.metadata.name
            obj.metadata.name = kubernetes_name(f"{org}-{repo}-{spec.name}")
    # Names that still collide (`pull_a` and `pull-a` make the same object name) get a
    # counter, in input order; the job's own name stays in spec.name.
    taken: dict[str, set[str]] = {}
    for item in objects:
        obj = item.obj
        name = obj.metadata.name or ""
        chosen = unique(name, taken.setdefault(obj.kind, set()))
        if chosen != name:
            spec = getattr(obj, "spec", None)
            if spec is not None and hasattr(spec, "name") and not spec.name:
                spec.name = name
            obj.metadata.name = chosen
