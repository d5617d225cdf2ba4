"""Read Prow's configuration files into Bowsprit's models.

Prow keeps jobs in `presubmits: {org/repo: [...]}`, `postsubmits: {...}` and
`periodics: [...]` maps and the installation's settings in config.yaml. This module
maps each job onto its kind (BlockingPresubmit, Presubmit, Postsubmit, Periodic) and
the plank, sinker, deck, crier and tide sections onto ProwConfig and TidePools,
reporting every problem with the object and the field it concerns.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bowsprit.api.base import Resource
from bowsprit.api.blockingpresubmit import BlockingPresubmit
from bowsprit.api.periodic import Periodic
from bowsprit.api.postsubmit import Postsubmit
from bowsprit.api.presubmit import Presubmit
from bowsprit.api.prowconfig import ProwConfig
from bowsprit.api.tidepool import TidePool

JOB_SECTIONS = ("presubmits", "postsubmits", "periodics", "presets")
# Sections of Prow's config.yaml that ProwConfig holds; the others belong to tools
# Bowsprit does not have (branch protection, in-repo config, ...) and are reported.
CONFIG_SECTIONS = (
    "plank",
    "sinker",
    "deck",
    "tide",
    "github_reporter",
    "slack_reporter_configs",
    "pod_namespace",
    "prowjob_namespace",
)
_NOT_NAME_CHARACTERS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the object it concerns, the field, the message."""

    obj: str
    field: str
    message: str
    warning: bool = False
    """A note that does not make the input invalid."""

    def __str__(self) -> str:
        text = (
            f"{self.obj}: {self.field}: {self.message}"
            if self.field
            else f"{self.obj}: {self.message}"
        )
        return f"warning: {text}" if self.warning else text


@dataclass
class Imported:
    """Objects read from one document, and the problems found while reading it."""

    objects: list[Resource]
    problems: list[Problem]


def is_job_config(document: Any) -> bool:
    return isinstance(document, dict) and any(key in document for key in JOB_SECTIONS)


def is_prow_config(document: Any) -> bool:
    return isinstance(document, dict) and any(
        key in document for key in ("plank", "sinker", "tide", "deck")
    )


def kubernetes_name(text: str) -> str:
    """A valid object name (lowercase letters, digits, dashes) made from a job or repo name."""
    return _NOT_NAME_CHARACTERS.sub("-", text.lower()).strip("-")[:253].rstrip("-") or "job"


def import_jobs(document: dict[str, Any], presets: list[dict[str, Any]] | None = None) -> Imported:
    """Convert the jobs of one Prow job config document.

    `presets` are Prow presets from other files (Prow's presets are global); the
    document's own `presets` apply too. A job name used in several repositories of the
    document is qualified with its org and repo, since object names must be unique.
    """
    result = Imported([], [])
    all_presets = [*(presets or []), *(document.get("presets") or [])]
    raw_jobs = list(_raw_jobs(document, result.problems))
    counts = Counter(str(raw.get("name", "")) for raw, kind, _ in raw_jobs if kind is not Periodic)
    for raw, kind, where in raw_jobs:
        label = f"{where} {raw.get('name', '?')!r}"
        try:
            job = apply_presets(raw, all_presets)
            qualify = kind is not Periodic and counts[str(raw.get("name", ""))] > 1
            result.objects.append(_job(job, kind, qualify))
        except PresetConflict as conflict:
            result.problems.append(Problem(label, "spec", str(conflict)))
        except ValidationError as error:
            result.problems.extend(_problems(label, error))
    return result


class PresetConflict(ValueError):
    """A preset sets an env var, volume or mount the job already has differently."""


def apply_presets(job: dict[str, Any], presets: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge every preset whose labels the job carries into its pod, as Prow's mergePreset:
    env and volumeMounts go into every container, volumes and tolerations into the pod."""
    labels = job.get("labels") or {}
    matching = [
        preset
        for preset in presets
        if preset.get("labels") and all(labels.get(k) == v for k, v in preset["labels"].items())
    ]
    if not matching or not isinstance(job.get("spec"), dict):
        return job
    pod = copy.deepcopy(job["spec"])
    for preset in matching:
        _merge_named(pod, "volumes", preset.get("volumes"), "name")
        pod["tolerations"] = [*(pod.get("tolerations") or []), *(preset.get("tolerations") or [])]
        if not pod["tolerations"]:
            del pod["tolerations"]
        for container in [*pod.get("containers", []), *pod.get("initContainers", [])]:
            _merge_named(container, "env", preset.get("env"), "name")
            _merge_named(container, "volumeMounts", preset.get("volumeMounts"), "mountPath")
    return {**job, "spec": pod}


def _merge_named(target: dict[str, Any], field: str, additions: Any, key: str) -> None:
    if not additions:
        return
    merged = list(target.get(field) or [])
    existing = {item.get(key): item for item in merged}
    for item in additions:
        if item.get(key) in existing:
            if existing[item.get(key)] != item:
                raise PresetConflict(f"a preset sets {field} {item.get(key)!r} the job already has")
            continue
        merged.append(item)
    target[field] = merged


def _raw_jobs(
    document: dict[str, Any], problems: list[Problem]
) -> Iterator[tuple[dict[str, Any], type[Resource], str]]:
    for section in ("presubmits", "postsubmits"):
        by_repo = document.get(section) or {}
        if not isinstance(by_repo, dict):
            problems.append(Problem(section, "", "must map org/repo to a list of jobs"))
            continue
        for repo, jobs in by_repo.items():
            org, _, name = str(repo).partition("/")
            if not name:
                problems.append(Problem(f"{section}.{repo}", "", "key must be org/repo"))
                continue
            for job in _job_list(jobs, f"{section}.{repo}", problems):
                job = {**job, "org": org, "repo": name}
                yield (
                    job,
                    _presubmit_kind(job) if section == "presubmits" else Postsubmit,
                    (f"{section} of {repo}"),
                )
    for job in _job_list(document.get("periodics") or [], "periodics", problems):
        yield job, Periodic, "periodic"


def _job_list(jobs: Any, where: str, problems: list[Problem]) -> list[dict[str, Any]]:
    if not isinstance(jobs, list) or not all(isinstance(job, dict) for job in jobs):
        problems.append(Problem(where, "", "must be a list of jobs"))
        return []
    return jobs


def _presubmit_kind(job: dict[str, Any]) -> type[Resource]:
    """Prow's required presubmits (not optional, reporting) are the blocking ones."""
    if job.get("optional") or job.get("skip_report"):
        return Presubmit
    return BlockingPresubmit


def _job(raw: dict[str, Any], kind: type[Resource], qualify: bool = False) -> Resource:
    spec = dict(raw)
    name = str(spec.pop("name", ""))
    metadata_name = kubernetes_name(f"{spec['org']}-{spec['repo']}-{name}" if qualify else name)
    if "spec" in spec:
        spec["pod_spec"] = spec.pop("spec")
    spec.pop("optional", None)
    if kind is BlockingPresubmit:
        spec.pop("skip_report", None)  # always false for a blocking presubmit
    if metadata_name != name:
        spec["name"] = name
    return kind.model_validate({"metadata": {"name": metadata_name}, "spec": spec})


# `{{.Spec...}}`, `{{if ...}}`, `{{with ...}}`: Go's text/template, which plank does not speak.
GO_TEMPLATE = re.compile(r"\{\{-?\s*(\.|if |with |range |index |end)")


# Prow's own pod utility images (gcr.io/k8s-prow/..., us-docker.pkg.dev/k8s-infra-prow/...).
PROW_UTILITY_IMAGE = re.compile(r"k8s-prow/|k8s-infra-prow/")


def prow_utility_images(plank: dict[str, Any]) -> list[str]:
    """Fields of plank's decoration defaults that name Prow's utility images."""
    configs = {
        f"default_decoration_configs.{key}": config
        for key, config in (plank.get("default_decoration_configs") or {}).items()
    }
    for index, entry in enumerate(plank.get("default_decoration_config_entries") or []):
        configs[f"default_decoration_config_entries[{index}].config"] = entry.get("config") or {}
    return [
        f"spec.plank.{where}.utility_images.{utility}"
        for where, config in configs.items()
        for utility, image in ((config or {}).get("utility_images") or {}).items()
        if PROW_UTILITY_IMAGE.search(str(image))
    ]


def import_prow_config(document: dict[str, Any]) -> Imported:
    """Convert Prow's config.yaml into a ProwConfig and one TidePool per tide query."""
    result = Imported([], [])
    ignored = sorted(set(document) - set(CONFIG_SECTIONS) - set(JOB_SECTIONS))
    if ignored:
        result.problems.append(
            Problem("config", "", f"sections Bowsprit does not read were ignored: {ignored}", True)
        )
    tide = dict(document.get("tide") or {})
    queries = tide.pop("queries", None) or []
    crier = {
        key: document[key]
        for key in ("github_reporter", "slack_reporter_configs")
        if key in document
    }
    spec: dict[str, Any] = {
        key: document[key]
        for key in ("pod_namespace", "prowjob_namespace", "plank", "sinker", "deck")
        if key in document
    }
    if crier:
        spec["crier"] = crier
    if tide:
        spec["tide"] = tide
    template = str((document.get("plank") or {}).get("job_url_template") or "")
    if GO_TEMPLATE.search(template):
        result.problems.append(
            Problem(
                "ProwConfig",
                "spec.plank.job_url_template",
                "is a Go template; Bowsprit's are Jinja ({{ spec.job }}): the README's plank"
                " section has Prow's examples rewritten (until then, jobs without a job URL"
                " prefix get no status.url)",
                True,
            )
        )
    for field in prow_utility_images(document.get("plank") or {}):
        result.problems.append(
            Problem(
                "ProwConfig",
                field,
                "is one of Prow's images; decorated pods run Bowsprit's pod utilities"
                " (`bowsprit clonerefs`, ...): use the Bowsprit image here",
                True,
            )
        )
    try:
        result.objects.append(
            ProwConfig.model_validate({"metadata": {"name": "bowsprit"}, "spec": spec})
        )
    except ValidationError as error:
        result.problems.extend(_problems("ProwConfig", error))
    taken: set[str] = set()
    for index, query in enumerate(queries):
        name = _unique(_pool_name(query, index), taken)
        try:
            result.objects.append(
                TidePool.model_validate({"metadata": {"name": name}, "spec": query})
            )
        except ValidationError as error:
            result.problems.extend(_problems(f"tide.queries[{index}]", error))
    return result


def _pool_name(query: Any, index: int) -> str:
    if isinstance(query, dict):
        for key in ("repos", "orgs"):
            values = query.get(key) or []
            if len(values) == 1:
                return kubernetes_name(str(values[0]).replace("/", "-"))
    return f"tide-query-{index + 1}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{name}-{counter}"
    taken.add(candidate)
    return candidate


def _problems(obj: str, error: ValidationError) -> list[Problem]:
    return [Problem(obj, field_path(item["loc"]), item["msg"]) for item in error.errors()]


def field_path(location: tuple[Any, ...]) -> str:
    """pydantic's error location as a dotted field path (`spec.pod_spec.containers[0]`)."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path
