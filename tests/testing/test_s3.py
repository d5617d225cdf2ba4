from __future__ import annotations

from collections.abc import Iterator

import pytest

from bowsprit.testing import s3


@pytest.fixture(scope="module")
def server() -> Iterator[s3.S3Server]:
    running = s3.start()
    yield running
    running.stop()


def test_put_get_list_over_http(server: s3.S3Server) -> None:
    assert server.endpoint.startswith("http://127.0.0.1:")
    bucket = server.new_bucket("logs")
    client = server.client()
    client.put_object(
        Bucket=bucket, Key="logs/job/1/build-log.txt", Body=b"ok\n", ContentType="text/plain"
    )
    got = client.get_object(Bucket=bucket, Key="logs/job/1/build-log.txt")
    assert got["Body"].read() == b"ok\n" and got["ContentType"] == "text/plain"
    listed = client.list_objects_v2(Bucket=bucket, Prefix="logs/")
    assert [item["Key"] for item in listed["Contents"]] == ["logs/job/1/build-log.txt"]
    client.close()


def test_buckets_are_fresh(server: s3.S3Server) -> None:
    assert server.new_bucket() != server.new_bucket()
