"""The part of a ProwJob every creator copies from its job definition (Prow's
pjutil.NewProwJob and PeriodicSpec/PresubmitSpec/PostsubmitSpec): horologium, hook and
later tide and deck build their ProwJobs' specs from it; and the whole ProwJob of a
presubmit or postsubmit, which hook's trigger and status-reconciler both create."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import orjson

from bowsprit.api.base import API_VERSION
from bowsprit.api.jobbase import JobDefinition
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.api.refs import Refs
from bowsprit.jobpod import labels as prow_labels
from bowsprit.jobpod.jobs import Job

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


# Labels trigger and status-reconciler put on presubmit ProwJobs (Prow's names).
IS_OPTIONAL = "prow.k8s.io/is-optional"
RETEST = "prow.k8s.io/retest"
EVENT_GUID = "event-GUID"


# Per job definition and ProwJob type: its spec without refs (as JSON, copied per run) and
# that spec validated. The validation and the definition's dump were a third of the
# builder's CPU, on every webhook; a Job is rebuilt whenever its CR changes, so the entry
# goes with the old one.
_TEMPLATES: WeakKeyDictionary[Job, dict[str, tuple[bytes, ProwJobSpec]]] = WeakKeyDictionary()


def _definition_part(job: Job, job_type: str) -> dict[str, Any]:
    spec = base_spec(job.spec, job_type, job.name, report=not job.skip_report)
    spec["context"] = job.context
    if job.presubmit:
        spec["rerun_command"] = job.rerun_command
    return spec


def prowjob(
    job: Job,
    job_type: str,
    refs: dict[str, Any],
    *,
    name: str,
    namespace: str,
    guid: str | None,
    retest: bool = False,
    extra_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The ProwJob body of one run of `job` against `refs` (Prow's pjutil.NewPresubmit and
    NewPostsubmit, BatchSpec with the job's labels and annotations), for trigger,
    status-reconciler and tide alike; `guid` is the webhook's delivery (tide has none)."""
    known = _TEMPLATES.setdefault(job, {}).get(job_type)
    spec = orjson.loads(known[0]) if known else _definition_part(job, job_type)
    present = {key: value for key, value in refs.items() if value is not None}
    spec["refs"] = complete_primary_refs(present, job.spec)  # Prow's CompletePrimaryRefs
    extra = dict(job.spec.labels or {})
    if job.presubmit:
        extra[IS_OPTIONAL] = "true" if job.optional else "false"
    if retest:
        extra[RETEST] = "true"
    if guid is not None:
        extra[EVENT_GUID] = guid
    extra.update(extra_labels or {})
    if known:
        # The definition's part was validated on the job's first run: only the refs change.
        model = known[1].model_copy(update={"refs": Refs.model_validate(spec["refs"])})
    else:
        # Validating the spec here turns a definition the API server would refuse into a
        # clear error naming the job, before anything is created.
        model = ProwJobSpec.model_validate(spec)
        _TEMPLATES[job][job_type] = (orjson.dumps({**spec, "refs": None}), model)
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


@dataclass(frozen=True)
class PullFacts:
    """What a presubmit's refs say of a pull request, whoever read it (a webhook, or the
    REST API's pull request object, which has the same shape)."""

    org: str
    repo: str
    repo_link: str
    number: int
    author: str
    author_link: str
    title: str
    head_sha: str
    head_ref: str
    base_ref: str
    link: str

    @classmethod
    def from_api(cls, pull: dict[str, Any]) -> PullFacts:
        """From GitHub's pull request object (REST `GET /repos/{o}/{r}/pulls`)."""
        base, head, user = pull["base"], pull["head"], pull.get("user") or {}
        repository = base.get("repo") or {}
        return cls(
            org=str((repository.get("owner") or {}).get("login", "")),
            repo=str(repository.get("name", "")),
            repo_link=str(repository.get("html_url") or ""),
            number=int(pull["number"]),
            author=str(user.get("login", "")),
            author_link=str(user.get("html_url") or ""),
            title=str(pull.get("title") or ""),
            head_sha=str(head["sha"]),
            head_ref=str(head.get("ref") or ""),
            base_ref=str(base["ref"]),
            link=str(pull.get("html_url") or ""),
        )


def pull_refs(pull: PullFacts, base_sha: str) -> dict[str, Any]:
    """Prow's createRefs: the base branch at `base_sha` with the pull request on top (the
    same refs hook's trigger builds from a webhook)."""
    repo_link = pull.repo_link
    return {
        "org": pull.org,
        "repo": pull.repo,
        "repo_link": repo_link or None,
        "base_ref": pull.base_ref,
        "base_sha": base_sha,
        "base_link": f"{repo_link}/commit/{base_sha}" if repo_link else None,
        "pulls": [
            {
                "number": pull.number,
                "author": pull.author,
                "sha": pull.head_sha,
                "title": pull.title,
                "head_ref": pull.head_ref,
                "link": pull.link or None,
                "commit_link": f"{pull.link}/commits/{pull.head_sha}" if pull.link else None,
                "author_link": pull.author_link or None,
            }
        ],
    }
