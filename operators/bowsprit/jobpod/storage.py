"""Where a run's files go in blob storage (Prow's pod-utils/gcs target, PROW-REFERENCE 3.6)."""

from __future__ import annotations

from bowsprit.api.decoration import GCSConfiguration
from bowsprit.api.prowjob import ProwJobSpec


def repo_segment(org: str, repo: str, storage: GCSConfiguration) -> str:
    """The repository's part of a presubmit's path, by path_strategy."""
    strategy = storage.path_strategy or "explicit"
    default_org, default_repo = storage.default_org or "", storage.default_repo or ""
    if strategy == "legacy":
        if org == default_org:
            return "" if repo == default_repo else repo
    elif strategy == "single" and org == default_org and repo == default_repo:
        return ""
    return f"{org}_{repo.replace('/', '_')}"


def job_dir(spec: ProwJobSpec, build_id: str, storage: GCSConfiguration) -> str:
    """The run's folder in the bucket, without the bucket."""
    if spec.type == "presubmit" and spec.refs and spec.refs.pulls:
        segment = repo_segment(spec.refs.org, spec.refs.repo, storage)
        parts = ["pr-logs", "pull", segment, str(spec.refs.pulls[0].number), spec.job, build_id]
    elif spec.type == "batch":
        parts = ["pr-logs", "pull", "batch", spec.job, build_id]
    else:
        parts = ["logs", spec.job, build_id]
    return _prefixed(storage, *parts)


def bucket_url(bucket: str) -> tuple[str, str]:
    """(provider, bucket name) of a bucket given as `s3://name`, `gs://name` or `name`."""
    for provider in ("s3", "gs"):
        if bucket.startswith(f"{provider}://"):
            return provider, bucket.removeprefix(f"{provider}://")
    return "gs", bucket


def _prefixed(storage: GCSConfiguration, *parts: str) -> str:
    return "/".join(part for part in [storage.path_prefix or "", *parts] if part)


def latest_build_keys(spec: ProwJobSpec, storage: GCSConfiguration) -> list[str]:
    """latest-build.txt files that point at the newest run (Prow's LatestBuildForSpec)."""
    if spec.type in ("periodic", "postsubmit"):
        return [_prefixed(storage, "logs", spec.job, "latest-build.txt")]
    keys = [_prefixed(storage, "pr-logs", "directory", spec.job, "latest-build.txt")]
    if spec.type == "presubmit" and spec.refs and spec.refs.pulls:
        segment = repo_segment(spec.refs.org, spec.refs.repo, storage)
        number = str(spec.refs.pulls[0].number)
        keys.append(
            _prefixed(storage, "pr-logs", "pull", segment, number, spec.job, "latest-build.txt")
        )
    return keys


def alias_key(spec: ProwJobSpec, build_id: str, storage: GCSConfiguration) -> str | None:
    """pr-logs/directory/<job>/<build>.txt: where a presubmit's run is found by job name."""
    if spec.type != "presubmit":
        return None
    return _prefixed(storage, "pr-logs", "directory", spec.job, f"{build_id}.txt")
