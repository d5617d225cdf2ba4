"""PluginConfig: which hook plugins run for an org or repository, and their settings."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from bowsprit.api.base import AGE_COLUMN, ApiModel, KindInfo, PrinterColumn, Resource

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


class LabelSettings(ApiModel):
    """Settings of the label plugin."""

    additional_labels: list[str] | None = None
    """Labels besides the prefixed families that /label may add."""


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
    owners: OwnersSettings | None = None
    """How OWNERS files are read (lgtm, approve, verify-owners, owners-label)."""


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
