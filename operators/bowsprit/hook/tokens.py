"""HMAC secrets of webhooks, in Prow's file format, and signature checks.

The file (`--hmac-secret-file`, a mounted secret) is either Prow's YAML map from `*`, an
org or `org/repo` to a list of `{value, created_at}` (several tokens at once, so they can
be rotated), or the legacy single token. The most specific level naming the event's
repository is used, and a payload is accepted when any token of that level signed it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bowsprit.lib.secretfile import WatchedFile

logger = logging.getLogger("bowsprit.hook")

GLOBAL = "*"
SIGNATURE_PREFIX = "sha256="


class TokenFileError(ValueError):
    """The secret file cannot be used (unreadable, empty, or a malformed map)."""


Tokens = Mapping[str, tuple[bytes, ...]]


def parse_tokens(text: str) -> dict[str, tuple[bytes, ...]]:
    """The tokens of a secret file: Prow's map, or one legacy token for every repository."""
    try:
        loaded: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        loaded = None  # a raw token need not be valid YAML
    if not isinstance(loaded, dict):
        token = text.strip()
        if not token:
            raise TokenFileError("the HMAC secret file is empty")
        return {GLOBAL: (token.encode(),)}
    tokens: dict[str, tuple[bytes, ...]] = {}
    for key, entries in loaded.items():
        if not isinstance(entries, list) or not entries:
            raise TokenFileError(f"{key}: expected a list of {{value, created_at}}")
        values = []
        for entry in entries:
            if not isinstance(entry, dict) or not str(entry.get("value") or ""):
                raise TokenFileError(f"{key}: every entry needs a non-empty value")
            values.append(str(entry["value"]).encode())
        tokens[str(key)] = tuple(values)
    if not tokens:
        raise TokenFileError("the HMAC secret file holds no tokens")
    return tokens


def tokens_for(tokens: Tokens, org: str | None, repo: str | None) -> tuple[bytes, ...]:
    """The tokens of the most specific level: org/repo, then org, then `*`."""
    if org and repo and f"{org}/{repo}" in tokens:
        return tokens[f"{org}/{repo}"]
    if org and org in tokens:
        return tokens[org]
    return tokens.get(GLOBAL, ())


def signature_valid(candidates: tuple[bytes, ...], body: bytes, signature: str) -> bool:
    """Whether `signature` (X-Hub-Signature-256) is the HMAC-SHA256 of body under any token.
    Every candidate is compared in constant time, so timing tells nothing."""
    if not signature.startswith(SIGNATURE_PREFIX):
        return False
    given = signature[len(SIGNATURE_PREFIX) :].encode("ascii", "replace")
    matched = False
    for token in candidates:
        expected = hmac.new(token, body, hashlib.sha256).hexdigest().encode()
        matched |= hmac.compare_digest(expected, given)
    return matched


def token_file(path: Path) -> WatchedFile[dict[str, tuple[bytes, ...]]]:
    """The secret file, read now (an unusable file is a SecretFileError) and again when it
    changes; a broken new version keeps the last good tokens rather than rejecting every
    webhook."""
    return WatchedFile(path, parse_tokens).load()


TokenFile = WatchedFile[dict[str, tuple[bytes, ...]]]
