"""`bowsprit check --build-clusters`: jobs naming an alias that is not configured."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bowsprit.checkconfig.check import check
from bowsprit.cli import main

JOBS = {
    "periodics": [
        {
            "name": "on-gpu",
            "interval": "1h",
            "cluster": "gpu",
            "spec": {"containers": [{"image": "a"}]},
        },
        {
            "name": "on-arm",
            "interval": "1h",
            "cluster": "arm",
            "spec": {"containers": [{"image": "a"}]},
        },
        {"name": "here", "interval": "1h", "spec": {"containers": [{"image": "a"}]}},
        {
            "name": "named-default",
            "interval": "1h",
            "cluster": "default",
            "spec": {"containers": [{"image": "a"}]},
        },
    ]
}


@pytest.fixture
def jobs(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.yaml"
    path.write_text(yaml.safe_dump(JOBS))
    return path


@pytest.mark.parametrize(
    ("known", "unknown"),
    [
        (None, []),
        (set(), ["arm", "gpu"]),
        ({"gpu"}, ["arm"]),
        ({"gpu", "arm"}, []),
    ],
    ids=["not-asked", "none-configured", "one-missing", "all-configured"],
)
def test_unknown_aliases(jobs: Path, known: set[str] | None, unknown: list[str]) -> None:
    report = check([jobs], build_clusters=known)
    found = sorted(
        item.problem.message.split("'")[1]
        for item in report.errors
        if item.problem.field == "spec.cluster"
    )
    assert found == unknown
    assert len(report.errors) == len(unknown)


def test_cli_flag_names_the_alias_and_the_configured_ones(
    jobs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--build-clusters", "gpu", str(jobs)]) == 1
    out = capsys.readouterr().out
    assert "Periodic/on-arm: spec.cluster: build cluster 'arm' is not configured" in out
    assert "(configured: default, gpu)" in out
    assert main(["check", "--build-clusters", "gpu,arm", str(jobs)]) == 0
