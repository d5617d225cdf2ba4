from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from bowsprit import __version__
from bowsprit.cli import COMPONENTS, _not_yet, main


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


def test_every_component_is_built_and_a_future_one_would_say_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert COMPONENTS == {}  # deck was the last one
    assert _not_yet("future")(argparse.Namespace()) == 2
    assert "not available" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["deck", "--help"])
    assert exited.value.code == 0
    assert "--github-oauth-config-file" in capsys.readouterr().out


def test_console_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bowsprit", "version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"bowsprit {__version__}"


def test_gen_crds_writes_every_kind(tmp_path: Path) -> None:
    out = tmp_path / "crds"
    assert main(["gen", "crds", "--out", str(out)]) == 0
    assert len(list(out.glob("*.bowsprit.dev.yaml"))) == 8


def test_gen_crds_writes_the_chart_templates_too(tmp_path: Path) -> None:
    out, chart = tmp_path / "crds", tmp_path / "chart"
    chart.mkdir()
    (chart / "crd-gone.yaml").write_text("a kind that no longer exists")
    assert main(["gen", "crds", "--out", str(out), "--chart-out", str(chart)]) == 0
    templates = sorted(path.name for path in chart.glob("*.yaml"))
    assert len(templates) == 8 and "crd-prowjob.yaml" in templates
    assert (chart / "crd-prowjob.yaml").read_text().startswith("{{- if .Values.crds.install }}")
