"""Spyglass: lens choice by the ProwConfig's regexes (Falco's deck section), and paths
that cannot leave the job's folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bowsprit.api.prowconfig import ProwConfig, SpyglassConfig
from bowsprit.api.prowimport import import_prow_config
from bowsprit.deck import spyglass

ARTIFACTS = [
    "artifacts/junit_unit.xml",
    "build-log.txt",
    "finished.json",
    "podinfo.json",
    "prowjob.json",
    "started.json",
]


def falco_spyglass(config_dir: Path) -> SpyglassConfig:
    document = yaml.safe_load((config_dir / "prow" / "aws" / "config.yaml").read_text())
    (config,) = [o for o in import_prow_config(document).objects if isinstance(o, ProwConfig)]
    return config.spec.deck.spyglass


def test_falcos_lenses(falco_config: Path) -> None:
    falco = falco_spyglass(falco_config)
    chosen = spyglass.lenses(falco, ARTIFACTS)
    assert [lens.name for lens in chosen] == ["metadata", "buildlog", "podinfo", "links"]
    assert chosen[0].files == ["finished.json", "podinfo.json", "started.json"]
    assert spyglass.size_limit(falco) == 500000000


def test_default_lenses_include_junit_and_need_their_files() -> None:
    chosen = spyglass.lenses(SpyglassConfig(), ["build-log.txt"])
    assert [lens.name for lens in chosen] == ["buildlog", "links"]
    chosen = spyglass.lenses(SpyglassConfig(), ARTIFACTS)
    assert [lens.name for lens in chosen] == ["metadata", "buildlog", "junit", "podinfo", "links"]


@pytest.mark.parametrize(
    "name", ["../other/finished.json", "/etc/passwd", "a/../../x", "..", "a\\..\\b", "x\x00"]
)
def test_artifact_names_cannot_leave_the_folder(name: str) -> None:
    with pytest.raises(spyglass.BadPath):
        spyglass.safe_key("logs/job/1", name)


def test_plain_names_stay_inside() -> None:
    assert (
        spyglass.safe_key("logs/job/1", "artifacts/a/../junit.xml")
        == "logs/job/1/artifacts/junit.xml"
    )


@pytest.mark.parametrize(
    "path",
    [
        "s3/b/../x",
        "s3/bucket",
        "ftp/bucket/x",
        "s3/Bad_Bucket!/x",
        "s3/bucket/a//b",
        "s3/bucket/./a",
    ],
)
def test_job_paths_are_plain(path: str) -> None:
    with pytest.raises(spyglass.BadPath):
        spyglass.parse_job_path(path)


def test_job_path() -> None:
    parsed = spyglass.parse_job_path("s3/falco-prow-logs/logs/job/1/")
    assert (parsed.provider, parsed.bucket, parsed.folder) == (
        "s3",
        "falco-prow-logs",
        "logs/job/1",
    )


def test_a_lens_with_a_broken_regex_is_left_out() -> None:
    config = SpyglassConfig.model_validate(
        {"lenses": [{"lens": {"name": "buildlog"}, "required_files": ["build-log.txt("]}]}
    )
    assert [lens.name for lens in spyglass.lenses(config, ["build-log.txt"])] == ["links"]


@pytest.mark.parametrize(
    ("folder", "owner"),
    [
        ("pr-logs/pull/org_repo/7/pull-unit/123", ("org/repo", "pull-unit")),
        ("prefix/pr-logs/pull/org_re_po/7/pull-unit/123/artifacts/x", ("org/re_po", "pull-unit")),
        ("pr-logs/pull/org_repo/7", ("org/repo", "")),
        ("pr-logs/pull/batch/pull-unit/5", ("", "pull-unit")),
        ("pr-logs/directory/pull-unit", ("", "pull-unit")),
        ("logs/ci-nightly/99/build-log.txt", ("", "ci-nightly")),
        ("elsewhere/x", ("", "")),
    ],
)
def test_the_owner_of_a_folder(folder: str, owner: tuple[str, str]) -> None:
    assert spyglass.path_owner(folder) == owner
