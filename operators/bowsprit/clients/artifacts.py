"""Artifact storage: where the pod utilities write a run's files and deck reads them.

`s3://bucket[/prefix]` goes to any S3-compatible store through boto3 (AWS, MinIO, ...);
a local folder stands in for a bucket in tests and dry runs (Prow's local_output_dir).
Credentials come from a file in Prow's s3-credentials format, else from the environment
(the pod's IAM role, AWS_* variables).
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

logger = logging.getLogger("bowsprit.artifacts")

# botocore's "standard" retry mode backs off exponentially (with jitter) on 5xx,
# throttling and connection errors; eight attempts ride out a restart of the store.
RETRIES = {"max_attempts": 8, "mode": "standard"}


class StorageError(Exception):
    """A storage request failed for good (after retries)."""


class ArtifactStore(Protocol):
    def put(
        self,
        key: str,
        body: bytes | BinaryIO,
        content_type: str | None = None,
        content_encoding: str | None = None,
    ) -> None:
        """Write `key` (relative to the store's root); `content_encoding` (gzip) is stored
        as the object's Content-Encoding so browsers and deck read it transparently."""

    def get(self, key: str) -> bytes: ...

    def list(self, prefix: str) -> list[str]:
        """Keys under `prefix`, sorted."""

    def url(self, key: str) -> str:
        """The key's full location, as Prow writes it in alias files."""


@dataclass(frozen=True)
class S3Credentials:
    """Prow's s3-credentials secret (key service-account.json), field for field."""

    region: str | None = None
    endpoint: str | None = None
    insecure: bool = False
    s3_force_path_style: bool = False
    access_key: str | None = None
    secret_key: str | None = None

    @classmethod
    def from_file(cls, path: str | Path) -> S3Credentials:
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError) as error:
            raise StorageError(f"s3 credentials {path}: {error}") from error
        if not isinstance(data, dict):
            raise StorageError(f"s3 credentials {path}: expected a JSON object")
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**known)

    def endpoint_url(self) -> str | None:
        if not self.endpoint or "://" in self.endpoint:
            return self.endpoint
        return f"{'http' if self.insecure else 'https'}://{self.endpoint}"


def _s3_errors() -> tuple[type[Exception], ...]:
    """botocore's failures; imported when one is being matched, so boto3 is already in."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


class S3Store:
    def __init__(self, bucket: str, prefix: str, credentials: S3Credentials) -> None:
        # boto3 and botocore take about 25 MB and 0.4 s to import: only where S3 is used
        # (crier, sinker, deck and plank import this module whether or not it is).
        import boto3
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix.strip("/")
        style = "path" if credentials.s3_force_path_style else "auto"
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=credentials.endpoint_url(),
            region_name=credentials.region or "us-east-1",
            aws_access_key_id=credentials.access_key,
            aws_secret_access_key=credentials.secret_key,
            config=Config(
                retries=RETRIES,
                s3={"addressing_style": style},
                connect_timeout=10,
                read_timeout=60,
            ),
        )

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(
        self,
        key: str,
        body: bytes | BinaryIO,
        content_type: str | None = None,
        content_encoding: str | None = None,
    ) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        if content_encoding:
            extra["ContentEncoding"] = content_encoding
        try:
            if isinstance(body, bytes):
                self._client.put_object(Bucket=self.bucket, Key=self._key(key), Body=body, **extra)
            else:
                self._client.upload_fileobj(
                    body, self.bucket, self._key(key), ExtraArgs=extra or None
                )
        except _s3_errors() as error:
            raise StorageError(f"put s3://{self.bucket}/{self._key(key)}: {error}") from error

    def get(self, key: str) -> bytes:
        try:
            found = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
            return bytes(found["Body"].read())
        except _s3_errors() as error:
            raise StorageError(f"get s3://{self.bucket}/{self._key(key)}: {error}") from error

    def list(self, prefix: str) -> list[str]:
        keys: list[str] = []
        strip = len(self._key(""))
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(prefix)
        )
        try:
            for page in pages:
                keys += [item["Key"][strip:] for item in page.get("Contents", [])]
        except _s3_errors() as error:
            raise StorageError(f"list s3://{self.bucket}/{self._key(prefix)}: {error}") from error
        return sorted(keys)

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"


class LocalStore:
    """A folder standing in for a bucket."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def put(
        self,
        key: str,
        body: bytes | BinaryIO,
        content_type: str | None = None,
        content_encoding: str | None = None,
    ) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with partial.open("wb") as out:
            if isinstance(body, bytes):
                out.write(body)
            else:
                shutil.copyfileobj(body, out)
        partial.replace(target)

    def get(self, key: str) -> bytes:
        try:
            return (self.root / key).read_bytes()
        except OSError as error:
            raise StorageError(f"get {self.root / key}: {error}") from error

    def list(self, prefix: str) -> list[str]:
        if not self.root.exists():
            return []
        files = (path for path in self.root.rglob("*") if path.is_file())
        keys = (path.relative_to(self.root).as_posix() for path in files)
        return sorted(key for key in keys if key.startswith(prefix))

    def url(self, key: str) -> str:
        return (self.root / key).as_uri()


def open_store(
    bucket: str | None,
    *,
    local_output_dir: str | None = None,
    s3_credentials_file: str | None = None,
) -> ArtifactStore:
    """The store a bucket URL names; local_output_dir wins (as in Prow)."""
    if local_output_dir:
        return LocalStore(local_output_dir)
    if not bucket:
        raise StorageError("no bucket and no local_output_dir configured")
    if not bucket.startswith("s3://"):
        raise StorageError(f"bucket {bucket}: only s3:// buckets are supported")
    name, _, prefix = bucket.removeprefix("s3://").partition("/")
    credentials = (
        S3Credentials.from_file(s3_credentials_file) if s3_credentials_file else S3Credentials()
    )
    return S3Store(name, prefix, credentials)


class BrowsableStore(Protocol):
    """What deck reads: objects, their sizes and one folder level at a time."""

    def get(self, key: str) -> bytes: ...

    def get_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes start..end (inclusive) of `key`."""

    def sizes(self, prefix: str) -> dict[str, int]:
        """Every key under `prefix` with its size."""

    def children(self, prefix: str) -> tuple[list[str], list[str]]:
        """(sub-folders, files) directly under the folder `prefix` (no trailing slash)."""


class BrowsableS3Store(S3Store):
    def get_range(self, key: str, start: int, end: int) -> bytes:
        try:
            found = self._client.get_object(
                Bucket=self.bucket, Key=self._key(key), Range=f"bytes={start}-{end}"
            )
            return bytes(found["Body"].read())
        except _s3_errors() as error:
            raise StorageError(f"get s3://{self.bucket}/{self._key(key)}: {error}") from error

    def sizes(self, prefix: str) -> dict[str, int]:
        found: dict[str, int] = {}
        strip = len(self._key(""))
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(prefix)
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    found[item["Key"][strip:]] = int(item["Size"])
        except _s3_errors() as error:
            raise StorageError(f"list s3://{self.bucket}/{self._key(prefix)}: {error}") from error
        return found

    def children(self, prefix: str) -> tuple[list[str], list[str]]:
        folder = self._key(prefix.rstrip("/") + "/")
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=folder, Delimiter="/"
        )
        folders: list[str] = []
        files: list[str] = []
        try:
            for page in pages:
                folders += [
                    p["Prefix"][len(folder) :].rstrip("/") for p in page.get("CommonPrefixes", [])
                ]
                files += [item["Key"][len(folder) :] for item in page.get("Contents", [])]
        except _s3_errors() as error:
            raise StorageError(f"list s3://{self.bucket}/{folder}: {error}") from error
        return sorted(folders), sorted(files)


def open_bucket(bucket: str, s3_credentials_file: str | None = None) -> BrowsableStore:
    """A bucket deck reads (by name, as in /view/s3/<bucket>/...)."""
    credentials = (
        S3Credentials.from_file(s3_credentials_file) if s3_credentials_file else S3Credentials()
    )
    return BrowsableS3Store(bucket, "", credentials)
