"""Fields shared by ProwJobs and the job definitions (Prow's JobBase and UtilityConfig)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from bowsprit.api.base import AGE_COLUMN, ApiModel, PrinterColumn, cel, cel_rules
from bowsprit.api.core import PodSpec
from bowsprit.api.decoration import DecorationConfig
from bowsprit.api.refs import Refs
from bowsprit.api.states import ProwJobAgent, ProwJobState
from bowsprit.lib import goregex

# Prow's job name rule (pkg/config/config.go jobNameRegex).
JOB_NAME_PATTERN = r"^[A-Za-z0-9-._]+$"


class SlackReporterConfig(ApiModel):
    """Per-job Slack reporting, overriding crier's defaults."""

    host: str | None = None
    """Slack workspace host, for installations reporting to several workspaces."""
    channel: str | None = None
    """Channel to post to."""
    job_states_to_report: list[ProwJobState] | None = None
    """States that are reported; an empty list reports nothing."""
    report_template: str | None = None
    """Message template."""
    report: bool | None = None
    """Whether to report at all; false silences the job."""


class ReporterConfig(ApiModel):
    """Per-job reporter settings."""

    slack: SlackReporterConfig | None = None
    """Slack reporting of this job."""


class GitHubTeamSlug(ApiModel):
    """A GitHub team named by its slug and organisation."""

    slug: str
    """Team slug."""
    org: str
    """Organisation of the team."""


class RerunAuthConfig(ApiModel):
    """Who may rerun or abort the job from deck."""

    model_config = cel_rules(
        cel(
            "!(has(self.allow_anyone) && self.allow_anyone) || ("
            "(!has(self.github_team_ids) || size(self.github_team_ids) == 0)"
            " && (!has(self.github_team_slugs) || size(self.github_team_slugs) == 0)"
            " && (!has(self.github_users) || size(self.github_users) == 0)"
            " && (!has(self.github_orgs) || size(self.github_orgs) == 0))",
            "allow_anyone cannot be combined with an allow-list",
        )
    )

    allow_anyone: bool | None = None
    """Anyone may rerun the job."""
    github_team_ids: list[int] | None = None
    """Members of these GitHub teams (by ID) may rerun."""
    github_team_slugs: list[GitHubTeamSlug] | None = None
    """Members of these GitHub teams (by slug) may rerun."""
    github_users: list[str] | None = None
    """These GitHub users may rerun."""
    github_orgs: list[str] | None = None
    """Members of these GitHub organisations may rerun."""


class ResultStoreConfig(ApiModel):
    """ResultStore settings (kept for compatibility with Prow job configs)."""

    project_id: str | None = None
    """Cloud project of the ResultStore."""


class ProwJobDefault(ApiModel):
    """Defaults injected into ProwJobs."""

    resultstore_config: ResultStoreConfig | None = None
    """ResultStore settings."""
    tenant_id: str | None = None
    """Tenant that may see the job in deck."""


class JobCommon(ApiModel):
    """Fields that ProwJobs and job definitions share, under Prow's names."""

    agent: ProwJobAgent | None = None
    """Controller that runs the job; Bowsprit runs `kubernetes` (the default)."""
    cluster: str | None = None
    """Build cluster alias; empty means `default`."""
    namespace: str | None = None
    """Recorded on the ProwJob for other agents; plank runs every pod in ProwConfig's
    pod_namespace, as Prow does."""
    max_concurrency: int | None = Field(default=None, ge=0)
    """Most runs of this job pending at once; 0 means unlimited."""
    error_on_eviction: bool | None = None
    """Finish as error when the pod is evicted instead of recreating it."""
    pod_spec: PodSpec | None = None
    """The pod to run (Prow's job config calls it `spec`)."""
    reporter_config: ReporterConfig | None = None
    """Per-job reporter settings."""
    rerun_auth_config: RerunAuthConfig | None = None
    """Who may rerun the job from deck."""
    hidden: bool | None = None
    """Show the job only on deck instances that show hidden jobs."""
    prowjob_defaults: ProwJobDefault | None = None
    """Defaults injected into the job's ProwJobs."""
    job_queue_name: str | None = None
    """Queue that bounds how many jobs run at once (plank's job_queue_capacities)."""


AGENT_NEEDS_POD = cel(
    "has(self.agent) && self.agent != 'kubernetes' || has(self.pod_spec)",
    "pod_spec is required for jobs run by the kubernetes agent",
    ".pod_spec",
)


class JobDefinition(JobCommon):
    """A job definition: JobBase plus UtilityConfig of Prow's job config."""

    name: str | None = Field(default=None, pattern=JOB_NAME_PATTERN, max_length=400)
    """Job name when metadata.name cannot hold it (for example with capitals or `_`)."""
    labels: dict[str, str] | None = None
    """Labels put on the job's ProwJobs and pods."""
    annotations: dict[str, str] | None = None
    """Annotations put on the job's ProwJobs and pods."""
    decorate: bool | None = None
    """Wrap the pod with the pod utilities (clone, log capture, upload)."""
    decoration_config: DecorationConfig | None = None
    """Decoration settings merged over ProwConfig's defaults."""
    path_alias: str | None = None
    """Clone location of the job's repository under $GOPATH/src."""
    clone_uri: str | None = None
    """URI to clone the job's repository from."""
    skip_submodules: bool | None = None
    """Do not initialise submodules."""
    clone_depth: int | None = Field(default=None, ge=0)
    """Shallow clone depth; 0 clones the full history."""
    skip_fetch_head: bool | None = None
    """Skip fetching the remote's HEAD."""
    extra_refs: list[Refs] | None = None
    """Other repositories to clone next to the job's own."""

    @model_validator(mode="after")
    def _several_containers_need_decoration(self) -> JobDefinition:
        # Prow's validatePodSpec: only decoration can collect results from several containers.
        if self.pod_spec is not None and len(self.pod_spec.containers) > 1 and not self.decorate:
            raise ValueError("a job with more than one container must be decorated")
        return self


class RepoJobDefinition(JobDefinition):
    """A job definition tied to one repository (presubmits and postsubmits)."""

    org: str = Field(min_length=1)
    """GitHub organisation of the repository the job runs for."""
    repo: str = Field(min_length=1)
    """Repository the job runs for."""
    branches: list[str] | None = None
    """Regular expressions (Go RE2 syntax) of base branches the job runs on; empty means all."""
    skip_branches: list[str] | None = None
    """Regular expressions (Go RE2 syntax) of base branches the job never runs on; they win
    over branches."""
    run_if_changed: str | None = None
    """Run only when a changed file matches this regular expression (Go RE2 syntax)."""
    skip_if_only_changed: str | None = None
    """Skip when every changed file matches this regular expression (Go RE2 syntax)."""
    context: str | None = None
    """GitHub status context; defaults to the job name."""

    @field_validator("branches", "skip_branches")
    @classmethod
    def _valid_regex_list(cls, value: list[str] | None) -> list[str] | None:
        for pattern in value or []:
            _check_regex(pattern)
        return value

    @field_validator("run_if_changed", "skip_if_only_changed")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            _check_regex(value)
        return value


def _check_regex(pattern: str) -> None:
    # Prow compiles these with Go's regexp: RE2 syntax, not Python's.
    goregex.compile(pattern)  # GoRegexError is a ValueError naming the pattern


REPO_JOB_RULES = (
    AGENT_NEEDS_POD,
    cel(
        "!has(self.run_if_changed) || !has(self.skip_if_only_changed)",
        "run_if_changed and skip_if_only_changed are mutually exclusive",
    ),
)


class PresubmitCommon(RepoJobDefinition):
    """Fields of both presubmit kinds (Prow's Presubmit without optional and skip_report)."""

    always_run: bool | None = None
    """Run on every pull request, whatever it changes."""
    trigger: str | None = None
    """Regular expression (Go RE2 syntax) of comments that run the job (default
    `/test <name>`)."""
    rerun_command: str | None = None
    """Command shown to users to rerun the job; set together with trigger."""
    run_before_merge: bool | None = None
    """Tide runs the job before merging even when it does not run automatically."""

    @model_validator(mode="after")
    def _rerun_command_triggers(self) -> PresubmitCommon:
        # Prow: the command users are told to type must be one the trigger accepts.
        if self.trigger and self.rerun_command:
            _check_regex(self.trigger)
            if not goregex.compile(self.trigger).search(self.rerun_command):
                raise ValueError(
                    f"rerun_command {self.rerun_command!r} does not match trigger {self.trigger!r}"
                )
        return self


PRESUBMIT_RULES = (
    *REPO_JOB_RULES,
    cel(
        "!(has(self.always_run) && self.always_run)"
        " || !has(self.run_if_changed) && !has(self.skip_if_only_changed)",
        "always_run cannot be combined with run_if_changed or skip_if_only_changed",
    ),
    cel(
        "has(self.trigger) == has(self.rerun_command)",
        "trigger and rerun_command must be set together",
    ),
)


# What `kubectl get` prints for both presubmit kinds.
PRESUBMIT_COLUMNS = (
    PrinterColumn("Org", ".spec.org"),
    PrinterColumn("Repo", ".spec.repo"),
    PrinterColumn("Context", ".spec.context"),
    PrinterColumn("Always-Run", ".spec.always_run", "boolean"),
    PrinterColumn("Run-If-Changed", ".spec.run_if_changed", priority=1),
    AGE_COLUMN,
)
