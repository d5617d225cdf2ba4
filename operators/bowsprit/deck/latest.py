"""Rerun with `mode=latest` (Prow's rerun.go getProwJobSpec): the new ProwJob is built from
the job's definition as it is now (a fixed pod spec, a new image), with the old run's
refs, instead of copying the old ProwJob."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from bowsprit.api.base import API_VERSION
from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.jobbase import JobDefinition, RepoJobDefinition
from bowsprit.api.periodic import PeriodicSpec
from bowsprit.api.postsubmit import PostsubmitSpec
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod import labels as prow_labels
from bowsprit.jobpod.jobs import Job, JobKind
from bowsprit.jobpod.newjob import base_spec

# Where a ProwJob type's definitions are (plural → model, Job kind).
SOURCES: dict[str, tuple[tuple[str, type[JobDefinition], JobKind | None], ...]] = {
    "presubmit": (
        ("blockingpresubmits", BlockingPresubmitSpec, "BlockingPresubmit"),
        ("presubmits", PresubmitSpec, "Presubmit"),
    ),
    "postsubmit": (("postsubmits", PostsubmitSpec, "Postsubmit"),),
    "periodic": (("periodics", PeriodicSpec, None),),
}
SOURCES["batch"] = SOURCES["presubmit"]
PLURALS = ("blockingpresubmits", "presubmits", "postsubmits", "periodics")
# Labels the creator set on the old run that the new one keeps (Prow's
# ComponentSpecifiedAnnotationsAndLabels).
KEPT = ("prow.k8s.io/is-optional", "bowsprit.dev/periodic")


class NoDefinition(ValueError):
    """The job is no longer defined (or its definition does not parse)."""


def _matches(
    item: dict[str, Any], model: type[JobDefinition], job: str, refs: dict[str, Any] | None
) -> JobDefinition | None:
    try:
        definition = model.model_validate(item.get("spec") or {})
    except ValidationError:
        return None
    if (definition.name or item["metadata"]["name"]) != job:
        return None
    org, repo = getattr(definition, "org", None), getattr(definition, "repo", None)
    if org is not None and refs is not None and (org, repo) != (refs.get("org"), refs.get("repo")):
        return None
    return definition


def latest_body(
    pj: dict[str, Any], definitions: Mapping[str, Iterable[dict[str, Any]]], name: str
) -> dict[str, Any]:
    spec = pj.get("spec") or {}
    job_type, job, refs = spec.get("type", ""), spec.get("job", ""), spec.get("refs")
    for plural, model, kind in SOURCES.get(job_type, ()):
        for item in definitions.get(plural, ()):
            definition = _matches(item, model, job, refs)
            if definition is None:
                continue
            new = _spec(definition, kind, item, job_type, job)
            if refs:
                new["refs"] = refs
            return _body(pj, new, definition, name)
    raise NoDefinition(f"no {job_type} job named {job!r} is defined any more")


def _spec(
    definition: JobDefinition, kind: JobKind | None, item: dict[str, Any], job_type: str, job: str
) -> dict[str, Any]:
    if kind is None or not isinstance(definition, RepoJobDefinition):
        return base_spec(definition, job_type, job, report=True)
    metadata = item["metadata"]
    repo_job = Job(kind, metadata.get("namespace", ""), metadata["name"], definition)
    new = base_spec(definition, job_type, job, report=not repo_job.skip_report)
    new["context"] = repo_job.context
    if repo_job.presubmit:
        new["rerun_command"] = repo_job.rerun_command
    return new


def _body(
    old: dict[str, Any], new: dict[str, Any], definition: JobDefinition, name: str
) -> dict[str, Any]:
    metadata = old.get("metadata") or {}
    kept = {k: v for k, v in (metadata.get("labels") or {}).items() if k in KEPT}
    labels, annotations = prow_labels.for_spec(
        ProwJobSpec.model_validate(new),
        {**(definition.labels or {}), **kept},
        definition.annotations,
    )
    annotations["bowsprit.dev/rerun-of"] = str(metadata.get("name", ""))
    return {
        "apiVersion": API_VERSION,
        "kind": "ProwJob",
        "metadata": {
            "name": name,
            "namespace": metadata.get("namespace", "default"),
            "labels": labels,
            "annotations": annotations,
        },
        "spec": new,
    }
