"""The pod utilities' options, in Prow's JSON shapes (CLONEREFS_OPTIONS, INITUPLOAD_OPTIONS,
ENTRYPOINT_OPTIONS, SIDECAR_OPTIONS), so decorated pods read as Prow users expect.

Decoration writes them; the utilities read them back. Unknown keys are ignored so options
written by a newer plank never stop an older utility.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, field_serializer, field_validator

from bowsprit.api.refs import Refs

NANOSECONDS = 1_000_000_000


class Options(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    def to_env(self) -> str:
        return self.model_dump_json(exclude_none=True)


class UploadOptions(Options):
    """Where and how initupload and sidecar upload (Prow's gcsupload.Options, flattened)."""

    items: list[str] = []
    bucket: str | None = None
    path_prefix: str | None = None
    path_strategy: str | None = None
    default_org: str | None = None
    default_repo: str | None = None
    mediaTypes: dict[str, str] | None = None
    compress_file_types: list[str] | None = None
    local_output_dir: str | None = None
    gcs_credentials_file: str | None = None
    s3_credentials_file: str | None = None
    dry_run: bool = False


class InitUploadOptions(UploadOptions):
    log: str = "/logs/clone.json"
    """The clone records clonerefs wrote."""


class CloneRefsOptions(Options):
    src_root: str = "/home/prow/go"
    log: str = "/logs/clone.json"
    git_user_name: str = "ci-robot"
    git_user_email: str = "ci-robot@k8s.io"
    refs: list[Refs] = []
    key_files: list[str] | None = None
    host_fingerprints: list[str] | None = None
    oauth_token_file: str | None = None
    cookie_path: str | None = None
    github_app_id: str | None = None
    github_app_private_key_file: str | None = None
    github_api_endpoints: list[str] | None = None
    blobless_fetch: bool | None = None
    sparse_checkout_files: list[str] | None = None


class WrapperOptions(Options):
    """One test container as entrypoint runs it and sidecar waits for it."""

    args: list[str] = []
    container_name: str = "test"
    process_log: str = "/logs/process-log.txt"
    marker_file: str = "/logs/marker-file.txt"
    metadata_file: str = "/logs/artifacts/metadata.json"


class EntrypointOptions(WrapperOptions):
    """Durations travel as nanoseconds, as Go's time.Duration marshals."""

    timeout: timedelta = timedelta(hours=2)
    grace_period: timedelta = timedelta(seconds=15)
    artifact_dir: str = "/logs/artifacts"

    @field_serializer("timeout", "grace_period")
    def _nanoseconds(self, value: timedelta) -> int:
        return (value.days * 86_400 + value.seconds) * NANOSECONDS + value.microseconds * 1000

    @field_validator("timeout", "grace_period", mode="before")
    @classmethod
    def _from_nanoseconds(cls, value: Any) -> Any:
        return timedelta(microseconds=value / 1000) if isinstance(value, int) else value


class CensoringOptions(Options):
    secret_directories: list[str] = []
    censoring_concurrency: int | None = None
    censoring_buffer_size: int | None = None
    include_directories: list[str] | None = None
    exclude_directories: list[str] | None = None
    minimum_secret_length: int | None = None


class SidecarOptions(Options):
    gcs_options: UploadOptions = UploadOptions()
    entries: list[WrapperOptions] = []
    ignore_interrupts: bool = False
    censoring_options: CensoringOptions | None = None
    entry_error: bool = False
