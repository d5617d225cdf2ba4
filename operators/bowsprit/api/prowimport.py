"""Read Prow's configuration files into Bowsprit's models.

Prow keeps jobs in `presubmits: {org/repo: [...]}`, `postsubmits: {...}` and
`periodics: [...]` maps and the installation's settings in config.yaml. This module
maps each job onto its kind (BlockingPresubmit, Presubmit, Postsubmit, Periodic) and
the plank, sinker, deck, crier and tide sections onto ProwConfig and TidePools,
reporting every problem with the object and the field it concerns.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import ValidationError

from bowsprit.api.base import Resource
from bowsprit.api.blockingpresubmit import BlockingPresubmit
from bowsprit.api.crdgen import crd_for
from bowsprit.api.periodic import Periodic
from bowsprit.api.postsubmit import Postsubmit
from bowsprit.api.presubmit import Presubmit
from bowsprit.api.prowcommon import (
    Imported,
    Problem,
    field_path,
    kubernetes_name,
    not_carried,
    problems_of,
)
from bowsprit.api.prowformat import JOB_KEYS, prune
from bowsprit.api.prowsettings import import_prow_config, is_prow_config

__all__ = [
    "JOB_CONFIG_KEYS",
    "JOB_SECTIONS",
    "Imported",
    "PresetConflict",
    "Problem",
    "apply_presets",
    "field_path",
    "import_jobs",
    "import_prow_config",
    "is_job_config",
    "is_prow_config",
    "kubernetes_name",
]

JOB_SECTIONS = ("presubmits", "postsubmits", "periodics", "presets")
# Prow's JobConfig keys besides the jobs: decorate_all_jobs is applied to the jobs,
# prow_ignored is a place for non-Prow data that Prow itself skips.
JOB_CONFIG_KEYS = (*JOB_SECTIONS, "decorate_all_jobs", "prow_ignored")
_KUBERNETES = (None, "", "kubernetes")


def is_job_config(document: Any) -> bool:
    return isinstance(document, dict) and any(key in document for key in JOB_SECTIONS)


def import_jobs(
    document: dict[str, Any],
    presets: list[dict[str, Any]] | None = None,
    decorate_all: bool = False,
) -> Imported:
    """Convert the jobs of one Prow job config document.

    `presets` are Prow presets from other files (Prow's presets are global); the
    document's own `presets` apply too. A job name used in several repositories of the
    document is qualified with its org and repo, since object names must be unique.
    `decorate_all` is Prow's `decorate_all_jobs` (from any file): kubernetes jobs that do
    not set `decorate` are decorated.
    """
    result = Imported([], [])
    decorate_all = decorate_all or bool(document.get("decorate_all_jobs"))
    all_presets = [
        go_strings(preset) for preset in [*(presets or []), *(document.get("presets") or [])]
    ]
    raw_jobs = list(_raw_jobs(document, result.problems))
    counts = Counter(str(raw.get("name", "")) for raw, kind, _ in raw_jobs if kind is not Periodic)
    for raw, kind, where in raw_jobs:
        label = f"{where} {raw.get('name', '?')!r}"
        section = "periodics" if kind is Periodic else where.split(" ", 1)[0]
        rejected = _rejected_keys(raw, section)
        result.problems += [
            Problem(label, key, "unknown field (Prow rejects it too)") for key in rejected
        ]
        if raw.get("agent") not in _KUBERNETES:
            message = "only the kubernetes agent runs in Bowsprit: no component runs this job"
            result.problems.append(Problem(label, "agent", message, warning=True))
        raw = go_strings(raw)
        if decorate_all and raw.get("decorate") is None and raw.get("agent") in _KUBERNETES:
            raw = {**raw, "decorate": True}
        try:
            job = apply_presets(raw, all_presets)
            qualify = kind is not Periodic and counts[str(raw.get("name", ""))] > 1
            obj, dropped = _job(job, kind, qualify)
            result.objects.append(obj)
            result.problems += [
                not_carried(label, path) for path in dropped if path not in rejected
            ]
        except PresetConflict as conflict:
            result.problems.append(Problem(label, "spec", str(conflict)))
        except ValidationError as error:
            result.problems.extend(problems_of(label, error))
    return result


def _go_string(value: Any) -> Any:
    """A YAML scalar as Prow reads it into a Go string field (sigs.k8s.io/yaml converts
    with the target's type): `0` -> "0", `true` -> "true", `99.5` -> "99.5"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return value


def _string_map(value: Any) -> Any:
    return {k: _go_string(v) for k, v in value.items()} if isinstance(value, dict) else value


def _container_strings(container: Any) -> Any:
    if not isinstance(container, dict):
        return container
    fixed = dict(container)
    for field in ("command", "args"):
        if isinstance(fixed.get(field), list):
            fixed[field] = [_go_string(item) for item in fixed[field]]
    if isinstance(fixed.get("env"), list):
        fixed["env"] = [_env_string(item) for item in fixed["env"]]
    return fixed


_ENV_KEYS = {key.lower(): key for key in ("name", "value", "valueFrom")}


def _env_string(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    # Go's encoding/json matches field names case-insensitively (`NAME:` is `name`).
    item = {_ENV_KEYS.get(str(key).lower(), key): value for key, value in item.items()}
    if "value" in item:
        item["value"] = _go_string(item["value"])
    return item


def go_strings(job: dict[str, Any]) -> dict[str, Any]:
    """The string fields Prow users often write as numbers or booleans (labels,
    annotations, env values, command and args), as the strings Prow reads them as."""
    fixed = dict(job)
    for field in ("labels", "annotations"):
        fixed[field] = _string_map(job.get(field)) if field in job else None
        if fixed[field] is None:
            del fixed[field]
    if isinstance(job.get("env"), list):  # a preset
        fixed["env"] = [_env_string(item) for item in job["env"]]
    pod = job.get("spec")
    if isinstance(pod, dict):
        fixed["spec"] = {
            **pod,
            **{
                field: [_container_strings(c) for c in pod[field]]
                for field in ("containers", "initContainers")
                if isinstance(pod.get(field), list)
            },
        }
    return fixed


class PresetConflict(ValueError):
    """A preset sets an env var, volume or mount the job already has differently."""


def apply_presets(job: dict[str, Any], presets: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge the presets into the job's pod as Prow's mergePreset (pkg/config/jobs.go): a
    preset applies when the job carries all its labels (one without labels applies to
    every job); env and volumeMounts go into every container, volumes and tolerations
    into the pod; a name the pod already has (an equal toleration) is a conflict."""
    labels = job.get("labels") or {}
    matching = [
        preset
        for preset in presets
        if all(labels.get(k) == v for k, v in (preset.get("labels") or {}).items())
    ]
    if not matching or not isinstance(job.get("spec"), dict):
        return job
    pod = copy.deepcopy(job["spec"])
    for preset in matching:
        containers = pod.get("containers") or []
        for env in preset.get("env") or []:
            for container in containers:
                _add_named(container, "env", env, "env var")
        for volume in preset.get("volumes") or []:
            _add_named(pod, "volumes", volume, "volume")
        for mount in preset.get("volumeMounts") or []:
            for container in containers:
                _add_named(container, "volumeMounts", mount, "volume mount")
        for toleration in preset.get("tolerations") or []:
            if toleration in (pod.get("tolerations") or []):
                raise PresetConflict(f"toleration duplicated in pod spec: {toleration}")
            pod["tolerations"] = [*(pod.get("tolerations") or []), toleration]
    return {**job, "spec": pod}


def _add_named(target: dict[str, Any], field: str, item: dict[str, Any], what: str) -> None:
    existing = target.get(field) or []
    if any(other.get("name") == item.get("name") for other in existing):
        raise PresetConflict(f"{what} duplicated in pod spec: {item.get('name')}")
    target[field] = [*existing, item]


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


def _rejected_keys(raw: dict[str, Any], section: str) -> list[str]:
    """Keys of a job that Prow's job types do not have (`org`/`repo` are ours)."""
    known = JOB_KEYS[section] | {"org", "repo"}
    return [str(key) for key in raw if key not in known]


@cache
def _spec_schema(kind: type[Resource]) -> dict[str, Any]:
    schema: dict[str, Any] = crd_for(kind)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    spec: dict[str, Any] = schema["properties"]["spec"]
    return spec


def _job(
    raw: dict[str, Any], kind: type[Resource], qualify: bool = False
) -> tuple[Resource, list[str]]:
    """The job as a CR of `kind`, and the Prow fields it has no place for."""
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
    spec, dropped = prune(spec, _spec_schema(kind))
    dropped = [_prow_path(path) for path in dropped]
    return kind.model_validate({"metadata": {"name": metadata_name}, "spec": spec}), dropped


def _prow_path(path: str) -> str:
    return "spec" + path.removeprefix("pod_spec") if path.startswith("pod_spec") else path
