"""crier's rules: what each reporter says about a ProwJob, as values (no I/O).

Prow's pkg/crier and pkg/github/report: a reporter reports a job's state at most once
(`status.prev_report_states[reporter]` records the last state it reported), the GitHub
reporter sets a commit status per presubmit/postsubmit and keeps one failure comment per
pull request, the Slack reporter posts the states its configuration asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from bowsprit.api.prowconfig import CrierConfig, PlankConfig
from bowsprit.api.prowjob import ProwJobSpec, ProwJobStatus
from bowsprit.lib.clock import parse_time
from bowsprit.lib.contexts import description_with_base_sha

GITHUB = "github-reporter"
SLACK = "slackreporter"
IS_OPTIONAL_LABEL = "prow.k8s.io/is-optional"

# ProwJob state → commit status state (Prow's prowjobStateToGitHubStatus).
GITHUB_STATES = {
    "scheduling": "pending",
    "triggered": "pending",
    "pending": "pending",
    "success": "success",
    "error": "error",
    "failure": "failure",
    "aborted": "failure",
}


@dataclass(frozen=True)
class Job:
    """The parts of a ProwJob crier reads, parsed from the API object."""

    name: str
    namespace: str
    labels: dict[str, str]
    created: datetime | None
    spec: ProwJobSpec
    status: ProwJobStatus

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Job:
        metadata = body.get("metadata") or {}
        return cls(
            name=str(metadata.get("name", "")),
            namespace=str(metadata.get("namespace", "")),
            labels=dict(metadata.get("labels") or {}),
            created=parse_time(metadata.get("creationTimestamp")),
            spec=ProwJobSpec.model_validate(body.get("spec") or {}),
            status=ProwJobStatus.model_validate(body.get("status") or {}),
        )

    @property
    def state(self) -> str:
        return self.status.state

    @property
    def context(self) -> str:
        return self.spec.context or self.spec.job

    def template_context(self) -> dict[str, Any]:
        """The ProwJob as JSON with Prow's field names, for report templates."""
        return {
            "metadata": {"name": self.name, "namespace": self.namespace, "labels": self.labels},
            "spec": self.spec.model_dump(mode="json", exclude_none=True),
            "status": self.status.model_dump(mode="json", exclude_none=True),
        }


def recorded(job: Job, reporter: str) -> bool:
    """The job's state is already recorded as reported (status.prev_report_states)."""
    return (job.status.prev_report_states or {}).get(reporter) == job.state


def needs_report(job: Job, reporter: str, reported: str | None) -> bool:
    """Not yet reported in this state: neither recorded on the job nor (when the record is
    late or lost) remembered by this process as done."""
    return not recorded(job, reporter) and job.state != reported


def matches_repo(keys: list[str] | None, org: str, repo: str) -> bool:
    """Whether a list of `org` / `org/repo` entries names this repository."""
    return bool(keys) and (org in keys or f"{org}/{repo}" in keys)  # type: ignore[operator]


# GitHub reporter -------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitStatus:
    org: str
    repo: str
    sha: str
    state: str
    context: str
    description: str
    target_url: str | None


def github_reports(job: Job, crier: CrierConfig) -> bool:
    """Prow's ShouldReport: report set, a type to report, one pull at most (batches are
    never reported)."""
    refs = job.spec.refs
    return bool(
        job.spec.report
        and job.spec.type in crier.github_reporter.job_types_to_report
        and refs is not None
        and len(refs.pulls or []) <= 1
    )


def commit_status(job: Job) -> CommitStatus:
    """The status for the job's state: on the pull's head SHA, else the base SHA."""
    refs = job.spec.refs
    assert refs is not None
    sha = refs.pulls[0].sha if refs.pulls else refs.base_sha or ""
    return CommitStatus(
        org=refs.org,
        repo=refs.repo,
        sha=sha,
        state=GITHUB_STATES[job.state],
        context=job.context,
        description=description_with_base_sha(job.status.description or "", refs.base_sha or ""),
        target_url=job.status.url or None,
    )


def already_set(status: CommitStatus, existing: list[dict[str, Any]]) -> bool:
    """Whether the commit already shows exactly this status (a report made before a
    restart whose record was lost): then it is not posted twice."""
    for item in existing:
        if item.get("context") == status.context:
            return bool(
                item.get("state") == status.state
                and (item.get("description") or "") == status.description
                and (item.get("target_url") or None) == status.target_url
            )
    return False


def wants_comment(job: Job, crier: CrierConfig) -> bool:
    """The failure comment: complete presubmits of one pull, outside no_comment_repos."""
    refs = job.spec.refs
    return bool(
        job.spec.type == "presubmit"
        and job.status.complete
        and refs is not None
        and len(refs.pulls or []) == 1
        and not matches_repo(crier.github_reporter.no_comment_repos, refs.org, refs.repo)
    )


def wants_summary(job: Job, crier: CrierConfig) -> bool:
    """summary_comment_repos: one comment once all the head commit's jobs are done."""
    refs = job.spec.refs
    assert refs is not None
    return matches_repo(crier.github_reporter.summary_comment_repos, refs.org, refs.repo)


def summary_jobs(job: Job, known: list[Job]) -> list[Job] | None:
    """The newest run of every context reported on the job's head commit, or None while
    one is still running (the last to finish posts the summary)."""
    refs = job.spec.refs
    assert refs is not None and refs.pulls
    head = (refs.pulls[0].number, refs.pulls[0].sha)
    newest: dict[str, Job] = {}
    for other in sorted([*known, job], key=lambda j: (j.created is not None, j.created, j.name)):
        other_refs = other.spec.refs
        if (
            other.spec.type == "presubmit"
            and other.spec.report
            and other_refs is not None
            and (other_refs.org, other_refs.repo) == (refs.org, refs.repo)
            and [(p.number, p.sha) for p in other_refs.pulls or []] == [head]
        ):
            newest[other.context] = job if other.name == job.name else other
    runs = list(newest.values())
    return runs if all(run.status.complete for run in runs) else None


def report_template(job: Job, plank: PlankConfig) -> str | None:
    """Text appended to failure comments: plank's report_templates by org/repo, org, `*`."""
    templates = plank.report_templates or {}
    refs = job.spec.refs
    keys = [f"{refs.org}/{refs.repo}", refs.org] if refs is not None else []
    for key in [*keys, "*"]:
        if key in templates:
            return render(templates[key], job)
    return None


# Templates --------------------------------------------------------------------------------


class TemplateError(ValueError):
    """A report template that cannot be rendered for this job."""


@lru_cache(maxsize=32)
def _template(source: str) -> jinja2.Template:
    environment = SandboxedEnvironment(undefined=jinja2.ChainableUndefined, autoescape=False)
    return environment.from_string(source)


def render(source: str, job: Job) -> str:
    """A Jinja template (sandboxed; a missing field renders empty) over the ProwJob."""
    try:
        return _template(source).render(job.template_context())
    except jinja2.TemplateError as error:
        raise TemplateError(f"report template: {error}") from error
