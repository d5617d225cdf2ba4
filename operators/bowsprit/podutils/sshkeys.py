"""SSH keys for cloning, loaded as Prow's clonerefs loads them (addSSHKeys): an ssh-agent is
started and every file under each key path is added to it, so a secret volume holding
several keys works and ssh never sees a folder as a key."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Called with (command, output, error) for each command run, for the clone records.
Log = Callable[[str, str, str], None]
_AGENT_VARIABLE = re.compile(r"(SSH_AUTH_SOCK|SSH_AGENT_PID)=([^;]+);")


class SSHKeyError(Exception):
    """The agent did not start or a key was refused."""


@dataclass
class Agent:
    env: dict[str, str]

    def stop(self) -> None:
        pid = self.env.get("SSH_AGENT_PID")
        if pid and pid.isdigit():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)


def key_files(path: Path) -> Iterator[Path]:
    """Every file under `path` (or `path` itself), skipping Kubernetes' `..data` entries."""
    if path.is_file():
        yield path
        return
    for entry in sorted(path.iterdir()):
        if entry.name.startswith(".."):
            continue
        if entry.is_dir():
            yield from key_files(entry)
        elif entry.is_file():
            yield entry


def parse_agent_output(output: str) -> dict[str, str]:
    """SSH_AUTH_SOCK and SSH_AGENT_PID from `ssh-agent -s`."""
    return dict(_AGENT_VARIABLE.findall(output))


def start_agent(paths: list[str], log: Log) -> Agent:
    started = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=False)
    log("ssh-agent", started.stdout + started.stderr, "" if started.returncode == 0 else "failed")
    env = parse_agent_output(started.stdout)
    if started.returncode != 0 or "SSH_AUTH_SOCK" not in env:
        raise SSHKeyError(f"ssh-agent: {started.stderr.strip() or 'no socket'}")
    agent = Agent(env)
    try:
        for path in paths:
            if not Path(path).exists():
                raise SSHKeyError(f"{path}: no such key file or folder")
            for key in key_files(Path(path)):
                added = subprocess.run(
                    ["ssh-add", str(key)],
                    env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
                    capture_output=True,
                    text=True,
                    check=False,
                )
                error = "" if added.returncode == 0 else f"exit status {added.returncode}"
                log(f'ssh-add "{key}"', added.stdout + added.stderr, error)
                if error:
                    raise SSHKeyError(f"add ssh key at {key}: {added.stderr.strip()}")
    except (SSHKeyError, OSError):
        agent.stop()
        raise
    return agent
