"""Waiting for a test daemon (git daemon, sshd) to accept connections."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable


def wait_listening(
    process: subprocess.Popen[bytes],
    port: int,
    what: str,
    why_exited: Callable[[], str] = lambda: "",
    timeout: float = 15.0,
) -> None:
    """Until `process` accepts connections on 127.0.0.1:`port`; RuntimeError (with
    `why_exited()`) if it exits first, TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited at start: {why_exited()}".rstrip(": "))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{what} did not start listening")
