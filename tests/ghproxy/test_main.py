"""`bowsprit ghproxy` as a process: it serves, answers /healthz on its health port, stops
cleanly on SIGTERM, and its disk cache is still there when it starts again."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bowsprit.testing.envtest import free_port
from bowsprit.testing.fakegithub import FakeGitHub


@contextmanager
def ghproxy(upstream: str, cache: Path, port: int, health: int) -> Iterator[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bowsprit",
            "ghproxy",
            f"--upstream={upstream}",
            f"--cache-dir={cache}",
            f"--port={port}",
            f"--health-port={health}",
            "--metrics-port=0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{health}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "ghproxy did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Traceback" not in output, output


def test_the_disk_cache_outlives_the_process(tmp_path: Path) -> None:
    with FakeGitHub() as github:
        github.add_repo("org", "repo")
        port, health = free_port(), free_port()
        headers = {"Authorization": "token t"}
        for expected in ("MISS", "REVALIDATED"):
            with ghproxy(github.url, tmp_path / "cache", port, health) as url:
                answer = httpx.get(f"{url}/repos/org/repo", headers=headers)
                assert (answer.status_code, answer.headers["X-Cache-Mode"]) == (200, expected)
                assert answer.json()["full_name"] == "org/repo"
