"""compress_file_types: matching files over 1 KB are gzip-encoded on upload and stored with
Content-Encoding: gzip (Prow's pkg/pod-utils/gcs/upload.go), checked against moto's S3."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.clients.artifacts import open_store
from bowsprit.jobpod.options import UploadOptions
from bowsprit.podutils.jobenv import Run
from bowsprit.podutils.upload import Upload, should_compress, upload_all
from bowsprit.testing import s3


@pytest.fixture(scope="module")
def server() -> Iterator[s3.S3Server]:
    running = s3.start()
    yield running
    running.stop()


@pytest.mark.parametrize(
    ("key", "types", "expected"),
    [  # Prow's TestShouldCompressFileType, plus gzip files and no setting
        ("some-file.txt", ["*"], True),
        ("some-file.txt", ["txt"], True),
        ("some-file.txt", ["log", "json"], False),
        ("build-log.txt.gz", ["*"], False),
        ("some-file.txt", None, False),
    ],
)
def test_which_files_are_compressed(key: str, types: list[str] | None, expected: bool) -> None:
    assert should_compress(key, types) is expected


def test_matching_files_are_uploaded_gzip_encoded(server: s3.S3Server, tmp_path: Path) -> None:
    bucket = server.new_bucket()
    credentials = tmp_path / "service-account.json"
    credentials.write_text(
        json.dumps(
            {
                "region": s3.REGION,
                "endpoint": server.endpoint,
                "insecure": True,
                "s3_force_path_style": True,
                "access_key": s3.ACCESS_KEY,
                "secret_key": s3.SECRET_KEY,
            }
        )
    )
    log = b"line of the build log\n" * 200
    (tmp_path / "junit.xml").write_bytes(b"<testsuite/>" * 200)
    (tmp_path / "small.txt").write_bytes(b"short")
    options = UploadOptions(
        bucket=f"s3://{bucket}",
        s3_credentials_file=str(credentials),
        compress_file_types=["txt"],
    )
    store = open_store(options.bucket, s3_credentials_file=options.s3_credentials_file)
    run = Run(ProwJobSpec(type="periodic", job="nightly"), "7", "pj")
    uploads = [
        Upload("build-log.txt", data=log),
        Upload("small.txt", path=tmp_path / "small.txt"),
        Upload("artifacts/junit.xml", path=tmp_path / "junit.xml"),
    ]
    assert upload_all(store, run, options, uploads) == []
    client = server.client()
    try:
        head = client.head_object(Bucket=bucket, Key="logs/nightly/7/build-log.txt")
        raw = client.get_object(Bucket=bucket, Key="logs/nightly/7/build-log.txt")["Body"].read()
        small = client.head_object(Bucket=bucket, Key="logs/nightly/7/small.txt")
        junit = client.head_object(Bucket=bucket, Key="logs/nightly/7/artifacts/junit.xml")
    finally:
        client.close()
    assert head["ContentEncoding"] == "gzip"
    assert head["ContentType"] == "text/plain; charset=utf-8"
    assert gzip.decompress(raw) == log and len(raw) < len(log)
    assert "ContentEncoding" not in small  # 1 KB or less: not worth it (Prow's rule)
    assert "ContentEncoding" not in junit  # xml is not in compress_file_types


def test_a_large_file_is_compressed_through_a_spool(tmp_path: Path) -> None:
    (tmp_path / "process-log.txt").write_bytes(b"x" * 5000)
    out = tmp_path / "out"
    local = open_store(None, local_output_dir=str(out))
    options = UploadOptions(local_output_dir=str(out), compress_file_types=["*"])
    run = Run(ProwJobSpec(type="periodic", job="nightly"), "8", "pj")
    upload = Upload("process-log.txt", path=tmp_path / "process-log.txt")
    assert upload_all(local, run, options, [upload]) == []
    stored = (out / "logs/nightly/8/process-log.txt").read_bytes()
    assert gzip.decompress(stored) == b"x" * 5000
