"""The GitOps examples (charts/bowsprit/examples) install the chart with values the schema
accepts, name paths that exist, and apply job definitions Bowsprit accepts."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bowsprit.checkconfig.check import check
from tests.chart.helmtools import CHART, REPO, kubectl_binary

EXAMPLES = CHART / "examples"
SCHEMA = json.loads((CHART / "values.schema.json").read_text())


def _objects(folder: Path) -> list[dict[str, Any]]:
    found = []
    for path in sorted(folder.glob("*.yaml")):
        found += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def _by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item for item in objects if item["kind"] == kind]


def test_argo_cd_applications() -> None:
    applications = _by_kind(_objects(EXAMPLES / "argocd"), "Application")
    assert len(applications) == 2
    for application in applications:
        source = application["spec"]["source"]
        assert (REPO / source["path"]).is_dir(), source["path"]
        if "helm" in source:
            jsonschema.Draft7Validator(SCHEMA).validate(source["helm"]["valuesObject"])


def test_flux_objects() -> None:
    objects = _objects(EXAMPLES / "flux")
    kinds = sorted(item["kind"] for item in objects)
    assert kinds == ["GitRepository", "HelmRelease", "HelmRepository", "Kustomization"]
    (release,) = _by_kind(objects, "HelmRelease")
    assert (REPO / release["spec"]["chart"]["spec"]["chart"]).is_dir()
    jsonschema.Draft7Validator(SCHEMA).validate(release["spec"]["values"])
    (kustomization,) = _by_kind(objects, "Kustomization")
    assert (REPO / kustomization["spec"]["path"]).is_dir()
    sources = {item["metadata"]["name"] for item in _by_kind(objects, "GitRepository")}
    assert kustomization["spec"]["sourceRef"]["name"] in sources


@pytest.fixture(scope="module")
def jobs() -> list[dict[str, Any]]:
    """The job-definition repository as kustomize (inside kubectl) renders it."""
    result = subprocess.run(
        [str(kubectl_binary()), "kustomize", str(EXAMPLES / "jobs")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def test_job_repository_holds_each_kind(jobs: list[dict[str, Any]]) -> None:
    assert sorted(item["kind"] for item in jobs) == [
        "BlockingPresubmit",
        "Periodic",
        "PluginConfig",
        "Postsubmit",
        "TidePool",
    ]
    assert any(item["metadata"]["name"] == "echo-hi" for item in jobs)


def test_job_repository_passes_bowsprit_check(jobs: list[dict[str, Any]], tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    path.write_text(yaml.safe_dump_all(jobs))
    report = check([path])
    assert not report.problems, report.problems


def test_job_repository_reuses_the_e2e_examples(jobs: list[dict[str, Any]]) -> None:
    """The objects are those e2e creates on real API servers; they must not drift apart."""
    examples = {
        (item["kind"], item["metadata"]["name"]): item
        for item in _objects(REPO / "e2e" / "examples")
    }
    for item in jobs:
        assert item == examples[(item["kind"], item["metadata"]["name"])]
