"""Artifact storage: Prow's s3-credentials format, S3 over real HTTP (moto), retries through
a store that fails on purpose, and the local folder stand-in."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bowsprit.clients.artifacts import LocalStore, S3Credentials, StorageError, open_store
from bowsprit.testing import s3


@pytest.fixture(scope="module")
def server() -> Iterator[s3.S3Server]:
    running = s3.start()
    yield running
    running.stop()


def credentials_file(tmp_path: Path, endpoint: str) -> str:
    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "region": s3.REGION,
                "endpoint": endpoint,
                "insecure": True,
                "s3_force_path_style": True,
                "access_key": s3.ACCESS_KEY,
                "secret_key": s3.SECRET_KEY,
            }
        )
    )
    return str(path)


def test_prows_credentials_format(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{"endpoint": "minio:9000", "insecure": true, "access_key": "a", "other": 1}')
    credentials = S3Credentials.from_file(path)
    assert credentials.endpoint_url() == "http://minio:9000" and credentials.access_key == "a"
    assert S3Credentials(endpoint="minio:9000").endpoint_url() == "https://minio:9000"
    assert S3Credentials().endpoint_url() is None
    path.write_text("[]")
    with pytest.raises(StorageError, match="JSON object"):
        S3Credentials.from_file(path)


def test_bucket_urls(tmp_path: Path) -> None:
    assert isinstance(open_store("s3://b", local_output_dir=str(tmp_path)), LocalStore)
    with pytest.raises(StorageError, match="only s3://"):
        open_store("gs://b")
    with pytest.raises(StorageError, match="no bucket"):
        open_store(None)


def test_s3_with_a_prefix(server: s3.S3Server, tmp_path: Path) -> None:
    bucket = server.new_bucket()
    endpoint = credentials_file(tmp_path, server.endpoint)
    store = open_store(f"s3://{bucket}/ci/logs", s3_credentials_file=endpoint)
    store.put("a/b.txt", b"hello", "text/plain")
    (tmp_path / "big").write_bytes(b"x" * 100_000)
    with (tmp_path / "big").open("rb") as body:
        store.put("a/big", body)
    assert store.get("a/b.txt") == b"hello" and store.list("a/") == ["a/b.txt", "a/big"]
    assert store.url("a") == f"s3://{bucket}/ci/logs/a"
    client = server.client()
    found = client.head_object(Bucket=bucket, Key="ci/logs/a/b.txt")
    client.close()
    assert found["ContentType"] == "text/plain"
    with pytest.raises(StorageError, match=f"get s3://{bucket}/ci/logs/absent"):
        store.get("absent")


class Flaky(BaseHTTPRequestHandler):
    """Forwards to the S3 server, answering 503 SlowDown to the first `failures` requests."""

    target = ""
    failures = 0
    seen = 0
    lock = threading.Lock()

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with Flaky.lock:
            Flaky.seen += 1
            fail = Flaky.seen <= Flaky.failures
        if fail:
            error = b"<Error><Code>SlowDown</Code><Message>busy</Message></Error>"
            self.send_response(503)
            self.send_header("Content-Length", str(len(error)))
            self.end_headers()
            self.wfile.write(error)
            return
        upstream = http.client.HTTPConnection(urlsplit(Flaky.target).netloc)
        upstream.request(self.command, self.path, body, dict(self.headers))
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_transient_errors_are_retried(server: s3.S3Server, tmp_path: Path) -> None:
    bucket = server.new_bucket()
    Flaky.target, Flaky.failures, Flaky.seen = server.endpoint, 3, 0
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{proxy.server_address[1]}"
        store = open_store(
            f"s3://{bucket}", s3_credentials_file=credentials_file(tmp_path, endpoint)
        )
        store.put("build-log.txt", b"the log")
        assert Flaky.seen == 4  # three 503s, then the write that landed
        assert store.get("build-log.txt") == b"the log"
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_local_store(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "out")
    store.put("x/y.txt", b"1")
    assert store.get("x/y.txt") == b"1" and store.list("x") == ["x/y.txt"]
    assert LocalStore(tmp_path / "none").list("") == []
