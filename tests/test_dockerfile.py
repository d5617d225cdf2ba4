"""The image's Dockerfile (no Docker engine here to build it): what it copies exists,
the build context lets it through, and it runs as the non-root `bowsprit` entrypoint."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = (REPO / "Dockerfile").read_text()


def _instructions(name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.+)$", DOCKERFILE, flags=re.MULTILINE)


def _context_sources() -> list[str]:
    sources = []
    for arguments in _instructions("COPY"):
        if arguments.startswith("--from="):
            continue  # copied from an earlier stage, not from the build context
        *paths, _destination = arguments.split()
        sources += paths
    return sources


def _ignored(path: str) -> bool:
    """.dockerignore's verdict for a context path (last matching pattern wins)."""
    verdict = False
    for line in (REPO / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
            verdict = not negated
    return verdict


def test_every_copy_source_exists_and_reaches_the_build() -> None:
    sources = _context_sources()
    assert sources, "no COPY from the build context"
    for source in sources:
        assert (REPO / source).exists(), f"COPY {source}: no such file or folder"
        assert not _ignored(source), f"COPY {source}: excluded by .dockerignore"


def test_the_package_readme_is_in_the_build() -> None:
    # pyproject.toml names README.md as the package's readme: the wheel build needs it.
    assert "README.md" in _context_sources()


def test_base_is_pinned_and_the_runtime_is_non_root() -> None:
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(.+)$", DOCKERFILE, flags=re.MULTILINE)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base)
    assert _instructions("USER")[-1] == "10001:10001"
    assert _instructions("ENTRYPOINT") == ['["bowsprit"]']
    runtime = DOCKERFILE.split("FROM ${PYTHON_IMAGE}\n", 1)[1]
    # clonerefs runs git, and ssh-agent/ssh-add/ssh for SSH keys.
    assert "git" in runtime and "openssh-client" in runtime


def test_chart_runs_the_user_the_image_declares() -> None:
    values = (REPO / "charts" / "bowsprit" / "values.yaml").read_text()
    assert "runAsUser: 10001" in values and "runAsGroup: 10001" in values


def test_the_wheel_stage_builds_a_complete_package(tmp_path: Path) -> None:
    """Stage 1's own command, run here: the wheel must hold the data files the components
    read at run time (entrypoint.sh for place-entrypoint) and the `bowsprit` command."""
    (command,) = [line for line in _instructions("RUN") if line.startswith("pip wheel ")]
    argv = [sys.executable, "-m", *command.replace("/dist", str(tmp_path)).split()]
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("bowsprit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (REPO / "operators").rglob("*"):
        if path.suffix in (".py", ".sh") and "__pycache__" not in path.parts:
            assert str(path.relative_to(REPO / "operators")) in names, path
    (entry_points,) = [name for name in names if name.endswith("entry_points.txt")]
    assert "bowsprit = bowsprit.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
