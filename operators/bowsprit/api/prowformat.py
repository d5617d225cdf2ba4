"""Prow's full configuration format, for a converter that is lenient where Prow is.

Two questions for every key of a Prow file:
- Would Prow accept it? The shapes of config.yaml and plugins.yaml come from Prow's own
  generated documentation (`hack/prow-keys.py` writes `prowkeys/*.json`); a key missing
  from the shape but used as a field name somewhere in Prow's config types is accepted
  too (the documentation leaves out raw JSON fields and a few others). Anything else is a
  key Prow rejects: an error, as it would be in Prow's checkconfig.
- Does Bowsprit carry it? A key Prow accepts that the Bowsprit CRD has no field for is
  pruned before validation and reported as not carried over, never an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

_DATA = Path(__file__).parent / "prowkeys"

# Prow's job types (pkg/config/jobs.go: JobBase, UtilityConfig, Brancher,
# RegexpChangeMatcher, Reporter, Presubmit, Postsubmit, Periodic); nested values are
# Kubernetes or ProwJob types and are checked by Bowsprit's schema.
_JOB_BASE = {
    "name", "labels", "max_concurrency", "agent", "cluster", "namespace", "error_on_eviction",
    "spec", "pipeline_run_spec", "tekton_pipeline_run_spec", "annotations", "reporter_config",
    "rerun_auth_config", "hidden", "prowjob_defaults", "job_queue_name",
    "decorate", "path_alias", "clone_uri", "skip_submodules", "clone_depth", "skip_fetch_head",
    "extra_refs", "decoration_config",
}  # fmt: skip
_REPO_JOB = {"branches", "skip_branches", "run_if_changed", "skip_if_only_changed", "context",
             "skip_report", "always_run", "jenkins_spec"}  # fmt: skip
JOB_KEYS: dict[str, frozenset[str]] = {
    "presubmits": frozenset(
        _JOB_BASE | _REPO_JOB | {"optional", "trigger", "rerun_command", "run_before_merge"}
    ),
    "postsubmits": frozenset(_JOB_BASE | _REPO_JOB),
    "periodics": frozenset(
        _JOB_BASE | {"interval", "minimum_interval", "cron", "tags", "retry", "reporter_config"}
    ),
}
PRESET_KEYS = frozenset({"labels", "env", "volumes", "volumeMounts", "tolerations"})


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_DATA / name).read_text(encoding="utf-8"))
    return data


def config_shape() -> Any:
    return _load("config.json")["shape"]


def plugins_shape() -> Any:
    return _load("plugins.json")["shape"]


@cache
def prow_field_names() -> frozenset[str]:
    return frozenset(_load("config.json")["fields"])


def join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def unknown_keys(value: Any, shape: Any, path: str = "") -> Iterator[tuple[str, bool]]:
    """(path, accepted) for each key of `value` the documented shape does not have;
    `accepted` when Prow still knows the name (a documentation gap, not a typo)."""
    if isinstance(shape, dict) and isinstance(value, dict):
        if list(shape) == [""]:  # a map: any key, each value of the same shape
            for key, item in value.items():
                yield from unknown_keys(item, shape[""], join(path, key))
            return
        for key, item in value.items():
            if key in shape:
                yield from unknown_keys(item, shape[key], join(path, key))
            else:
                yield join(path, key), str(key) in prow_field_names()
    elif isinstance(shape, list) and shape and isinstance(value, list):
        for index, item in enumerate(value):
            yield from unknown_keys(item, shape[0], f"{path}[{index}]")


def prune(value: Any, schema: dict[str, Any], path: str = "") -> tuple[Any, list[str]]:
    """`value` without the keys the OpenAPI `schema` (a Bowsprit CRD's) has no place for,
    and the paths of the keys taken out."""
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return value, []
    if isinstance(value, dict) and schema.get("type") == "object":
        properties: dict[str, Any] = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        kept: dict[str, Any] = {}
        dropped: list[str] = []
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else None)
            if sub is None and not properties and extra in (None, True):
                kept[key] = item  # a free-form object
                continue
            if sub is None:
                dropped.append(join(path, key))
                continue
            kept[key], more = prune(item, sub, join(path, key))
            dropped += more
        return kept, dropped
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        items: list[Any] = []
        dropped = []
        for index, item in enumerate(value):
            pruned, more = prune(item, schema["items"], f"{path}[{index}]")
            items.append(pruned)
            dropped += more
        return items, dropped
    return value, []
