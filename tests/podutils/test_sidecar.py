"""sidecar's pure parts: results from exit codes, markers, metadata, artifact keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from bowsprit.jobpod.options import WrapperOptions
from bowsprit.podutils.sidecar import artifact_files, merged_metadata, read_marker, result_of


@pytest.mark.parametrize(
    ("codes", "result"),
    [
        ([0], "SUCCESS"),
        ([0, 0], "SUCCESS"),
        ([0, 1130], "SUCCESS"),  # a skipped container does not fail the run
        ([1], "FAILURE"),
        ([0, 2], "FAILURE"),
        ([127], "FAILURE"),  # timed out
        ([130], "ABORTED"),
        ([0, None], "ABORTED"),  # a container never finished: the pod was stopped
        ([1130], "FAILURE"),
    ],
)
def test_results(codes: list[int | None], result: str) -> None:
    assert result_of(codes) == result


def test_markers(tmp_path: Path) -> None:
    (tmp_path / "ok").write_text("0")
    (tmp_path / "junk").write_text("x")
    assert read_marker(str(tmp_path / "ok")) == 0
    assert read_marker(str(tmp_path / "junk")) == 1
    assert read_marker(str(tmp_path / "absent")) is None


def test_metadata_of_every_container_is_merged(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"a": 1, "shared": "a"}')
    (tmp_path / "b.json").write_text('{"b": 2, "shared": "b"}')
    (tmp_path / "bad.json").write_text("[1]")
    entries = [
        WrapperOptions(metadata_file=str(tmp_path / name))
        for name in ("a.json", "missing.json", "bad.json", "b.json")
    ]
    assert merged_metadata(entries) == {"a": 1, "b": 2, "shared": "b"}


def test_artifacts_keep_their_folders(tmp_path: Path) -> None:
    (tmp_path / "artifacts" / "junit").mkdir(parents=True)
    (tmp_path / "artifacts" / "junit" / "unit.xml").write_text("<x/>")
    (tmp_path / "artifacts" / "top.txt").write_text("t")
    keys = [key for key, _ in artifact_files([str(tmp_path / "artifacts"), str(tmp_path / "no")])]
    assert keys == ["artifacts/junit/unit.xml", "artifacts/top.txt"]
