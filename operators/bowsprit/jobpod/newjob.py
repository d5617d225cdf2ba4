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
    if definition.decorate or definition.decoration_config is not None:
        body["decoration_config"] = dumped.get("decoration_config", {})
    return body
