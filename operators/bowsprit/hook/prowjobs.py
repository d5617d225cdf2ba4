"""The ProwJobs trigger creates, built as Prow's pjutil.NewPresubmit/NewPostsubmit do:
full refs, Prow's labels and annotations, state triggered, in the ProwJob namespace."""

from __future__ import annotations

from typing import Any

from bowsprit.api.base import API_VERSION
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.hook.events import PullRequest, PushEvent, RepoRef
from bowsprit.jobpod import labels as prow_labels
from bowsprit.jobpod.jobs import Job
from bowsprit.jobpod.newjob import base_spec, complete_primary_refs

IS_OPTIONAL = "prow.k8s.io/is-optional"
RETEST = "prow.k8s.io/retest"
EVENT_GUID = "event-GUID"


def pull_refs(repo: RepoRef, pull: PullRequest, base_sha: str) -> dict[str, Any]:
    """Prow's createRefs: the base branch at `base_sha` with the pull request on top."""
    return {
        "org": repo.org,
        "repo": repo.name,
        "repo_link": repo.html_url or None,
        "base_ref": pull.base_ref,
        "base_sha": base_sha,
        "base_link": f"{repo.html_url}/commit/{base_sha}" if repo.html_url else None,
        "pulls": [
            {
                "number": pull.number,
                "author": pull.author,
                "sha": pull.head_sha,
                "title": pull.title,
                "head_ref": pull.head_ref,
                "link": pull.html_url or None,
                "commit_link": f"{pull.html_url}/commits/{pull.head_sha}"
                if pull.html_url
                else None,
                "author_link": pull.author_link or None,
            }
        ],
    }


def push_refs(event: PushEvent) -> dict[str, Any]:
    return {
        "org": event.repo.org,
        "repo": event.repo.name,
        "repo_link": event.repo.html_url or None,
        "base_ref": event.branch,
        "base_sha": event.after,
        "base_link": event.compare or None,
    }


def prowjob(
    job: Job,
    job_type: str,
    refs: dict[str, Any],
    *,
    name: str,
    namespace: str,
    guid: str,
    retest: bool = False,
) -> dict[str, Any]:
    """The ProwJob body of one run of `job` against `refs`."""
    spec = base_spec(job.spec, job_type, job.name, report=not job.skip_report)
    present = {key: value for key, value in refs.items() if value is not None}
    spec["refs"] = complete_primary_refs(present, job.spec)
    spec["context"] = job.context
    if job.presubmit:
        spec["rerun_command"] = job.rerun_command
    extra = dict(job.spec.labels or {})
    if job.presubmit:
        extra[IS_OPTIONAL] = "true" if job.optional else "false"
    if retest:
        extra[RETEST] = "true"
    extra[EVENT_GUID] = guid
    # Validating the spec here turns a definition the API server would refuse into a
    # clear error naming the job, before anything is created.
    model = ProwJobSpec.model_validate(spec)
    labels, annotations = prow_labels.for_spec(model, extra, job.spec.annotations)
    return {
        "apiVersion": API_VERSION,
        "kind": "ProwJob",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "annotations": annotations,
        },
        "spec": spec,
    }
