"""A real S3-compatible HTTP server for tests: moto's server mode on 127.0.0.1.

No monkey-patching: clients talk S3 over HTTP to the endpoint, as to any S3-compatible
store. moto is a test dependency, imported only when a server is started.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

import boto3

REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"


@dataclass
class S3Server:
    """A running moto server; `stop()` ends it."""

    endpoint: str
    _server: Any

    def client(self) -> Any:
        """A boto3 S3 client for this server (path-style addressing, dummy credentials)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=boto3.session.Config(s3={"addressing_style": "path"}),
        )

    def new_bucket(self, prefix: str = "bucket") -> str:
        """Create a bucket with a fresh name and return the name."""
        name = f"{prefix}-{os.urandom(4).hex()}"
        client = self.client()
        client.create_bucket(Bucket=name)
        client.close()
        return name

    def stop(self) -> None:
        self._server.stop()


def start() -> S3Server:
    from moto.server import ThreadedMotoServer

    # moto's verbose=False still leaves werkzeug's request log on stderr.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return S3Server(f"http://{host}:{port}", server)
