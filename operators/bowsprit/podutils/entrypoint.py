"""`bowsprit entrypoint`: the test wrapper, a POSIX sh script (entrypoint.sh beside this file).

In a decorated pod, place-entrypoint runs `bowsprit entrypoint --copy-mode-only
/tools/entrypoint` to put the script where the test container (any image with a
/bin/sh) runs it. Outside a pod, `bowsprit entrypoint COMMAND...` runs it directly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from importlib import resources
from pathlib import Path

SCRIPT = "entrypoint.sh"


def script_text() -> str:
    return resources.files("bowsprit.podutils").joinpath(SCRIPT).read_text()


def place(destination: Path) -> None:
    """Copy the script to `destination` (executable), atomically."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.write_text(script_text())
    partial.chmod(0o755)
    partial.replace(destination)


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--copy-mode-only",
        metavar="DEST",
        type=Path,
        help="copy the entrypoint script to DEST and exit (what place-entrypoint does)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run")


def run(args: argparse.Namespace) -> int:
    if args.copy_mode_only:
        place(args.copy_mode_only)
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("entrypoint: no command to run", file=sys.stderr)
        return 2
    shell = shutil.which("sh") or "/bin/sh"
    script = resources.files("bowsprit.podutils").joinpath(SCRIPT)
    os.execv(shell, [shell, str(script), *command])
