"""PluginConfig: which hook plugins run for an org or repository, and their settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from bowsprit.api.base import AGE_COLUMN, ApiModel, Condition, KindInfo, PrinterColumn, Resource
from bowsprit.api.types import Duration
from bowsprit.lib import goregex

ORG_OR_REPO_PATTERN = r"^[^/\s]+(/[^/\s]+)?$"
OrgOrRepo = Annotated[str, Field(pattern=ORG_OR_REPO_PATTERN)]
PluginName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-_]*$")]


class ExternalPlugin(ApiModel):
    """A plugin served over HTTP that receives the raw webhooks."""

    name: PluginName
    """Name of the plugin."""
    endpoint: str | None = None
    """URL the webhooks are forwarded to (default http://<name>, as Prow's)."""
    events: list[str] | None = None
    """GitHub event types forwarded; empty forwards all."""


class TriggerSettings(ApiModel):
    """Settings of the trigger plugin."""

    trusted_apps: list[str] | None = None
    """GitHub Apps whose pull requests are trusted (without the [bot] suffix)."""
    only_org_members: bool | None = None
    """Trust only organisation members, not repository collaborators."""
    ignore_ok_to_test: bool | None = None
    """Do not offer /ok-to-test; only collaborators may /test."""
    join_org_url: str | None = None
    """Link shown to untrusted contributors on how to join the organisation."""
    trusted_org: str | None = None
    """Members of this organisation are trusted too (deprecated in Prow)."""
    trigger_github_workflows: bool | None = None
    """/retest and /test all also rerun failed GitHub Actions runs."""


class LgtmSettings(ApiModel):
    """Settings of the lgtm plugin."""

    review_acts_as_lgtm: bool | None = None
    """An approving GitHub review counts as /lgtm."""
    store_tree_hash: bool | None = None
    """Keep lgtm across pushes that do not change the tree."""
    trusted_team_for_sticky_lgtm: str | None = None
    """Team whose lgtm survives new pushes."""


class ApproveSettings(ApiModel):
    """Settings of the approve plugin."""

    require_self_approval: bool | None = None
    """Authors must /approve their own pull requests."""
    lgtm_acts_as_approve: bool | None = None
    """/lgtm also approves."""
    ignore_review_state: bool | None = None
    """Ignore GitHub review states."""
    issue_required: bool | None = None
    """An approval needs a linked issue."""
    commandHelpLink: str | None = None
    """Link to the command help shown in the approval notification."""
    pr_process_link: str | None = None
    """Link to the pull request process shown in the approval notification."""


class SizeSettings(ApiModel):
    """Thresholds (changed lines) of the size plugin's labels."""

    s: int | None = Field(default=None, ge=0)
    """Smallest size/S."""
    m: int | None = Field(default=None, ge=0)
    """Smallest size/M."""
    l: int | None = Field(default=None, ge=0)  # noqa: E741 - Prow's key
    """Smallest size/L."""
    xl: int | None = Field(default=None, ge=0)
    """Smallest size/XL."""
    xxl: int | None = Field(default=None, ge=0)
    """Smallest size/XXL."""


class AssignOnLabel(ApiModel):
    """A label whose addition assigns a restricted label's allowed users."""

    label: str = Field(min_length=1)
    """When this label is added, the allowed users are assigned."""


class RestrictedLabel(ApiModel):
    """A label only some teams or users may add or remove."""

    label: str = Field(min_length=1)
    """The restricted label."""
    allowed_teams: list[str] | None = None
    """Slugs of the org's teams whose members may set it."""
    allowed_users: list[str] | None = None
    """Logins that may set it."""
    assign_on: list[AssignOnLabel] | None = None
    """Labels whose addition assigns the allowed users."""


class LabelSettings(ApiModel):
    """Settings of the label plugin."""

    additional_labels: list[str] | None = None
    """Labels besides the prefixed families that /label may add."""
    restricted_labels: dict[str, list[RestrictedLabel]] | None = None
    """Restricted labels by scope: `*`, an org, or org/repo."""


class WelcomeSettings(ApiModel):
    """Settings of the welcome plugin."""

    message_template: str | None = None
    """Message posted on a first-time contributor's pull request."""
    always_post: bool | None = None
    """Post the message on every pull request, not only a contributor's first."""


class OwnersSettings(ApiModel):
    """How OWNERS files are read, for the lgtm, approve, verify-owners and owners-label
    plugins (Prow's `owners` section, for the repositories of this PluginConfig)."""

    skip_collaborators: bool | None = None
    """Use only OWNERS files for access control: approvers and reviewers need not be
    collaborators, and lgtm checks OWNERS reviewers instead of collaborators."""
    labels_denylist: list[str] | None = None
    """Labels OWNERS files may not list (verify-owners flags them)."""
    owners_filename: str | None = Field(default=None, pattern=r"^[^/]+$")
    """Name of the OWNERS files (default OWNERS)."""
    owners_aliases_filename: str | None = Field(default=None, pattern=r"^[^/]+$")
    """Name of the aliases file at the repository root (default OWNERS_ALIASES)."""
    dir_denylist: list[str] | None = None
    """Regular expressions of folders whose OWNERS files are ignored (Prow's
    owners_dir_denylist)."""


class DcoSettings(ApiModel):
    """Settings of the dco plugin."""

    skip_dco_check_for_members: bool | None = None
    """Commits by members of trusted_org (default the PR's org) need no sign-off."""
    trusted_apps: list[str] | None = None
    """GitHub Apps (without the [bot] suffix) whose commits need no sign-off."""
    trusted_org: str | None = None
    """The org whose members are trusted when skip_dco_check_for_members is set."""
    skip_dco_check_for_collaborators: bool | None = None
    """Commits by repository collaborators need no sign-off."""
    contributing_repo: str | None = Field(default=None, pattern=r"^[^/\s]+/[^/\s]+$")
    """org/repo holding the CONTRIBUTING.md linked from the comment (default the PR's)."""
    contributing_branch: str | None = None
    """Branch of the linked CONTRIBUTING.md (default master)."""
    contributing_path: str | None = None
    """Path of the linked CONTRIBUTING.md (default CONTRIBUTING.md)."""


class RequireMatchingLabelSettings(ApiModel):
    """One rule of the require-matching-label plugin: items with no label matching
    `regexp` get `missing_label`."""

    org: str | None = None
    """Org the rule applies to (default: every org of this PluginConfig)."""
    repo: str | None = None
    """Repository of the org the rule applies to (default: all)."""
    branch: str | None = None
    """Base branch of the PRs it applies to (default: all)."""
    prs: bool | None = None
    """Apply to pull requests."""
    issues: bool | None = None
    """Apply to issues."""
    regexp: str = Field(min_length=1)
    """Regular expression (Go RE2 syntax) a label must match."""
    missing_label: str = Field(min_length=1)
    """Label applied when no label matches."""
    missing_comment: str | None = None
    """Comment posted when the missing label is applied."""
    grace_period: Duration = timedelta(seconds=5)
    """Wait this long after opened/reopened so other automation can label first."""

    @model_validator(mode="after")
    def _valid(self) -> RequireMatchingLabelSettings:
        try:
            compiled = goregex.compile(self.regexp)  # Prow compiles it with Go's regexp
        except goregex.GoRegexError as error:
            raise ValueError(f"regexp: {error}") from error
        if compiled.search(self.missing_label):
            raise ValueError(
                f"missing_label: {self.missing_label!r} must not match regexp {self.regexp!r}"
            )
        if not self.prs and not self.issues:
            raise ValueError("prs or issues must be true")
        if self.branch and not self.prs:
            raise ValueError("branch: only valid with prs: true")
        return self


class HelpSettings(ApiModel):
    """Settings of the help plugin."""

    help_guidelines_url: str | None = None
    """Page of the help-wanted guidelines (default Kubernetes' help-wanted.md)."""
    help_guidelines_summary: str | None = None
    """Summary of the guidelines shown in the comment."""


class BlunderbussSettings(ApiModel):
    """Settings of the blunderbuss plugin."""

    request_count: int | None = Field(default=None, ge=0)
    """Reviewers requested at least (default 2)."""
    max_request_count: int | None = Field(default=None, ge=0)
    """Reviewers requested at most (0: no limit)."""
    exclude_approvers: bool | None = None
    """Never request reviews from approvers."""
    use_status_availability: bool | None = None
    """Skip reviewers whose GitHub status says they are busy."""
    ignore_drafts: bool | None = None
    """Request no reviews on draft pull requests."""
    ignore_authors: list[str] | None = None
    """Authors whose pull requests get no review requests."""


class RetitleSettings(ApiModel):
    """Settings of the retitle plugin."""

    allow_closed_issues: bool | None = None
    """Allow retitling closed issues and pull requests."""


class MilestoneSettings(ApiModel):
    """Settings of the milestone plugin for one repository."""

    maintainers_id: int | None = None
    """ID of the maintainers team (deprecated in Prow: use maintainers_team)."""
    maintainers_team: str | None = None
    """Slug of the team whose members may set milestones."""
    maintainers_friendly_name: str | None = None
    """How the comments name the maintainers team."""


class ReleaseNoteSettings(ApiModel):
    """Settings of the release-note plugin."""

    guidelines_url: str | None = None
    """Page of the release-note guidelines (default Kubernetes' release-notes.md)."""


class ImageServiceSettings(ApiModel):
    """Settings of the cat, dog and goose plugins."""

    endpoint: str | None = None
    """URL of the image service's search API (default Prow's public service)."""
    key_path: str | None = None
    """File holding the service's API key (cat, goose)."""


class BranchCleanerSettings(ApiModel):
    """Settings of the branchcleaner plugin."""

    preserved_branches: list[str] | None = None
    """Branches never deleted (Prow's preserved_branches of this org or repository)."""


class PluginConfigSpec(ApiModel):
    """Plugins enabled for the listed orgs and repositories."""

    repos: list[OrgOrRepo] = Field(min_length=1)
    """Organisations (org) or repositories (org/repo) this applies to."""
    excluded_repos: list[Annotated[str, Field(pattern=r"^[^/\s]+/[^/\s]+$")]] | None = None
    """Repositories of the listed organisations left out."""
    plugins: list[PluginName] | None = None
    """Names of the plugins to run."""
    external_plugins: list[ExternalPlugin] | None = None
    """Plugins served over HTTP."""
    trigger: TriggerSettings | None = None
    """Settings of the trigger plugin."""
    lgtm: LgtmSettings | None = None
    """Settings of the lgtm plugin."""
    approve: ApproveSettings | None = None
    """Settings of the approve plugin."""
    size: SizeSettings | None = None
    """Settings of the size plugin."""
    label: LabelSettings | None = None
    """Settings of the label plugin."""
    welcome: WelcomeSettings | None = None
    """Settings of the welcome plugin."""
    dco: DcoSettings | None = None
    """Settings of the dco plugin."""
    require_matching_label: list[RequireMatchingLabelSettings] | None = None
    """Rules of the require-matching-label plugin."""
    owners: OwnersSettings | None = None
    """How OWNERS files are read (lgtm, approve, verify-owners, owners-label)."""
    help: HelpSettings | None = None
    """Settings of the help plugin."""
    blunderbuss: BlunderbussSettings | None = None
    """Settings of the blunderbuss plugin."""
    retitle: RetitleSettings | None = None
    """Settings of the retitle plugin."""
    milestone: MilestoneSettings | None = None
    """Settings of the milestone plugin (Prow's repo_milestone entry of this repository)."""
    release_note: ReleaseNoteSettings | None = None
    """Settings of the release-note plugin."""
    cat: ImageServiceSettings | None = None
    """Settings of the cat plugin."""
    dog: ImageServiceSettings | None = None
    """Settings of the dog plugin."""
    goose: ImageServiceSettings | None = None
    """Settings of the goose plugin."""
    branchcleaner: BranchCleanerSettings | None = None
    """Settings of the branchcleaner plugin."""


class PluginConfigStatus(ApiModel):
    """What hook made of the PluginConfig."""

    conditions: list[Condition] | None = None
    """`Accepted`: True when hook uses the PluginConfig; False (reason `UnknownPlugin`,
    or `Invalid` for another fault) when it ignores it whole, the message naming the
    field at fault."""


class PluginConfig(Resource):
    """Hook plugin settings for orgs and repositories."""

    KIND: ClassVar[KindInfo] = KindInfo(
        kind="PluginConfig",
        plural="pluginconfigs",
        singular="pluginconfig",
        short_names=("plc",),
        printer_columns=(
            PrinterColumn("Repos", ".spec.repos"),
            PrinterColumn("Plugins", ".spec.plugins"),
            AGE_COLUMN,
        ),
    )

    kind: Literal["PluginConfig"] = "PluginConfig"
    """PluginConfig."""
    spec: PluginConfigSpec
    """Which plugins, for whom."""
    status: PluginConfigStatus = Field(default_factory=PluginConfigStatus)
    """Whether hook accepted it (written by hook)."""
