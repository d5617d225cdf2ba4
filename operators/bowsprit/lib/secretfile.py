"""A token kept in a file of a mounted Secret, re-read when the kubelet rewrites it.

The kubelet updates a Secret volume atomically: it writes the new files into a fresh
timestamped folder and swaps the `..data` symlink, so the path keeps its name while what
it resolves to (inode, mtime) changes. A stat per use notices that (a few microseconds),
with no watcher thread, and the token follows a rotated Secret without a restart. A
rewrite that cannot be used (unreadable, empty) keeps the last good token, logged.
"""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger("bowsprit")


class SecretFileError(ValueError):
    """The file cannot be used: unreadable, or empty."""


def _stamp(path: Path) -> tuple[int, int, int]:
    stat = path.stat()  # follows the symlinks, to the file the kubelet last wrote
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _read(path: Path) -> str:
    try:
        token = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as error:
        raise SecretFileError(str(error)) from error
    if not token:
        raise SecretFileError(f"{path} is empty")
    return token


class SecretFile:
    """The token of `path` (surrounding whitespace dropped), current at every call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._token = ""

    def load(self) -> SecretFile:
        """Read it now; an unusable file at start is an error (SecretFileError)."""
        try:
            self._stamp = _stamp(self.path)
        except OSError as error:
            raise SecretFileError(str(error)) from error
        self._token = _read(self.path)
        return self

    def __call__(self) -> str:
        """The token, read again first when the file changed since the last call."""
        try:
            stamp = _stamp(self.path)
        except OSError as error:
            logger.warning("%s unreadable, keeping its last token: %s", self.path, error)
            return self._token
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._token = _read(self.path)
                logger.info("%s re-read", self.path)
            except SecretFileError as error:
                logger.warning("%s unusable, keeping its last token: %s", self.path, error)
        return self._token
