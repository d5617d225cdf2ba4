"""Status descriptions that carry the base SHA a result was tested against.

Prow's `config.ContextDescriptionWithBaseSha` / `BaseSHAFromContextDescription`: crier
ends every status description with ` BaseSHA:<sha>`, left-padded with U+2001 so it sits at
a stable place in GitHub's UI, and Tide reads it back to know whether a passing context
is still current. Lengths are counted in UTF-8 bytes, as Go counts them, so descriptions
come out byte-for-byte as Prow's.
"""

from __future__ import annotations

BASE_SHA_DELIMITER = " BaseSHA:"
DEPRECATED_DELIMITER = " Basesha:"
MAX_DESCRIPTION = 140  # GitHub's limit on a status description
ELIDE = " ... "
PAD = "\u2001"  # GitHub's UI collapses ordinary spaces, not this one


def _size(text: str) -> int:
    return len(text.encode())


def truncate(text: str, limit: int) -> str:
    """ "really long messages" → "really ... messages" within `limit` bytes."""
    if _size(text) <= limit:
        return text
    half = (limit - len(ELIDE)) // 2
    raw = text.encode()
    head = raw[:half].decode(errors="ignore")
    tail = raw[len(raw) - half :].decode(errors="ignore")
    return head + ELIDE + tail


def description_with_base_sha(human: str, base_sha: str) -> str:
    suffix = ""
    if base_sha:
        suffix = BASE_SHA_DELIMITER + base_sha
        # Go's loop re-reads the growing suffix's length on every turn (a pad is 3 bytes),
        # so it pads about a quarter of the room, not all of it: kept as Prow does it.
        turn = 0
        while turn < MAX_DESCRIPTION - _size(human + suffix):
            suffix = PAD + suffix
            turn += 1
    return truncate(human, MAX_DESCRIPTION - _size(suffix)) + suffix


def base_sha_from_description(description: str) -> str:
    """The base SHA a description names, or "" when it names none."""
    for delimiter in (BASE_SHA_DELIMITER, DEPRECATED_DELIMITER):
        parts = description.split(delimiter)
        if len(parts) == 2 and len(parts[1]) == 40:
            return parts[1]
    return ""
