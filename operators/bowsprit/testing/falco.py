"""Falco's real Prow configuration (../shared/fixtures) as ProwJobs, for tests: every job
definition becomes the spec of one run, with fixed refs, and the plank section of
Falco's config.yaml supplies the decoration defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.api.prowimport import import_jobs
from bowsprit.api.prowjob import ProwJobSpec

BASE_SHA = "1" * 40
PULL_SHA = "2" * 40
TYPES = {"BlockingPresubmit": "presubmit", "Presubmit": "presubmit", "Postsubmit": "postsubmit"}
COPIED = ("pod_spec", "extra_refs", "context", "rerun_command", "max_concurrency")


def plank_config(config_dir: Path) -> PlankConfig:
    document = yaml.safe_load((config_dir / "prow" / "aws" / "config.yaml").read_text())
    # Read as is (the converter would take Prow's utility images out): the decoration
    # tests compare pods with goldens that name them.
    return PlankConfig.model_validate(document["plank"])


def job_specs(config_dir: Path) -> dict[str, ProwJobSpec]:
    """One run of every job, by job name."""
    specs = {}
    for path in sorted((config_dir / "jobs").rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if not document:
                continue
            for job in import_jobs(document).objects:
                manifest = job.to_manifest()
                name = manifest["spec"].get("name") or manifest["metadata"]["name"]
                specs[name] = run_of(manifest["kind"], name, manifest["spec"])
    return specs


def run_of(kind: str, name: str, definition: dict[str, Any]) -> ProwJobSpec:
    body: dict[str, Any] = {key: definition[key] for key in COPIED if key in definition}
    body.update(type=TYPES.get(kind, "periodic"), job=name)
    if kind != "Periodic":
        refs: dict[str, Any] = {
            "org": definition["org"],
            "repo": definition["repo"],
            "base_ref": "master",
            "base_sha": BASE_SHA,
        }
        if body["type"] == "presubmit":
            refs["pulls"] = [{"number": 1, "author": "contributor", "sha": PULL_SHA}]
        body["refs"] = refs
    if definition.get("decorate") or "decoration_config" in definition:
        body["decoration_config"] = definition.get("decoration_config", {})
    return ProwJobSpec.model_validate(body)
