"""What initupload and sidecar write, and where (PROW-REFERENCE 3.6, 3.7).

Every object goes under the run's folder (jobpod.storage.job_dir) except the indexes:
latest-build.txt files and, for presubmits, the pr-logs/directory alias.
"""

from __future__ import annotations

import gzip
import json
import logging
import mimetypes
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bowsprit.api.decoration import GCSConfiguration
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.clients.artifacts import ArtifactStore, StorageError, open_store
from bowsprit.jobpod.decorate import all_refs
from bowsprit.jobpod.downward import refs_string
from bowsprit.jobpod.options import UploadOptions
from bowsprit.jobpod.storage import alias_key, job_dir, latest_build_keys
from bowsprit.podutils.jobenv import Run

logger = logging.getLogger("bowsprit.upload")
ROUNDS = 3
TEXT = "text/plain; charset=utf-8"
GZIP_PROBE = 1025  # bytes read to decide whether to compress (Prow: a first write > 1 KB)
SPOOL_BYTES = 8 * 1024 * 1024  # compressed files larger than this spill to disk


@dataclass(frozen=True)
class Upload:
    """One object: its key under the run's folder (or absolute with `index`) and content."""

    key: str
    data: bytes | None = None
    path: Path | None = None
    index: bool = False


def storage_of(options: UploadOptions) -> GCSConfiguration:
    return GCSConfiguration(
        bucket=options.bucket,
        path_prefix=options.path_prefix,
        path_strategy=options.path_strategy,
        default_org=options.default_org,
        default_repo=options.default_repo,
    )


def store_for(options: UploadOptions) -> ArtifactStore:
    return open_store(
        options.bucket,
        local_output_dir=options.local_output_dir,
        s3_credentials_file=options.s3_credentials_file,
    )


def json_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, indent=2, sort_keys=True).encode()


def revision(spec: ProwJobSpec, final_sha: str | None = None) -> str:
    """The tested commit: the clone's final SHA, else the pull's or base's SHA."""
    if final_sha:
        return final_sha
    refs = spec.refs or (spec.extra_refs[0] if spec.extra_refs else None)
    if refs is None:
        return ""
    if refs.pulls:
        return refs.pulls[0].sha
    return refs.base_sha or refs.base_ref or ""


def started(spec: ProwJobSpec, now: datetime, final_sha: str | None) -> dict[str, Any]:
    """started.json in testgrid's metadata format."""
    body: dict[str, Any] = {
        "timestamp": int(now.timestamp()),
        "repos": {f"{refs.org}/{refs.repo}": refs_string(refs) for refs in all_refs(spec)},
        "repo-version": revision(spec, final_sha),
        "repo-commit": revision(spec, final_sha),
    }
    if spec.type == "presubmit" and spec.refs and spec.refs.pulls:
        body["pull"] = str(spec.refs.pulls[0].number)
    return body


def finished(
    now: datetime, result: str, spec: ProwJobSpec, final_sha: str | None, metadata: dict[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "timestamp": int(now.timestamp()),
        "passed": result == "SUCCESS",
        "result": result,
        "revision": revision(spec, final_sha),
    }
    if metadata:
        body["metadata"] = metadata
    return body


def indexes(run: Run, storage: GCSConfiguration, store: ArtifactStore) -> list[Upload]:
    """latest-build.txt files and the presubmit alias."""
    uploads = [
        Upload(key, data=run.build_id.encode(), index=True)
        for key in latest_build_keys(run.spec, storage)
    ]
    alias = alias_key(run.spec, run.build_id, storage)
    if alias:
        folder = store.url(job_dir(run.spec, run.build_id, storage))
        uploads.append(Upload(alias, data=folder.encode(), index=True))
    return uploads


def content_type(key: str, media_types: dict[str, str] | None) -> str | None:
    extension = Path(key).suffix.lstrip(".")
    if media_types and extension in media_types:
        return media_types[extension]
    if extension in ("txt", "log"):
        return TEXT
    guessed, _ = mimetypes.guess_type(key)
    return guessed


def upload_all(
    store: ArtifactStore, run: Run, options: UploadOptions, uploads: Iterable[Upload]
) -> list[str]:
    """Upload everything; a failed object is retried in later rounds and never stops the
    others. Returns the keys that could not be written."""
    folder = job_dir(run.spec, run.build_id, storage_of(options))
    pending = list(uploads)
    for round_number in range(ROUNDS):
        failed = []
        for upload in pending:
            key = upload.key if upload.index else f"{folder}/{upload.key}"
            if options.dry_run:
                logger.info("dry run: would upload %s", key)
                continue
            try:
                _put(store, key, upload, options)
            except (StorageError, OSError) as error:
                logger.warning("upload of %s failed: %s", key, error)
                failed.append(upload)
        if not failed:
            return []
        pending = failed
        if round_number + 1 < ROUNDS:
            time.sleep(2**round_number)  # backoff before the next round
    return [upload.key for upload in pending]


def _put(store: ArtifactStore, key: str, upload: Upload, options: UploadOptions) -> None:
    kind = content_type(key, options.mediaTypes)
    compress = should_compress(key, options.compress_file_types)
    if upload.data is not None:
        if compress and worth_compressing(upload.data[:GZIP_PROBE]):
            store.put(key, gzip.compress(upload.data), kind or TEXT, "gzip")
        else:
            store.put(key, upload.data, kind)
        return
    assert upload.path is not None
    with upload.path.open("rb") as body:
        if not (compress and worth_compressing(body.read(GZIP_PROBE))):
            body.seek(0)
            store.put(key, body, kind)
            return
        body.seek(0)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as packed:
            with gzip.GzipFile(fileobj=packed, mode="wb") as zipped:
                shutil.copyfileobj(body, zipped)
            packed.seek(0)
            store.put(key, packed, kind or TEXT, "gzip")  # type: ignore[arg-type]


def should_compress(key: str, types: list[str] | None) -> bool:
    """compress_file_types: by extension, `*` for all; never what is gzip already (Prow's
    shouldCompressFileType)."""
    extension = Path(key).suffix.removeprefix(".")
    if not types or extension in ("gz", "gzip"):
        return False
    return "*" in types or extension in types


def worth_compressing(head: bytes) -> bool:
    """Prow compresses only writes over 1 KB that are not gzip data already."""
    return len(head) > 1024 and not head.startswith(b"\x1f\x8b")
