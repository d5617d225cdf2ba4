"""TidePool: which pull requests Tide may merge (one of Prow's tide queries) and how."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from bowsprit.api.base import (
    AGE_COLUMN,
    CONDITIONS_LIST,
    ApiModel,
    Condition,
    KindInfo,
    PrinterColumn,
    Resource,
    cel,
    cel_rules,
)
from bowsprit.api.types import Timestamp

REPO_PATTERN = r"^[^/\s]+/[^/\s]+$"
MergeMethod = Literal["merge", "squash", "rebase"]


class TideContextPolicy(ApiModel):
    """Which status contexts must pass before a merge."""

    skip_unknown_contexts: bool | None = Field(default=None, alias="skip-unknown-contexts")
    """Treat contexts that are not required as optional."""
    required_contexts: list[str] | None = Field(default=None, alias="required-contexts")
    """Contexts that must be green."""
    required_if_present_contexts: list[str] | None = Field(
        default=None, alias="required-if-present-contexts"
    )
    """Contexts that must be green when they exist."""
    optional_contexts: list[str] | None = Field(default=None, alias="optional-contexts")
    """Contexts that never block."""
    from_branch_protection: bool | None = Field(default=None, alias="from-branch-protection")
    """Also require the branch protection's required checks."""


class TidePoolSpec(ApiModel):
    """A query of pull requests (every condition must hold) plus merge settings."""

    model_config = cel_rules(
        cel(
            "has(self.orgs) && size(self.orgs) > 0 || has(self.repos) && size(self.repos) > 0",
            "a pool needs at least one of orgs and repos",
        ),
        cel(
            "!(has(self.includedBranches) && size(self.includedBranches) > 0"
            " && has(self.excludedBranches) && size(self.excludedBranches) > 0)",
            "includedBranches and excludedBranches are mutually exclusive",
        ),
    )

    orgs: list[str] | None = None
    """Organisations whose repositories are in the pool."""
    repos: list[Annotated[str, Field(pattern=REPO_PATTERN)]] | None = None
    """Repositories (org/repo) in the pool."""
    excludedRepos: list[Annotated[str, Field(pattern=REPO_PATTERN)]] | None = None
    """Repositories (org/repo) of the listed orgs left out."""
    labels: list[str] | None = None
    """Labels a pull request must have."""
    missingLabels: list[str] | None = None
    """Labels a pull request must not have."""
    includedBranches: list[str] | None = None
    """Base branches merged into; empty means all."""
    excludedBranches: list[str] | None = None
    """Base branches never merged into."""
    milestone: str | None = None
    """Milestone a pull request must be in."""
    author: str | None = None
    """Author a pull request must have."""
    reviewApprovedRequired: bool | None = None
    """Require an approving GitHub review."""
    merge_method: MergeMethod | None = None
    """How to merge; overrides ProwConfig's tide.merge_method for this pool."""
    batch_size_limit: int | None = Field(default=None, ge=-1)
    """Most pull requests tested together in a batch; 0 unlimited, -1 no batches."""
    context_options: TideContextPolicy | None = None
    """Required contexts; overrides ProwConfig's tide.context_options for this pool."""


class PoolStatus(ApiModel):
    """One org/repo/branch sub-pool as Tide last saw it."""

    org: str
    """Organisation."""
    repo: str
    """Repository."""
    branch: str
    """Base branch."""
    base_sha: str | None = None
    """Current head of the base branch."""
    success_prs: list[int] | None = None
    """Pull requests whose required jobs passed on the current base."""
    pending_prs: list[int] | None = None
    """Pull requests whose required jobs are running."""
    missing_prs: list[int] | None = None
    """Pull requests missing required results."""
    batch_pending: list[int] | None = None
    """Pull requests in the batch being tested."""
    action: (
        Literal["WAIT", "TRIGGER", "TRIGGER_BATCH", "MERGE", "MERGE_BATCH", "BLOCKED"] | None
    ) = None
    """What Tide last did for the pool."""
    target: list[int] | None = None
    """Pull requests the last action was about."""
    error: str | None = None
    """Error of the last action."""


class TidePoolStatus(ApiModel):
    """The pool as Tide last synced it."""

    observedGeneration: int | None = None
    """The metadata.generation last synced."""
    lastSyncTime: Timestamp | None = None
    """When Tide last synced the pool."""
    pools: list[PoolStatus] | None = None
    """Sub-pools per org/repo/branch."""
    conditions: list[Condition] | None = Field(default=None, json_schema_extra=CONDITIONS_LIST)
    """Standard conditions."""


class TidePool(Resource):
    """A merge pool for Tide."""

    KIND: ClassVar[KindInfo] = KindInfo(
        kind="TidePool",
        plural="tidepools",
        singular="tidepool",
        short_names=("tp",),
        printer_columns=(
            PrinterColumn("Orgs", ".spec.orgs"),
            PrinterColumn("Repos", ".spec.repos"),
            PrinterColumn("Labels", ".spec.labels", priority=1),
            PrinterColumn("Last-Sync", ".status.lastSyncTime", "date"),
            AGE_COLUMN,
        ),
    )

    kind: Literal["TidePool"] = "TidePool"
    """TidePool."""
    spec: TidePoolSpec
    """Which pull requests, and how they merge."""
    status: TidePoolStatus = Field(default_factory=TidePoolStatus)
    """The pool as Tide last synced it."""
