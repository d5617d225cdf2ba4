"""Deliver webhooks signed exactly as GitHub signs them, and load the real samples."""

from __future__ import annotations

import hashlib
import hmac
import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[5] / "shared" / "fixtures" / "github-webhooks"


def sign(secret: bytes, body: bytes) -> str:
    """The X-Hub-Signature-256 header value."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Delivery:
    status: int
    body: bytes
    delivery_id: str


def deliver_webhook(
    url: str,
    event: str,
    body: bytes,
    secret: bytes,
    delivery_id: str | None = None,
    timeout: float = 10,
) -> Delivery:
    """POST a webhook as GitHub does (headers, HMAC-SHA256 signature) and return the answer."""
    guid = delivery_id or str(uuid.UUID(bytes=os.urandom(16), version=4))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/bowsprit-fake",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": guid,
            "X-GitHub-Hook-ID": "1",
            "X-Hub-Signature-256": sign(secret, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Delivery(response.status, response.read(), guid)
    except urllib.error.HTTPError as error:
        with error:
            return Delivery(error.code, error.read(), guid)


@dataclass(frozen=True)
class Sample:
    """A real webhook payload published by octokit: event, example name, raw bytes."""

    event: str
    name: str
    path: Path
    body: bytes


def webhook_samples(folder: Path = SAMPLES) -> Iterator[Sample]:
    """Every sample under ../shared/fixtures/github-webhooks (none when it is absent)."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*/*.json")):
        yield Sample(path.parent.name, path.name.removesuffix(".json"), path, path.read_bytes())
