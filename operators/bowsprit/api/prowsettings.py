"""Read Prow's config.yaml into a ProwConfig and TidePools, leniently.

Every key is first checked against Prow's own format (`prowformat`): a key Prow rejects
is an error. Sections Bowsprit has a component for go to their place in ProwConfig
(`github_reporter` and `slack_reporter_configs` under `crier`, tide's queries become
TidePools); whatever Prow accepts but Bowsprit has no field for is pruned and reported
as not carried over, with its path, never an error. ProwConfig CRs themselves keep
their strict schema: only this conversion is lenient.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

from pydantic import ValidationError

from bowsprit.api import branchprotection
from bowsprit.api.crdgen import crd_for
from bowsprit.api.prowcommon import (
    Imported,
    Problem,
    kubernetes_name,
    not_carried,
    problems_of,
    unique,
)
from bowsprit.api.prowconfig import ProwConfig
from bowsprit.api.prowformat import config_shape, prune, unknown_keys
from bowsprit.api.tidepool import TidePool

# Prow's JobConfig, inline in its Config: the converter's job import reads these.
JOB_SECTIONS = (
    "presubmits", "postsubmits", "periodics", "presets", "decorate_all_jobs", "prow_ignored",
)  # fmt: skip
# Prow section -> where ProwConfig's spec keeps it.
PLACES: dict[str, tuple[str, ...]] = {
    "plank": ("plank",),
    "sinker": ("sinker",),
    "deck": ("deck",),
    "tide": ("tide",),
    "github": ("github",),
    "github_reporter": ("crier", "github_reporter"),
    "slack_reporter_configs": ("crier", "slack_reporter_configs"),
    "pod_namespace": ("pod_namespace",),
    "prowjob_namespace": ("prowjob_namespace",),
}
# Why a whole section is not used (README, "Coming from Prow"); any other section Prow
# accepts gets the generic reason.
NO_COMPONENT = {
    "branch-protection": "only its required status contexts are carried (into"
    " tide.branch_protection, for from-branch-protection); the other settings are"
    " branchprotector's, which Bowsprit does not have (GitHub's settings stay as they are)",
    "in_repo_config": "Bowsprit has no in-repo config (.prow.yaml): jobs are CRs",
    "log_level": "components log JSON lines at the level of their --log-level flag",
    "gerrit": "Bowsprit supports GitHub only",
    "jenkins_operators": "Bowsprit runs Kubernetes pods only",
    "pipeline": "Bowsprit runs Kubernetes pods only",
    "push_gateway": "every component serves /metrics to be scraped",
    "managed_webhooks": "webhooks are set up outside Bowsprit",
    "config_version_sha": "configuration comes from CRs, not a config file",
}
GO_TEMPLATE = re.compile(r"\{\{-?\s*(\.|if |with |range |index |end|\$)")
# Prow's own pod utility images (gcr.io/k8s-prow/..., us-docker.pkg.dev/k8s-infra-prow/...).
PROW_UTILITY_IMAGE = re.compile(r"k8s-prow/|k8s-infra-prow/")


def is_prow_config(document: Any) -> bool:
    return isinstance(document, dict) and any(
        key in document for key in ("plank", "sinker", "tide", "deck")
    )


@cache
def _spec_schema(model: type[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = crd_for(model)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    spec: dict[str, Any] = schema["properties"]["spec"]
    return spec


def import_prow_config(document: dict[str, Any]) -> Imported:
    """Convert Prow's config.yaml into a ProwConfig and one TidePool per tide query."""
    result = Imported([], [])
    document = copy.deepcopy(document)
    rejected = _check_prow_keys(document, result.problems)
    for section in sorted(set(document) - set(PLACES) - set(JOB_SECTIONS)):
        if section not in rejected:
            reason = NO_COMPONENT.get(section, "Bowsprit has no component that reads it")
            result.problems.append(not_carried("config", section, reason))
    tide = dict(document.get("tide") or {})
    queries = tide.pop("queries", None) or []
    if "branch-protection" not in rejected and (
        resolved := branchprotection.resolve(document.get("branch-protection"))
    ):
        tide["branch_protection"] = resolved
    document["tide"] = tide
    result.problems += _drop_prow_images(document.get("plank"))
    spec: dict[str, Any] = {}
    schema = _spec_schema(ProwConfig)
    for section, place in PLACES.items():
        if document.get(section) in (None, {}):
            continue
        sub = schema
        for part in place:
            sub = sub["properties"][part]
        value, dropped = prune(document[section], sub, section)
        result.problems += [not_carried("config", path) for path in dropped if path not in rejected]
        target = spec
        for part in place[:-1]:
            target = target.setdefault(part, {})
        target[place[-1]] = value
    result.problems += _template_notes(spec)
    try:
        result.objects.append(
            ProwConfig.model_validate({"metadata": {"name": "bowsprit"}, "spec": spec})
        )
    except ValidationError as error:
        result.problems.extend(problems_of("ProwConfig", error))
    result.objects += _tide_pools(queries, rejected, result.problems)
    return result


def _check_prow_keys(document: dict[str, Any], problems: list[Problem]) -> set[str]:
    """Report keys Prow itself rejects (errors) and return every path Prow's documented
    shape lacks (those Prow accepts are reported later, where they are pruned)."""
    shape = config_shape()
    paths: set[str] = set()
    for path, accepted in unknown_keys(
        {k: v for k, v in document.items() if k not in JOB_SECTIONS}, shape
    ):
        if not accepted:
            problems.append(Problem("config", path, "unknown field (Prow rejects it too)"))
            paths.add(path)
    return paths


def _drop_prow_images(plank: Any) -> list[Problem]:
    """Take Prow's utility images out of plank's decoration defaults: Bowsprit's pods run
    its own utilities (the chart's plank.utilityImage)."""
    if not isinstance(plank, dict):
        return []
    configs: list[tuple[str, Any]] = [
        (f"plank.default_decoration_configs.{key}", config)
        for key, config in (plank.get("default_decoration_configs") or {}).items()
    ]
    configs += [
        (f"plank.default_decoration_config_entries[{index}].config", entry.get("config"))
        for index, entry in enumerate(plank.get("default_decoration_config_entries") or [])
        if isinstance(entry, dict)
    ]
    notes = []
    for where, config in configs:
        images = (config or {}).get("utility_images") if isinstance(config, dict) else None
        if not isinstance(images, dict):
            continue
        for utility in sorted(images):
            if PROW_UTILITY_IMAGE.search(str(images[utility])):
                del images[utility]
                notes.append(
                    not_carried(
                        "config",
                        f"{where}.utility_images.{utility}",
                        "Prow's image; decorated pods run Bowsprit's pod utilities"
                        " (the chart's plank.utilityImage)",
                    )
                )
        if not images:
            del config["utility_images"]
    return notes


def _template_notes(spec: dict[str, Any]) -> list[Problem]:
    plank = spec.get("plank") or {}
    fields = {"plank.job_url_template": plank.get("job_url_template")}
    fields |= {
        f"plank.report_templates.{key}": value
        for key, value in (plank.get("report_templates") or {}).items()
    }
    notes = []
    for path, template in fields.items():
        if isinstance(template, str) and GO_TEMPLATE.search(template):
            notes.append(
                Problem(
                    "config",
                    path,
                    "is a Go template; Bowsprit's are Jinja ({{ spec.job }}):"
                    " `bowsprit convert` translates it",
                    True,
                )
            )
    return notes


def _tide_pools(queries: Any, rejected: set[str], problems: list[Problem]) -> list[TidePool]:
    pools: list[TidePool] = []
    if not isinstance(queries, list):
        problems.append(Problem("config", "tide.queries", "must be a list"))
        return pools
    taken: set[str] = set()
    schema = _spec_schema(TidePool)
    for index, query in enumerate(queries):
        where = f"tide.queries[{index}]"
        name = unique(_pool_name(query, index), taken)
        spec, dropped = prune(query, schema, where)
        problems += [not_carried("config", path) for path in dropped if path not in rejected]
        try:
            pools.append(TidePool.model_validate({"metadata": {"name": name}, "spec": spec}))
        except ValidationError as error:
            problems.extend(problems_of(where, error))
    return pools


def _pool_name(query: Any, index: int) -> str:
    if isinstance(query, dict):
        for key in ("repos", "orgs"):
            values = query.get(key) or []
            if len(values) == 1:
                return kubernetes_name(str(values[0]).replace("/", "-"))
    return f"tide-query-{index + 1}"
