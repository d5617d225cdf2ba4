"""Censoring secrets out of logs and artifacts before they leave the pod (PROW-REFERENCE 3.8).

Each secret value mounted into the test containers, and its base64 form, is replaced by
asterisks of the same length. Files are streamed through a window of `buffer_size` bytes
(at least twice the longest secret), so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import base64
import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

DEFAULT_BUFFER = 10 * 1024 * 1024


def load_secrets(directories: Iterable[str], minimum_length: int = 0) -> list[bytes]:
    """Every value in the secret volumes and its base64 form, longest first."""
    values: set[bytes] = set()
    for directory in directories:
        for root, _, files in os.walk(directory, followlinks=False):
            for name in files:
                try:
                    raw = (Path(root) / name).read_bytes()
                except OSError:
                    continue
                for value in {raw, raw.strip()}:
                    if value and len(value) >= max(minimum_length, 1):
                        values.add(value)
                        values.add(base64.b64encode(value))
    return sorted(values, key=len, reverse=True)


def mask(window: bytearray, secrets: list[bytes]) -> None:
    for secret in secrets:
        start = window.find(secret)
        while start != -1:
            window[start : start + len(secret)] = b"*" * len(secret)
            start = window.find(secret, start + len(secret))


def censor_stream(
    source: BinaryIO, target: BinaryIO, secrets: list[bytes], buffer_size: int = DEFAULT_BUFFER
) -> None:
    """Copy `source` to `target` with every secret masked."""
    longest = max((len(secret) for secret in secrets), default=1)
    keep = longest - 1  # bytes that may start a secret finishing in the next chunk
    chunk_size = max(buffer_size - keep, longest)
    window = bytearray()
    while chunk := source.read(chunk_size):
        window += chunk
        mask(window, secrets)
        ready = len(window) - keep
        if ready > 0:
            target.write(window[:ready])
            del window[:ready]
    mask(window, secrets)
    target.write(window)


def censor_file(path: Path, secrets: list[bytes], buffer_size: int = DEFAULT_BUFFER) -> None:
    if not secrets:
        return
    censored = path.with_name(path.name + ".censoring")
    with path.open("rb") as source, censored.open("wb") as target:
        censor_stream(source, target, secrets, buffer_size)
    censored.replace(path)


def selected(relative: str, include: list[str] | None, exclude: list[str] | None) -> bool:
    """Whether a file under $ARTIFACTS is censored: include globs (all when empty) minus
    exclude globs."""
    if include and not any(fnmatch.fnmatch(relative, pattern) for pattern in include):
        return False
    return not (exclude and any(fnmatch.fnmatch(relative, pattern) for pattern in exclude))
