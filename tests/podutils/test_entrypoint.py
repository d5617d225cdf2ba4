"""The entrypoint script, run for real under dash and under busybox sh: log, marker, exit
code, timeout (interrupt, grace, kill) and abort."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bowsprit.podutils.entrypoint import place


def _shells() -> list[object]:
    found = []
    for name, argv in (("dash", ["dash"]), ("busybox", ["busybox", "sh"])):
        missing = shutil.which(argv[0]) is None
        found.append(
            pytest.param(argv, id=name, marks=pytest.mark.skipif(missing, reason=f"no {name}"))
        )
    return found


SHELLS = _shells()
NS = 1_000_000_000


def options(tmp_path: Path, timeout: float = 30, grace: float = 5) -> str:
    return json.dumps(
        {
            "args": ["ignored"],
            "container_name": "test",
            "process_log": str(tmp_path / "logs" / "process-log.txt"),
            "marker_file": str(tmp_path / "logs" / "marker-file.txt"),
            "metadata_file": str(tmp_path / "logs" / "artifacts" / "metadata.json"),
            "timeout": int(timeout * NS),
            "grace_period": int(grace * NS),
            "artifact_dir": str(tmp_path / "logs" / "artifacts"),
        }
    )


def start(
    shell: list[str], tmp_path: Path, command: list[str], **timing: float
) -> subprocess.Popen[str]:
    script = tmp_path / "tools" / "entrypoint"
    place(script)
    return subprocess.Popen(
        [*shell, str(script), *command],
        env={"PATH": "/usr/bin:/bin", "ENTRYPOINT_OPTIONS": options(tmp_path, **timing)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def marker(tmp_path: Path) -> str:
    return (tmp_path / "logs" / "marker-file.txt").read_text()


def log(tmp_path: Path) -> str:
    return (tmp_path / "logs" / "process-log.txt").read_text()


# A test process that reports the signals it gets and exits 5 on the first.
GRACEFUL = [
    sys.executable,
    "-c",
    "import signal, sys, time\n"
    "def stop(number, frame):\n"
    "    print('got signal', number, flush=True); sys.exit(5)\n"
    "signal.signal(signal.SIGINT, stop); signal.signal(signal.SIGTERM, stop)\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n",
]


@pytest.mark.parametrize("shell", SHELLS)
def test_the_exit_code_and_output_are_recorded(shell: list[str], tmp_path: Path) -> None:
    process = start(shell, tmp_path, ["sh", "-c", "echo out; echo err >&2; exit 3"])
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 3 and marker(tmp_path) == "3"
    assert "out" in stdout and "err" in stdout
    assert log(tmp_path) == "out\nerr\n"
    assert (tmp_path / "logs" / "artifacts").is_dir()
    assert not list((tmp_path / "logs").glob("*.tmp"))


@pytest.mark.parametrize("shell", SHELLS)
def test_a_command_that_cannot_start_records_127(shell: list[str], tmp_path: Path) -> None:
    process = start(shell, tmp_path, ["/no/such/program"])
    process.communicate(timeout=30)
    assert process.returncode == 127 and marker(tmp_path) == "127"
    assert "/no/such/program" in log(tmp_path)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_timeout_interrupts_then_records_127(shell: list[str], tmp_path: Path) -> None:
    process = start(shell, tmp_path, GRACEFUL, timeout=1, grace=30)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 127 and marker(tmp_path) == "127"
    assert "got signal 2" in log(tmp_path)  # SIGINT, as Prow sends
    assert "did not finish before its timeout" in log(tmp_path)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_process_ignoring_signals_is_killed_after_the_grace_period(
    shell: list[str], tmp_path: Path
) -> None:
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time\n"
        "for number in (signal.SIGINT, signal.SIGTERM):\n"
        "    signal.signal(number, signal.SIG_IGN)\n"
        "print('ready', flush=True); time.sleep(60)\n",
    ]
    process = start(shell, tmp_path, stubborn, timeout=1, grace=1)
    process.communicate(timeout=30)
    assert process.returncode == 127 and marker(tmp_path) == "127"


@pytest.mark.parametrize("shell", SHELLS)
def test_a_shell_command_with_sigint_ignored_gets_sigterm(shell: list[str], tmp_path: Path) -> None:
    # sh starts background jobs with SIGINT ignored; entrypoint falls back to SIGTERM.
    command = ["sh", "-c", "trap 'echo term; exit 4' TERM; echo ready; while :; do sleep 0.1; done"]
    process = start(shell, tmp_path, command, timeout=1, grace=30)
    process.communicate(timeout=30)
    assert marker(tmp_path) == "127" and "term" in log(tmp_path)


@pytest.mark.parametrize("shell", SHELLS)
def test_sigterm_to_entrypoint_is_forwarded_and_records_130(
    shell: list[str], tmp_path: Path
) -> None:
    process = start(shell, tmp_path, GRACEFUL, grace=30)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 130 and marker(tmp_path) == "130"
    assert "got signal" in log(tmp_path)


def test_copy_mode_places_an_executable_script(tmp_path: Path) -> None:
    from bowsprit.cli import main

    assert main(["entrypoint", "--copy-mode-only", str(tmp_path / "tools" / "entrypoint")]) == 0
    placed = tmp_path / "tools" / "entrypoint"
    assert placed.read_text().startswith("#!/bin/sh") and placed.stat().st_mode & 0o111
