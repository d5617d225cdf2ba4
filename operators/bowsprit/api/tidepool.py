"""TidePool: which pull requests Tide may merge (one of Prow's tide queries) and how."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator

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
from bowsprit.lib import goregex

REPO_PATTERN = r"^[^/\s]+/[^/\s]+$"
MergeMethod = Literal["merge", "squash", "rebase"]
# Bounds that keep the CEL rules comparing these lists within the API server's budget.
MAX_QUERY_ITEMS = 100
Org = Annotated[str, Field(pattern=r"^[^/\s]+$", max_length=39)]  # GitHub's limits
OrgRepo = Annotated[str, Field(pattern=REPO_PATTERN, max_length=140)]
LabelName = Annotated[str, Field(max_length=100)]


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
    optional_regex_contexts: list[str] | None = Field(default=None, alias="optional-regex-contexts")
    """Regular expressions (Go RE2 syntax) of contexts that never block."""

    @field_validator("optional_regex_contexts")
    @classmethod
    def _go_regexes(cls, value: list[str] | None) -> list[str] | None:
        for pattern in value or []:
            goregex.compile(pattern)  # GoRegexError (a ValueError) names the pattern
        return value

    from_branch_protection: bool | None = Field(default=None, alias="from-branch-protection")
    """Also require the required checks of the branch's protection on GitHub."""
    overwrite_pending_contexts: bool | None = Field(
        default=None, alias="overwrite-pending-contexts"
    )
    """On a batch merge, set pending job contexts of the merged pull requests to success."""


class TideRepoContextPolicy(TideContextPolicy):
    """Context policy of a repository, with overrides per branch."""

    branches: dict[str, TideContextPolicy] | None = None
    """Overrides by branch name."""


class TideOrgContextPolicy(TideContextPolicy):
    """Context policy of an organisation, with overrides per repository."""

    repos: dict[str, TideRepoContextPolicy] | None = None
    """Overrides by repository name."""


class TideContextPolicyOptions(TideContextPolicy):
    """The installation's context policy, with overrides per org, repository and branch."""

    orgs: dict[str, TideOrgContextPolicy] | None = None
    """Overrides by organisation."""


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
        cel(
            "!has(self.labels) || !has(self.missingLabels)"
            " || !self.labels.exists(l, l in self.missingLabels)",
            "a label cannot be both required (labels) and forbidden (missingLabels)",
        ),
        cel(
            "!has(self.repos) || !has(self.orgs)"
            " || !self.repos.exists(r, self.orgs.exists(o, r.startsWith(o + '/')))",
            "a repository of a listed org belongs in orgs only (use excludedRepos to leave"
            " repositories out)",
        ),
    )

    orgs: list[Org] | None = Field(default=None, max_length=MAX_QUERY_ITEMS)
    """Organisations whose repositories are in the pool."""
    repos: list[OrgRepo] | None = Field(default=None, max_length=MAX_QUERY_ITEMS)
    """Repositories (org/repo) in the pool."""
    excludedRepos: list[OrgRepo] | None = None
    """Repositories (org/repo) of the listed orgs left out."""
    labels: list[LabelName] | None = Field(default=None, max_length=MAX_QUERY_ITEMS)
    """Labels a pull request must have."""
    missingLabels: list[LabelName] | None = Field(default=None, max_length=MAX_QUERY_ITEMS)
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


class PoolAction(ApiModel):
    """One action Tide took for a sub-pool (its history, newest last)."""

    time: Timestamp
    """When."""
    org: str
    """Organisation."""
    repo: str
    """Repository."""
    branch: str
    """Base branch."""
    action: Literal["TRIGGER", "TRIGGER_BATCH", "MERGE", "MERGE_BATCH"]
    """What was done."""
    base_sha: str
    """The base branch's head it was done against."""
    target: list[int] | None = None
    """Pull requests it was about."""
    error: str | None = None
    """What went wrong, if anything."""


class TidePoolStatus(ApiModel):
    """The pool as Tide last synced it."""

    observedGeneration: int | None = None
    """The metadata.generation last synced."""
    lastSyncTime: Timestamp | None = None
    """When Tide last synced the pool."""
    pools: list[PoolStatus] | None = None
    """Sub-pools per org/repo/branch."""
    prsInPool: int | None = None
    """Pull requests in the pool's sub-pools."""
    lastAction: str | None = None
    """The newest action taken (ACTION org/repo:branch #numbers)."""
    history: list[PoolAction] | None = Field(default=None, max_length=100)
    """The newest actions taken, oldest first (bounded)."""
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
            PrinterColumn("In-Pool", ".status.prsInPool", "integer"),
            PrinterColumn("Last-Action", ".status.lastAction"),
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
