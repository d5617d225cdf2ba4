"""Prow presubmits, written as in Prow's tests, as Bowsprit job definitions: a required
one (neither optional nor skip_report) is a BlockingPresubmit, any other a Presubmit."""

from __future__ import annotations

from typing import Any

import yaml

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.jobpod.jobs import Job


def job(prow: dict[str, Any], org: str = "org", repo: str = "repo") -> Job:
    fields = dict(prow)
    optional = fields.pop("optional", False)
    fields.update(org=org, repo=repo)
    if optional or fields.get("skip_report"):
        return Job("Presubmit", "ns", fields["name"], PresubmitSpec.model_validate(fields))
    fields.pop("skip_report", None)
    return Job(
        "BlockingPresubmit", "ns", fields["name"], BlockingPresubmitSpec.model_validate(fields)
    )


def config(text: str) -> list[Job]:
    """Prow's `"org/repo": [presubmits]` YAML as the jobs of org/repo."""
    loaded = yaml.safe_load(text) or {}
    return [job(item) for item in loaded.get("org/repo") or []]
