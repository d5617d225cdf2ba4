"""ProwJob: one run of a job, serialised exactly as Prow's ProwJob (prow.k8s.io/v1)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from bowsprit.api.base import (
    AGE_COLUMN,
    ApiModel,
    KindInfo,
    PrinterColumn,
    Resource,
    cel,
    cel_rules,
)
from bowsprit.api.decoration import FINAL_DECORATION_RULES, DecorationConfig
from bowsprit.api.jobbase import AGENT_NEEDS_POD, JOB_NAME_PATTERN, JobCommon
from bowsprit.api.refs import Refs
from bowsprit.api.states import FINAL_STATES, ProwJobState, ProwJobType
from bowsprit.api.types import Timestamp


class ProwJobSpec(JobCommon):
    """What to run: the job, the code it runs against, and how to run and report it."""

    model_config = cel_rules(
        AGENT_NEEDS_POD,
        *FINAL_DECORATION_RULES,
        cel(
            "self.type != 'presubmit' || has(self.refs) && has(self.refs.pulls)"
            " && size(self.refs.pulls) == 1",
            "a presubmit needs refs with exactly one pull",
            ".refs",
        ),
        cel(
            "self.type != 'batch' || has(self.refs) && has(self.refs.pulls)"
            " && size(self.refs.pulls) >= 1",
            "a batch needs refs with its pulls",
            ".refs",
        ),
        cel("self.type != 'postsubmit' || has(self.refs)", "a postsubmit needs refs", ".refs"),
    )

    type: ProwJobType
    """presubmit (a pull request), postsubmit (a pushed commit), periodic, or batch."""
    job: str = Field(min_length=1, max_length=400, pattern=JOB_NAME_PATTERN)
    """Name of the job."""
    refs: Refs | None = None
    """The code under test."""
    extra_refs: list[Refs] | None = None
    """Other repositories to clone."""
    report: bool | None = None
    """Whether reporters (GitHub statuses, Slack) report this run."""
    context: str | None = None
    """GitHub status context."""
    rerun_command: str | None = None
    """Command that reruns the job (for example `/test unit`)."""
    decoration_config: DecorationConfig | None = None
    """Decoration settings; when present the pod is decorated."""


_FINAL = "[" + ", ".join(f"'{state}'" for state in FINAL_STATES) + "]"


class ProwJobStatus(ApiModel):
    """Where the run is: its state, times, pod and build ID, and what was reported."""

    model_config = cel_rules(
        cel(
            f"!has(oldSelf.state) || !(oldSelf.state in {_FINAL})"
            " || has(self.state) && self.state == oldSelf.state",
            "a finished job's state cannot change",
            ".state",
        ),
        cel(
            "!has(oldSelf.state) || oldSelf.state != 'pending'"
            " || has(self.state) && !(self.state in ['triggered', 'scheduling'])",
            "a pending job cannot go back to triggered",
            ".state",
        ),
        cel(
            "!has(oldSelf.completionTime) || has(self.completionTime)"
            " && self.completionTime == oldSelf.completionTime"
            " && (has(self.state) ? self.state : '') == (has(oldSelf.state) ? oldSelf.state : '')",
            "a completed job's state and completionTime cannot change",
            ".completionTime",
        ),
    )

    state: ProwJobState = "triggered"
    """triggered, pending, then success, failure, aborted or error."""
    startTime: Timestamp | None = None
    """When the job was created."""
    pendingTime: Timestamp | None = None
    """When plank created the pod."""
    completionTime: Timestamp | None = None
    """When the job finished; set means complete."""
    description: str | None = None
    """Human-readable state description."""
    url: str | None = None
    """Link to the job's output."""
    pod_name: str | None = None
    """Name of the job's pod (the ProwJob's name)."""
    build_id: str | None = None
    """Build identifier: time-ordered, unique per run."""
    pod_revival_count: int | None = Field(default=None, ge=0)
    """Times the pod was recreated after an unexpected stop."""
    prev_report_states: dict[str, ProwJobState] | None = None
    """Last state each reporter reported, by reporter name (crier's de-duplication record)."""

    @property
    def complete(self) -> bool:
        return self.completionTime is not None


class ProwJob(Resource):
    """One run of a job: created by hook, horologium, tide or a user; run by plank."""

    KIND: ClassVar[KindInfo] = KindInfo(
        kind="ProwJob",
        plural="prowjobs",
        singular="prowjob",
        short_names=("pj",),
        printer_columns=(
            PrinterColumn("Job", ".spec.job"),
            PrinterColumn("Type", ".spec.type"),
            PrinterColumn("State", ".status.state"),
            PrinterColumn("Build", ".status.build_id"),
            PrinterColumn("Org", ".spec.refs.org"),
            PrinterColumn("Repo", ".spec.refs.repo"),
            PrinterColumn("Pulls", ".spec.refs.pulls[*].number"),
            PrinterColumn("Started", ".status.startTime", "date"),
            PrinterColumn("Completed", ".status.completionTime", "date"),
            AGE_COLUMN,
        ),
        status_default={"state": "triggered"},
    )

    kind: Literal["ProwJob"] = "ProwJob"
    """ProwJob."""
    spec: ProwJobSpec
    """What to run."""
    status: ProwJobStatus = Field(default_factory=ProwJobStatus)
    """Where the run is."""
