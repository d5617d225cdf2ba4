"""Build IDs: time-ordered 64-bit snowflake IDs, as Prow's default (bwmarrin/snowflake).

41 bits of milliseconds since the snowflake epoch, 10 bits of node, 12 bits of sequence.
IDs from one generator never repeat and always grow; a restart continues from the clock,
and replicas (which kopf peering keeps from running at once) pick different nodes.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime

# bwmarrin/snowflake's epoch (Twitter's), so IDs look like Prow's.
EPOCH_MS = 1288834974657
NODE_BITS = 10
STEP_BITS = 12


def default_node() -> int:
    """This process's node number: from the host (pod) name and process ID."""
    seed = f"{socket.gethostname()}/{os.getpid()}".encode()
    return int.from_bytes(hashlib.sha256(seed).digest()[:2], "big") % (1 << NODE_BITS)


class BuildIds:
    """Thread-safe generator of unique, increasing build IDs."""

    def __init__(self, clock: Callable[[], datetime], node: int | None = None) -> None:
        self._clock = clock
        self._node = default_node() if node is None else node
        self._last_ms = 0
        self._step = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            ms = int(self._clock().timestamp() * 1000) - EPOCH_MS
            if ms <= self._last_ms:
                # Same millisecond, or the clock went back: count on from the last ID.
                self._step = (self._step + 1) % (1 << STEP_BITS)
                if self._step == 0:
                    self._last_ms += 1
                ms = self._last_ms
            else:
                self._step = 0
                self._last_ms = ms
            return str((ms << (NODE_BITS + STEP_BITS)) | (self._node << STEP_BITS) | self._step)
