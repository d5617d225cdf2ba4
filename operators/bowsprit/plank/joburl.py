"""status.url: where users follow a run (Prow's pjutil.JobURL, PROW-REFERENCE 2.7).

Decorated jobs with a job URL prefix (plank's job_url_prefix_config by `*`, org or
org/repo, else the decoration's gcs_configuration.job_url_prefix) link to
prefix + provider + bucket + the run's folder. Other jobs render job_url_template, a
Jinja template (sandboxed; a missing field renders empty) over the ProwJob as JSON with
Prow's field names:
`{{ spec.job }}/{{ status.build_id }}`, `{% if spec.type == "presubmit" %}...{% endif %}`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.jobpod.labels import main_refs
from bowsprit.jobpod.storage import bucket_url, job_dir
from bowsprit.plank.observe import Job

if TYPE_CHECKING:
    import jinja2


class JobUrlError(ValueError):
    """The template cannot be rendered for this job."""


@lru_cache(maxsize=16)
def _template(source: str) -> jinja2.Template:
    # Imported on first use: jinja2 costs plank 7 MB, and most installations set no template.
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    environment = SandboxedEnvironment(undefined=jinja2.ChainableUndefined, autoescape=False)
    return environment.from_string(source)


def prefix_for(job: Job, plank: PlankConfig) -> str | None:
    """The most specific job_url_prefix_config entry: org/repo, then org, then `*`."""
    prefixes = plank.job_url_prefix_config or {}
    refs = main_refs(job.spec)
    keys = [f"{refs.org}/{refs.repo}", refs.org] if refs else []
    for key in [*keys, "*"]:
        if key in prefixes:
            return prefixes[key]
    storage = job.spec.decoration_config and job.spec.decoration_config.gcs_configuration
    return storage.job_url_prefix if storage else None


def job_url(job: Job, build_id: str, plank: PlankConfig) -> str | None:
    decoration = job.spec.decoration_config
    storage = decoration.gcs_configuration if decoration else None
    prefix = prefix_for(job, plank) if decoration else None
    if prefix and storage and storage.bucket:
        provider, bucket = bucket_url(storage.bucket)
        folder = job_dir(job.spec, build_id, storage)
        if plank.jobURLPrefixDisableAppendStorageProvider:  # the prefix names the provider
            return f"{prefix.rstrip('/')}/{bucket}/{folder}"
        return f"{prefix.rstrip('/')}/{provider}/{bucket}/{folder}"
    if not plank.job_url_template:
        return None
    return render_template(plank.job_url_template, job, build_id)


def render_template(source: str, job: Job, build_id: str) -> str:
    context: dict[str, Any] = {
        "metadata": {"name": job.name, "namespace": job.namespace, "labels": job.labels},
        "spec": job.spec.model_dump(mode="json", exclude_none=True),
        "status": {
            **job.status.model_dump(mode="json", exclude_none=True),
            "build_id": build_id,
        },
    }
    import jinja2

    try:
        return _template(source).render(context)
    except jinja2.TemplateError as error:
        raise JobUrlError(f"job_url_template: {error}") from error
