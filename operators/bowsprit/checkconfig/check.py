"""Validate Bowsprit CR manifests and Prow config files against the API models.

Each object goes through what the API server would do at admission (the pydantic
model, standing in for the CRD schema, then the CRD's CEL rules) so a mistake is found
before `kubectl apply`. Prow's own job and config files are converted first, so a Prow
user can check a configuration before moving it over.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bowsprit.api import validation
from bowsprit.api.base import API_VERSION, Resource
from bowsprit.api.crdgen import crd_for
from bowsprit.api.prowimport import (
    JOB_CONFIG_KEYS,
    Imported,
    Problem,
    field_path,
    import_jobs,
    import_prow_config,
    is_job_config,
    is_prow_config,
)
from bowsprit.api.prowplugins import import_plugin_config, is_plugin_config
from bowsprit.api.registry import BY_KIND
from bowsprit.checkconfig import audit
from bowsprit.checkconfig.clusters import cluster_problem
from bowsprit.lib.prowignore import read_files

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class FileProblem:
    """A problem and the file it was found in."""

    path: Path
    problem: Problem

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass
class Report:
    """What `check` found: the objects it read, per kind, and every problem."""

    files: int = 0
    objects: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[FileProblem]:
        return [item for item in self.problems if not item.problem.warning]

    def summary(self) -> str:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.objects.items()))
        return (
            f"checked {self.files} file(s): {kinds or 'no objects'}"
            f"{f'; {self.skipped} other document(s) skipped' if self.skipped else ''}"
            f"; {len(self.errors)} problem(s)"
        )


def input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files named, and the YAML/JSON files under the folders named, sorted (less
    those a `.prowignore` ignores, as Prow's job config loader does)."""
    for path in paths:
        if path.is_dir():
            yield from read_files(path, SUFFIXES)
        else:
            yield path


def check(
    paths: Iterable[Path],
    known_plugins: Collection[str] | None = None,
    build_clusters: set[str] | None = None,
) -> Report:
    """Problems of every file under `paths`; with `known_plugins` (hook's plugin names), a
    PluginConfig naming another plugin is an error, as hook refuses it; with
    `build_clusters` (the configured aliases), so are jobs that name another."""
    report = Report()
    seen: dict[tuple[str, str, str], Path] = {}
    files = list(input_files(paths))
    presets = _presets(files)  # Prow's presets apply to the jobs of every file
    for path in files:
        report.files += 1
        for problem in _check_file(path, report, seen, presets, known_plugins, build_clusters):
            report.problems.append(FileProblem(path, problem))
    return report


def _presets(files: list[Path]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in files:
        try:
            documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # reported when the file itself is checked
        for document in documents:
            if isinstance(document, dict) and isinstance(document.get("presets"), list):
                found.extend(item for item in document["presets"] if isinstance(item, dict))
    return found


def _check_file(
    path: Path,
    report: Report,
    seen: dict[tuple[str, str, str], Path],
    presets: list[dict[str, Any]],
    known_plugins: Collection[str] | None = None,
    build_clusters: set[str] | None = None,
) -> Iterator[Problem]:
    try:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as error:
        yield Problem("file", "", f"cannot read: {error}")
        return
    except yaml.YAMLError as error:
        yield Problem("file", "", f"not valid YAML: {error}")
        return
    for index, document in enumerate(documents):
        if document is None:
            continue
        imported = _read_document(document, f"document {index + 1}", presets)
        if imported is None:
            report.skipped += 1
            continue
        yield from imported.problems
        # Prow's own files had their Go templates reported by the import already.
        from_prow = not (isinstance(document, dict) and "apiVersion" in document)
        for obj in imported.objects:
            yield from audit.problems(obj, _label(obj), known_plugins, from_prow)
            report.objects[obj.kind] = report.objects.get(obj.kind, 0) + 1
            key = (obj.kind, obj.metadata.namespace or "", obj.metadata.name or "")
            if key in seen and obj.metadata.name:
                yield Problem(_label(obj), "metadata.name", f"duplicate of one in {seen[key]}")
            seen.setdefault(key, path)
            unknown = None if build_clusters is None else cluster_problem(obj, build_clusters)
            if unknown is not None:
                yield unknown


def _read_document(document: Any, where: str, presets: list[dict[str, Any]]) -> Imported | None:
    """The objects of one YAML document, or None for a manifest Bowsprit does not own."""
    if isinstance(document, dict) and "apiVersion" in document:
        if document.get("apiVersion") != API_VERSION:
            return None
        return _read_manifest(document, where)
    if is_prow_config(document):
        # config.yaml may hold jobs too (Prow's JobConfig is inline in its Config).
        settings = {k: v for k, v in document.items() if k not in JOB_CONFIG_KEYS}
        imported = _with_rules(import_prow_config(settings))
        if is_job_config(document):
            jobs = {k: v for k, v in document.items() if k in JOB_CONFIG_KEYS}
            more = _read_document(jobs, where, presets)
            if more is not None:
                imported = Imported(
                    imported.objects + more.objects, imported.problems + more.problems
                )
        return imported
    if is_job_config(document):
        own = document.get("presets") or []
        return _with_rules(import_jobs(document, [p for p in presets if p not in own]))
    if is_plugin_config(document):
        return _with_rules(import_plugin_config(document))
    return Imported(
        [],
        [Problem(where, "", "neither a bowsprit.dev manifest nor a Prow config or plugins file")],
    )


def _read_manifest(document: dict[str, Any], where: str) -> Imported:
    kind = str(document.get("kind", ""))
    name = (document.get("metadata") or {}).get("name", "?")
    label = f"{kind}/{name}"
    model = BY_KIND.get(kind)
    if model is None:
        known = ", ".join(sorted(BY_KIND))
        return Imported([], [Problem(where, "kind", f"unknown kind {kind!r}; known: {known}")])
    try:
        obj = model.model_validate(document)
    except ValidationError as error:
        return Imported(
            [], [Problem(label, field_path(item["loc"]), item["msg"]) for item in error.errors()]
        )
    return Imported([obj], _rule_problems(obj, document))


def _with_rules(imported: Imported) -> Imported:
    problems = list(imported.problems)
    for obj in imported.objects:
        problems.extend(_rule_problems(obj, obj.to_manifest()))
    return Imported(imported.objects, problems)


def _rule_problems(obj: Resource, manifest: dict[str, Any]) -> list[Problem]:
    """What the API server would say: the CRD schema (types, bounds, unknown fields, as
    `kubectl apply` validates strictly) and its CEL rules."""
    outcome = validation.check(_schema(type(obj)), manifest, None)
    label = _label(obj)
    problems = [Problem(label, path, "unknown field") for path in outcome.unknown_fields]
    problems += [Problem(label, cause.field, cause.message) for cause in outcome.causes]
    return problems


@cache
def _schema(model: type[Resource]) -> dict[str, Any]:
    schema: dict[str, Any] = crd_for(model)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def _label(obj: Resource) -> str:
    return f"{obj.kind}/{obj.metadata.name or '?'}"
