"""A token (or tokens) kept in a file of a mounted Secret, re-read when the kubelet
rewrites it.

The kubelet updates a Secret volume atomically: it writes the new files into a fresh
timestamped folder and swaps the `..data` symlink, so the path keeps its name while what
it resolves to (inode, mtime) changes. A stat per use notices that (a few microseconds),
with no watcher thread, and the token follows a rotated Secret without a restart. A
rewrite that cannot be used (unreadable, empty) keeps the last good token, logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Generic, Self, TypeVar

logger = logging.getLogger("bowsprit")
T = TypeVar("T")


class SecretFileError(ValueError):
    """The file cannot be used: unreadable, or empty."""


def _stamp(path: Path) -> tuple[int, int, int]:
    stat = path.stat()  # follows the symlinks, to the file the kubelet last wrote
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def token(text: str) -> str:
    """A file holding one token: surrounding whitespace dropped, never empty."""
    stripped = text.strip()
    if not stripped:
        raise SecretFileError("it is empty")
    return stripped


class WatchedFile(Generic[T]):
    """What `parse` makes of the file, current at every call. `parse` raises ValueError
    for content it cannot use."""

    def __init__(self, path: Path, parse: Callable[[str], T]) -> None:
        self.path = path
        self.parse = parse
        self._stamp: tuple[int, int, int] | None = None
        self._value: T | None = None

    def load(self) -> Self:
        """Read it now; an unusable file at start is an error (SecretFileError)."""
        try:
            self._stamp = _stamp(self.path)
            self._value = self._read()
        except OSError as error:
            raise SecretFileError(str(error)) from error
        return self

    def _read(self) -> T:
        try:
            return self.parse(self.path.read_text())
        except UnicodeDecodeError as error:
            raise SecretFileError(f"{self.path}: {error}") from error
        except ValueError as error:
            raise SecretFileError(f"{self.path}: {error}") from error

    def __call__(self) -> T:
        """The value, read again first when the file changed since the last call; a
        rewrite that cannot be used keeps the last good value (logged)."""
        assert self._value is not None, "load() first"
        try:
            stamp = _stamp(self.path)
        except OSError as error:
            logger.warning("%s unreadable, keeping its last token: %s", self.path, error)
            return self._value
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._value = self._read()
                logger.info("%s re-read", self.path)
            except (OSError, SecretFileError) as error:
                logger.warning("%s unusable, keeping its last token: %s", self.path, error)
        return self._value


class SecretFile(WatchedFile[str]):
    """A file holding one token (surrounding whitespace dropped)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, token)
