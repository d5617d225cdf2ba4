"""DecorationConfig: how the pod utilities wrap a job's pod (every field Prow has)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bowsprit.api.base import ApiModel, cel, cel_rules
from bowsprit.api.core import ResourceRequirements
from bowsprit.api.types import Duration, Quantity


class UtilityImages(ApiModel):
    """Images of the four pod utilities."""

    clonerefs: str | None = None
    """Image of clonerefs (clones the refs)."""
    initupload: str | None = None
    """Image of initupload (records started.json)."""
    entrypoint: str | None = None
    """Image holding the entrypoint wrapper copied into the test container."""
    sidecar: str | None = None
    """Image of sidecar (uploads logs and artifacts)."""


class UtilityResources(ApiModel):
    """Compute resources of the utility containers."""

    clonerefs: ResourceRequirements | None = None
    """Resources of the clonerefs init container."""
    initupload: ResourceRequirements | None = None
    """Resources of the initupload init container."""
    place_entrypoint: ResourceRequirements | None = None
    """Resources of the place-entrypoint init container."""
    sidecar: ResourceRequirements | None = None
    """Resources of the sidecar container."""


class GCSConfiguration(ApiModel):
    """Where job artifacts are uploaded: any S3-compatible store (GCS is not supported)."""

    model_config = cel_rules(
        cel(
            "!has(self.bucket) || self.bucket.startsWith('s3://')",
            "only s3:// buckets are supported (gs:// and bare GCS bucket names are not)",
            ".bucket",
        )
    )

    bucket: str | None = None
    """Bucket, as s3://name[/prefix]; GCS buckets (gs://name, or a bare name as in Prow) are
    refused at admission and by bowsprit check."""
    path_prefix: str | None = None
    """Prefix prepended to every object path."""
    path_strategy: Literal["legacy", "single", "explicit"] | None = None
    """How the org/repo segment of presubmit paths is built."""
    default_org: str | None = None
    """Organisation left out of paths by the legacy and single strategies."""
    default_repo: str | None = None
    """Repository left out of paths by the legacy and single strategies."""
    mediaTypes: dict[str, str] | None = None
    """Extra file extension to media type mappings for uploads."""
    job_url_prefix: str | None = None
    """Prefix of links to the job's page (for example https://deck.example/view/)."""
    local_output_dir: str | None = None
    """Write artifacts to this local directory instead of a bucket (testing)."""
    compress_file_types: list[str] | None = None
    """File extensions uploaded gzip-compressed; `*` compresses everything."""


class SecretKeyRef(ApiModel):
    """A key of a secret in the pod namespace."""

    name: str | None = None
    """Name of the secret."""
    key: str | None = None
    """Key within the secret."""


class CensoringOptions(ApiModel):
    """How sidecar censors secret values out of logs and artifacts."""

    censoring_concurrency: int | None = Field(default=None, ge=1)
    """Files censored in parallel (default 10)."""
    censoring_buffer_size: int | None = Field(default=None, ge=1)
    """Bytes of each file held in memory while censoring (default 10 MiB)."""
    include_directories: list[str] | None = None
    """Globs under $ARTIFACTS to censor; empty means all."""
    exclude_directories: list[str] | None = None
    """Globs under $ARTIFACTS not to censor."""
    minimum_secret_length: int | None = Field(default=None, ge=0)
    """Secrets shorter than this are not censored."""


class SchedulingOptions(ApiModel):
    """Scheduling defaults applied when the pod spec has none."""

    affinity: dict[str, Any] | None = None
    """Pod affinity."""
    tolerations: list[dict[str, Any]] | None = None
    """Pod tolerations."""


class DecorationConfig(ApiModel):
    """How a decorated job's pod is built: utilities, timeouts, uploads, clone credentials."""

    timeout: Duration | None = None
    """Time after which entrypoint interrupts the test (default 2h)."""
    grace_period: Duration | None = None
    """Time between the interrupt and the kill on timeout or abort (default 15s)."""
    utility_images: UtilityImages | None = None
    """Images of the pod utilities."""
    resources: UtilityResources | None = None
    """Resources of the utility containers."""
    gcs_configuration: GCSConfiguration | None = None
    """Where artifacts are uploaded."""
    gcs_credentials_secret: str | None = None
    """Secret with GCS credentials (service-account.json)."""
    s3_credentials_secret: str | None = None
    """Secret with S3 credentials (service-account.json in Prow's s3 format)."""
    default_service_account_name: str | None = None
    """Service account used when the pod spec names none."""
    ssh_key_secrets: list[str] | None = None
    """Secrets holding SSH keys for cloning private repositories."""
    ssh_host_fingerprints: list[str] | None = None
    """Known host fingerprints for SSH cloning."""
    blobless_fetch: bool | None = None
    """Fetch with --filter=blob:none."""
    sparse_checkout_files: list[str] | None = None
    """Sparse checkout of the primary ref."""
    skip_cloning: bool | None = None
    """Do not clone the refs even when there are some."""
    cookiefile_secret: str | None = None
    """Secret holding a git http.cookiefile (Gerrit)."""
    oauth_token_secret: SecretKeyRef | None = None
    """Secret holding an OAuth token for cloning over HTTPS."""
    github_api_endpoints: list[str] | None = None
    """GitHub API endpoints used to mint App tokens for cloning."""
    github_app_id: str | None = None
    """GitHub App ID used for cloning."""
    github_app_private_key_secret: SecretKeyRef | None = None
    """Secret holding the GitHub App's private key."""
    censor_secrets: bool | None = None
    """Censor the values of mounted secrets out of logs and artifacts."""
    censoring_options: CensoringOptions | None = None
    """Tuning of censoring."""
    upload_ignores_interrupts: bool | None = None
    """Sidecar finishes its upload even when interrupted."""
    set_limit_equals_memory_request: bool | None = None
    """Set the memory limit of test containers to their request."""
    default_memory_request: Quantity | None = None
    """Memory request of test containers that set none."""
    scheduling_options: SchedulingOptions | None = None
    """Affinity and tolerations used when the pod spec has none."""
    pod_pending_timeout: Duration | None = None
    """Overrides plank's pod_pending_timeout for this job."""
    pod_running_timeout: Duration | None = None
    """Overrides plank's pod_running_timeout for this job."""
    pod_unscheduled_timeout: Duration | None = None
    """Overrides plank's pod_unscheduled_timeout for this job."""
    run_as_user: int | None = None
    """Default runAsUser of the pod's security context."""
    run_as_group: int | None = None
    """Default runAsGroup of the pod's security context."""
    fs_group: int | None = None
    """Default fsGroup of the pod's security context."""


# Prow validates a decoration config once it is final (job settings merged over plank's
# defaults), so these rules sit on the ProwJob, not on the pieces that get merged.
FINAL_DECORATION_RULES = (
    cel(
        "!has(self.decoration_config) || !has(self.decoration_config.gcs_configuration)"
        " || !has(self.decoration_config.gcs_configuration.path_strategy)"
        " || self.decoration_config.gcs_configuration.path_strategy == 'explicit'"
        " || has(self.decoration_config.gcs_configuration.default_org)"
        " && has(self.decoration_config.gcs_configuration.default_repo)",
        "path_strategy legacy and single need default_org and default_repo",
        ".decoration_config.gcs_configuration",
    ),
    cel(
        "!has(self.decoration_config) || !has(self.decoration_config.ssh_key_secrets)"
        " || size(self.decoration_config.ssh_key_secrets) == 0"
        " || !has(self.decoration_config.oauth_token_secret)",
        "ssh_key_secrets and oauth_token_secret are mutually exclusive",
        ".decoration_config",
    ),
)
