from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bowsprit import __version__
from bowsprit.cli import COMPONENTS, main


def test_help_lists_every_component_and_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for name in [*COMPONENTS, "version", "check", "gen", "emulator", "sinker", "horologium"]:
        assert name in text


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == f"bowsprit {__version__}"


def test_component_not_built_yet_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tide"]) == 2
    assert "not available" in capsys.readouterr().err


def test_console_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bowsprit", "version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"bowsprit {__version__}"


def test_gen_crds_writes_every_kind(tmp_path: Path) -> None:
    out = tmp_path / "crds"
    assert main(["gen", "crds", "--out", str(out)]) == 0
    assert len(list(out.glob("*.bowsprit.dev.yaml"))) == 8
