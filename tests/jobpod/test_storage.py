"""Where a run's files go (Prow's gcs target): folders, path strategies, indexes."""

from __future__ import annotations

from typing import Any

import pytest

from bowsprit.api.decoration import GCSConfiguration
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.storage import alias_key, bucket_url, job_dir, latest_build_keys

PULL = [{"number": 7, "author": "a", "sha": "s"}]


def spec(kind: str, org: str = "falcosecurity", repo: str = "falco") -> ProwJobSpec:
    body: dict[str, Any] = {"type": kind, "job": "j"}
    if kind != "periodic":
        body["refs"] = {"org": org, "repo": repo, "base_ref": "master"}
        if kind in ("presubmit", "batch"):
            body["refs"]["pulls"] = PULL
    return ProwJobSpec.model_validate(body)


@pytest.mark.parametrize(
    ("kind", "folder"),
    [
        ("presubmit", "pr-logs/pull/falcosecurity_falco/7/j/5"),
        ("batch", "pr-logs/pull/batch/j/5"),
        ("postsubmit", "logs/j/5"),
        ("periodic", "logs/j/5"),
    ],
)
def test_folders_by_job_type(kind: str, folder: str) -> None:
    assert job_dir(spec(kind), "5", GCSConfiguration()) == folder
    prefixed = GCSConfiguration(path_prefix="ci")
    assert job_dir(spec(kind), "5", prefixed) == f"ci/{folder}"


@pytest.mark.parametrize(
    ("strategy", "org", "repo", "segment"),
    [
        ("explicit", "falcosecurity", "falco", "falcosecurity_falco"),
        ("legacy", "falcosecurity", "falco", ""),
        ("legacy", "falcosecurity", "libs", "libs"),
        ("legacy", "other", "falco", "other_falco"),
        ("single", "falcosecurity", "falco", ""),
        ("single", "falcosecurity", "libs", "falcosecurity_libs"),
    ],
)
def test_path_strategies(strategy: str, org: str, repo: str, segment: str) -> None:
    storage = GCSConfiguration.model_validate(
        {"path_strategy": strategy, "default_org": "falcosecurity", "default_repo": "falco"}
    )
    expected = "/".join(part for part in ["pr-logs/pull", segment, "7/j/5"] if part)
    assert job_dir(spec("presubmit", org, repo), "5", storage) == expected


def test_indexes() -> None:
    storage = GCSConfiguration()
    assert latest_build_keys(spec("presubmit"), storage) == [
        "pr-logs/directory/j/latest-build.txt",
        "pr-logs/pull/falcosecurity_falco/7/j/latest-build.txt",
    ]
    assert latest_build_keys(spec("batch"), storage) == ["pr-logs/directory/j/latest-build.txt"]
    assert latest_build_keys(spec("periodic"), storage) == ["logs/j/latest-build.txt"]
    assert alias_key(spec("presubmit"), "5", storage) == "pr-logs/directory/j/5.txt"
    assert alias_key(spec("postsubmit"), "5", storage) is None
    assert bucket_url("s3://b") == ("s3", "b") and bucket_url("b") == ("gs", "b")
