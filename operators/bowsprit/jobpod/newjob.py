"""The part of a ProwJob every creator copies from its job definition (Prow's
pjutil.NewProwJob and PeriodicSpec/PresubmitSpec/PostsubmitSpec): horologium, hook and
later tide and deck build their ProwJobs' specs from it."""

from __future__ import annotations

from typing import Any

from bowsprit.api.jobbase import JobDefinition

# Fields a job definition passes to its ProwJobs as they are.
COPIED = (
    "agent",
    "cluster",
    "namespace",
    "max_concurrency",
    "error_on_eviction",
    "pod_spec",
    "extra_refs",
    "reporter_config",
    "rerun_auth_config",
    "hidden",
    "prowjob_defaults",
    "job_queue_name",
)


def base_spec(definition: JobDefinition, job_type: str, job: str, report: bool) -> dict[str, Any]:
    """The ProwJob spec fields that come from the definition, as JSON."""
    dumped = definition.model_dump(mode="json", by_alias=True, exclude_none=True)
    body: dict[str, Any] = {key: dumped[key] for key in COPIED if key in dumped}
    body.update(type=job_type, job=job, report=report)
    if body.get("extra_refs"):  # Prow's DecorateExtraRefs
        body["extra_refs"] = [decorate_refs(refs, definition) for refs in body["extra_refs"]]
    if definition.decorate or definition.decoration_config is not None:
        body["decoration_config"] = dumped.get("decoration_config", {})
    return body


def complete_primary_refs(refs: dict[str, Any], definition: JobDefinition) -> dict[str, Any]:
    """Prow's CompletePrimaryRefs: the job's clone settings (path_alias, clone_uri,
    skip_submodules, clone_depth, skip_fetch_head) win over the event's refs, then the
    decoration's blobless_fetch and sparse_checkout_files apply."""
    completed = dict(refs)
    for field in ("path_alias", "clone_uri"):
        value = getattr(definition, field)
        if value:
            completed[field] = value
    for field in ("skip_submodules", "skip_fetch_head"):
        if getattr(definition, field):
            completed[field] = True
    if definition.clone_depth:
        completed["clone_depth"] = definition.clone_depth
    completed = decorate_refs(completed, definition)
    decoration = definition.decoration_config
    if decoration is not None and decoration.sparse_checkout_files:
        completed["sparse_checkout_files"] = list(decoration.sparse_checkout_files)
    return completed


def decorate_refs(refs: dict[str, Any], definition: JobDefinition) -> dict[str, Any]:
    """Prow's DecorateRefs: a decorated job's blobless_fetch unless the refs say otherwise."""
    decoration = definition.decoration_config
    if decoration is None or refs.get("blobless_fetch") is not None:
        return refs
    if decoration.blobless_fetch is None:
        return refs
    return {**refs, "blobless_fetch": decoration.blobless_fetch}
