"""ProwConfig: installation-wide settings, one typed section per component.

Every field has Prow's default; with no ProwConfig at all, `ProwConfigSpec()` holds.
Each component reads only its own section.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from bowsprit.api.base import (
    AGE_COLUMN,
    ApiModel,
    Condition,
    KindInfo,
    PrinterColumn,
    Resource,
    cel,
    cel_rules,
)
from bowsprit.api.branchprotection import BranchProtectionMap
from bowsprit.api.decoration import DecorationConfig
from bowsprit.api.jobbase import RerunAuthConfig
from bowsprit.api.preset import Preset
from bowsprit.api.states import ProwJobState, ProwJobType
from bowsprit.api.tidepool import MergeMethod, TideContextPolicyOptions
from bowsprit.api.types import Duration

OrgRepoKey = Annotated[str, Field(pattern=r"^(\*|[^/\s]+(/[^/\s]+)?)$")]
# Bounds on maps and lists whose items carry CEL rules: the API server rejects a CRD
# whose rules could cost too much on an unbounded collection.
MAX_ENTRIES = 1000


class DefaultDecorationConfigEntry(ApiModel):
    """Decoration defaults for the jobs whose repository and cluster match."""

    repo: str | None = None
    """Org or org/repo, matched exactly as in Prow (no patterns); empty or `*` matches
    every repository."""
    cluster: str | None = None
    """Build cluster alias, matched exactly; empty or `*` matches every cluster."""
    config: DecorationConfig
    """The defaults."""


class PlankConfig(ApiModel):
    """plank: pods, timeouts, concurrency, decoration defaults, job URLs."""

    model_config = cel_rules(
        cel(
            "!(has(self.default_decoration_configs)"
            " && has(self.default_decoration_config_entries))",
            "default_decoration_configs and default_decoration_config_entries are mutually"
            " exclusive",
        )
    )

    job_url_template: str | None = None
    """Template of status.url for jobs without a job URL prefix (syntax: see plank)."""
    job_url_prefix_config: dict[OrgRepoKey, str] | None = None
    """Job URL prefixes by `*`, org or org/repo; the job's artifact path is appended."""
    jobURLPrefixDisableAppendStorageProvider: bool | None = None
    """Do not insert the storage provider (s3/gs) between prefix and bucket."""
    report_templates: dict[OrgRepoKey, str] | None = None
    """Text appended to failure comments, by `*`, org or org/repo."""
    max_concurrency: int = Field(default=0, ge=0)
    """Most pending jobs at once; 0 means unlimited."""
    pod_pending_timeout: Duration = "10m"  # type: ignore[assignment]
    """Longest a started pod may stay Pending (pulling images) before the job errors."""
    pod_running_timeout: Duration = "48h"  # type: ignore[assignment]
    """Longest a pod may run before the job is aborted."""
    pod_unscheduled_timeout: Duration = "5m"  # type: ignore[assignment]
    """Longest a pod may wait to be scheduled before the job errors."""
    max_revivals: int = Field(default=3, ge=0)
    """Times a pod that stopped unexpectedly (evicted, node lost) is recreated."""
    default_decoration_configs: dict[OrgRepoKey, DecorationConfig] | None = Field(
        default=None, max_length=MAX_ENTRIES
    )
    """Decoration defaults by `*`, org or org/repo; more specific keys win."""
    default_decoration_config_entries: list[DefaultDecorationConfigEntry] | None = Field(
        default=None, max_length=MAX_ENTRIES
    )
    """Decoration defaults by repository and cluster (exact names or `*`); every matching
    entry applies, later entries win."""
    presets: list[Preset] | None = None
    """Prow's presets: pod settings merged into the pod of every job carrying their
    labels, when plank builds it (jobs converted by `bowsprit convert` have them already)."""
    job_queue_capacities: dict[str, int] | None = None
    """Capacity of each named job queue; 0 blocks, negative is unlimited."""
    cluster_capacity: dict[str, int] | None = None
    """Most pending jobs at once in each build cluster, by alias; absent or negative is
    unlimited, 0 blocks the cluster's jobs."""
    unreachable_cluster_timeout: Duration = "5m"  # type: ignore[assignment]
    """How long a job whose build cluster cannot be reached waits (retried with backoff)
    before it errors."""


class SinkerConfig(ApiModel):
    """sinker: how long ProwJobs and pods are kept."""

    resync_period: Duration = "1h"  # type: ignore[assignment]
    """Time between cleanups."""
    max_prowjob_age: Duration = "168h"  # type: ignore[assignment]
    """Completed ProwJobs older than this (by start time) are deleted."""
    max_pod_age: Duration = "24h"  # type: ignore[assignment]
    """Job pods older than this are deleted."""
    terminated_pod_ttl: Duration | None = None
    """Pods of jobs completed longer ago than this are deleted (default max_pod_age)."""
    exclude_clusters: list[str] | None = None
    """Build clusters whose pods are never cleaned."""


class GitHubReporterConfig(ApiModel):
    """crier's GitHub reporter."""

    job_types_to_report: list[Literal["presubmit", "postsubmit"]] = ["presubmit", "postsubmit"]
    """Job types reported as commit statuses."""
    no_comment_repos: list[OrgRepoKey] | None = None
    """Orgs or repositories that get statuses but no failure comments."""
    summary_comment_repos: list[OrgRepoKey] | None = None
    """Orgs or repositories that get one summary comment when all jobs finish."""


class SlackReporterDefaults(ApiModel):
    """crier's Slack reporter defaults for an org or repository."""

    job_types_to_report: list[ProwJobType] | None = None
    """Job types reported."""
    job_states_to_report: list[ProwJobState] | None = None
    """Job states reported."""
    channel: str | None = None
    """Channel to post to."""
    host: str | None = None
    """Slack workspace host."""
    report_template: str | None = None
    """Message template."""


class CrierConfig(ApiModel):
    """crier: reporters."""

    github_reporter: GitHubReporterConfig = Field(default_factory=GitHubReporterConfig)
    """GitHub statuses and failure comments."""
    slack_reporter_configs: dict[OrgRepoKey, SlackReporterDefaults] | None = None
    """Slack reporting by `*`, org or org/repo."""


class SpyglassLensName(ApiModel):
    """A lens and its settings."""

    name: str
    """Lens name (metadata, buildlog, junit, podinfo, ...)."""
    config: dict[str, Any] | None = None
    """Settings of the lens."""


class SpyglassLens(ApiModel):
    """Which lens renders which files."""

    lens: SpyglassLensName
    """The lens."""
    required_files: list[str] = Field(min_length=1)
    """Regular expressions of files that must all exist."""
    optional_files: list[str] | None = None
    """Regular expressions of files used when present."""


class SpyglassConfig(ApiModel):
    """deck's job artifact viewer."""

    size_limit: int = Field(default=100_000_000, ge=0)
    """Artifacts larger than this (bytes) are not rendered (0 means the default)."""
    lenses: list[SpyglassLens] | None = None
    """Lenses, in display order."""


class Branding(ApiModel):
    """deck's look."""

    logo: str | None = None
    """Logo URL."""
    favicon: str | None = None
    """Favicon URL."""
    header_color: str | None = None
    """Header background colour."""
    background_color: str | None = None
    """Page background colour."""
    css: str | None = None
    """Extra stylesheet URL (a Bowsprit addition)."""


class DeckConfig(ApiModel):
    """deck: the dashboard."""

    spyglass: SpyglassConfig = Field(default_factory=SpyglassConfig)
    """Artifact viewer."""
    branding: Branding | None = None
    """Look."""
    tide_update_period: Duration = "10s"  # type: ignore[assignment]
    """How often deck refreshes Tide's pools."""
    hidden_repos: list[OrgRepoKey] | None = None
    """Orgs or repositories whose jobs are hidden."""
    rerun_auth_configs: dict[OrgRepoKey, RerunAuthConfig] | None = Field(
        default=None, max_length=MAX_ENTRIES
    )
    """Who may rerun or abort jobs, by `*`, org or org/repo."""


class TideConfig(ApiModel):
    """tide: loop periods and the defaults of every TidePool."""

    sync_period: Duration = "1m"  # type: ignore[assignment]
    """Time between syncs of the pools."""
    status_update_period: Duration | None = None
    """Time between updates of the `tide` status context (default sync_period)."""
    max_goroutines: int = Field(default=20, ge=0)
    """Pools synced in parallel (0 means the default, 20)."""
    target_url: str | None = None
    """Link of the `tide` status context (exclusive with target_urls)."""
    target_urls: dict[OrgRepoKey, str] | None = None
    """Links of the `tide` status context by `*`, org or org/repo."""
    pr_status_base_url: str | None = None
    """Base URL of the PR dashboard linked from the `tide` context."""
    pr_status_base_urls: dict[OrgRepoKey, str] | None = None
    """Base URLs of the PR dashboard by `*`, org or org/repo."""
    blocker_label: str | None = None
    """Open issues with this label block merges."""
    squash_label: str | None = None
    """Label that makes Tide squash a pull request."""
    rebase_label: str | None = None
    """Label that makes Tide rebase a pull request."""
    merge_label: str | None = None
    """Label that makes Tide merge a pull request with a merge commit."""
    merge_method: dict[OrgRepoKey, MergeMethod] | None = None
    """Merge method by org or org/repo (default merge)."""
    merge_commit_template: dict[OrgRepoKey, dict[str, str]] | None = None
    """Commit title and body templates by org or org/repo."""
    batch_size_limit: dict[OrgRepoKey, int] | None = None
    """Batch size limits by `*`, org or org/repo; 0 unlimited, -1 no batches."""
    prioritize_existing_batches: dict[OrgRepoKey, bool] | None = None
    """Whether to reuse a batch that already has passing or pending jobs, by `*`, org or
    org/repo (true where unset)."""
    priority: list[dict[str, list[str]]] | None = None
    """Ordered label sets; pull requests matching earlier sets merge first."""
    display_all_tide_queries_in_status: bool = False
    """List every unmet query in the status context."""
    github_merge_blocks_policy: dict[OrgRepoKey, Literal["ignore", "permit", "block"]] | None = None
    """What GitHub's BLOCKED merge state does to a pull request, by `*`, org or org/repo
    (permit where unset)."""
    context_options: TideContextPolicyOptions | None = None
    """Required contexts, with overrides per org, repository and branch."""
    branch_protection: BranchProtectionMap | None = None
    """Contexts Prow's branch-protection requires, by org, repo and branch (`*`: any
    other), inheritance resolved; read where a context policy has from-branch-protection
    (api/branchprotection.py)."""


class GitHubConfig(ApiModel):
    """How components link to and talk about GitHub."""

    link_url: str = "https://github.com"
    """Base URL of links to GitHub pages."""


class ProwConfigSpec(ApiModel):
    """Installation-wide settings; each component reads its own section."""

    prowjob_namespace: str = "default"
    """Namespace where ProwJobs are created."""
    pod_namespace: str = "default"
    """Namespace where job pods run."""
    plank: PlankConfig = Field(default_factory=PlankConfig)
    """plank's settings."""
    sinker: SinkerConfig = Field(default_factory=SinkerConfig)
    """sinker's settings."""
    crier: CrierConfig = Field(default_factory=CrierConfig)
    """crier's settings."""
    deck: DeckConfig = Field(default_factory=DeckConfig)
    """deck's settings."""
    tide: TideConfig = Field(default_factory=TideConfig)
    """tide's settings."""
    github: GitHubConfig = Field(default_factory=GitHubConfig)
    """GitHub settings."""


BuildClusterState = Literal["Reachable", "No-Manager", "Error", "MissingPermissions"]


class ProwConfigStatus(ApiModel):
    """What plank last observed of the build clusters (Prow's build-cluster-status)."""

    build_clusters: dict[str, BuildClusterState] | None = None
    """Each build cluster alias's state: Reachable, No-Manager (credentials unusable),
    Error (unreachable) or MissingPermissions (cannot work on pods there)."""
    conditions: list[Condition] | None = None
    """`BuildCluster`: True when every build cluster is Reachable; its
    lastTransitionTime says since when."""


class ProwConfig(Resource):
    """Installation-wide settings."""

    KIND: ClassVar[KindInfo] = KindInfo(
        kind="ProwConfig",
        plural="prowconfigs",
        singular="prowconfig",
        short_names=("pcfg",),
        printer_columns=(
            PrinterColumn("ProwJob-Namespace", ".spec.prowjob_namespace"),
            PrinterColumn("Pod-Namespace", ".spec.pod_namespace"),
            AGE_COLUMN,
        ),
    )

    kind: Literal["ProwConfig"] = "ProwConfig"
    """ProwConfig."""
    spec: ProwConfigSpec = Field(default_factory=ProwConfigSpec)
    """The settings."""
    status: ProwConfigStatus = Field(default_factory=ProwConfigStatus)
    """What the components observed (build clusters)."""


def spec_from_event(body: dict[str, Any], deleted: bool) -> ProwConfigSpec:
    """The settings an operator follows after a ProwConfig event: Prow's defaults once the
    object is gone."""
    return ProwConfigSpec() if deleted else ProwConfigSpec.model_validate(body.get("spec") or {})
