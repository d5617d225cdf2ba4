"""The ProwJobs Tide starts (Prow's syncController.trigger): a presubmit for one PR, a
batch for several, from the BlockingPresubmit definitions, labelled created-by-tide;
and the reading of ProwJobs back into JobResults."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bowsprit.jobpod import newjob
from bowsprit.jobpod.jobs import Job
from bowsprit.tide.model import JobResult, PullRequest

CREATED_BY_TIDE = "created-by-tide"


def refs(
    org: str, repo: str, branch: str, base_sha: str, prs: Sequence[PullRequest], link_url: str
) -> dict[str, Any]:
    """The base at `base_sha` with every PR on top, oldest first."""
    repo_link = f"{link_url.rstrip('/')}/{org}/{repo}"
    pulls = []
    for pr in sorted(prs, key=lambda pr: pr.number):
        pull: dict[str, Any] = {
            "number": pr.number,
            "author": pr.author,
            "sha": pr.head_sha,
            "title": pr.title,
            "head_ref": pr.head_ref,
        }
        if pr.html_url:
            pull.update(link=pr.html_url, commit_link=f"{pr.html_url}/commits/{pr.head_sha}")
        if pr.author_link:
            pull["author_link"] = pr.author_link
        pulls.append(pull)
    return {
        "org": org,
        "repo": repo,
        "repo_link": repo_link,
        "base_ref": branch,
        "base_sha": base_sha,
        "base_link": f"{repo_link}/commit/{base_sha}",
        "pulls": pulls,
    }


def prowjob(job: Job, job_refs: dict[str, Any], *, name: str, namespace: str) -> dict[str, Any]:
    """One run of `job`: a presubmit for one pull, a batch for several (Prow's
    PresubmitSpec/BatchSpec: the job's refs completed as every creator completes them)."""
    job_type = "presubmit" if len(job_refs["pulls"]) == 1 else "batch"
    return newjob.prowjob(
        job,
        job_type,
        job_refs,
        name=name,
        namespace=namespace,
        guid=None,
        extra_labels={CREATED_BY_TIDE: "true"},
    )


def result(body: dict[str, Any]) -> JobResult | None:
    """A ProwJob as Tide reads it; None for jobs without refs (periodics)."""
    spec = body.get("spec") or {}
    job_refs = spec.get("refs")
    if not job_refs or spec.get("type") not in ("presubmit", "batch"):
        return None
    metadata = body.get("metadata") or {}
    return JobResult(
        name=str(metadata.get("name", "")),
        job=str(spec.get("job", "")),
        type=str(spec["type"]),
        context=str(spec.get("context") or spec.get("job", "")),
        state=str((body.get("status") or {}).get("state") or "triggered"),
        org=str(job_refs.get("org", "")),
        repo=str(job_refs.get("repo", "")),
        base_ref=str(job_refs.get("base_ref", "")),
        base_sha=str(job_refs.get("base_sha", "")),
        pulls=tuple(
            (int(pull["number"]), str(pull.get("sha", ""))) for pull in job_refs.get("pulls") or []
        ),
        created_by_tide=(metadata.get("labels") or {}).get(CREATED_BY_TIDE) == "true",
        description=str((body.get("status") or {}).get("description") or ""),
        url=str((body.get("status") or {}).get("url") or ""),
    )


def non_failed_batch_exists(
    jobs: Sequence[JobResult], job: str, base_sha: str, pulls: tuple[tuple[int, str], ...]
) -> bool:
    """Prow's nonFailedBatchForJobAndRefsExists: never start the same batch twice."""
    return any(
        each.type == "batch"
        and each.job == job
        and each.base_sha == base_sha
        and each.pulls == pulls
        and each.simple_state != "failure"
        for each in jobs
    )
