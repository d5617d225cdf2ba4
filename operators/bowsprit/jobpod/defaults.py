"""A job's final decoration config: plank's defaults for its repository under the job's
own settings, as Prow's DecorationConfig.ApplyDefault merges them (PROW-REFERENCE 1.4)."""

from __future__ import annotations

import re
from typing import Any

from bowsprit.api.decoration import DecorationConfig
from bowsprit.api.prowconfig import PlankConfig
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.labels import main_refs


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` over `base`, field by field in nested objects; lists are replaced whole."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def _entry_matches(pattern: str | None, org: str, repo: str) -> bool:
    if not pattern or pattern == "*":
        return True
    if pattern in (org, f"{org}/{repo}"):
        return True
    try:
        return re.fullmatch(pattern, f"{org}/{repo}") is not None
    except re.error:
        return False


def defaults_for(plank: PlankConfig, org: str, repo: str, cluster: str) -> list[DecorationConfig]:
    """The defaults that apply, least specific first (each one overrides the ones before)."""
    if plank.default_decoration_config_entries:
        return [
            entry.config
            for entry in plank.default_decoration_config_entries
            if _entry_matches(entry.repo, org, repo)
            and (not entry.cluster or re.fullmatch(entry.cluster, cluster) is not None)
        ]
    by_key = plank.default_decoration_configs or {}
    keys = ["*", org, f"{org}/{repo}"] if org else ["*"]
    return [by_key[key] for key in dict.fromkeys(keys) if key in by_key]


def with_decoration_defaults(spec: ProwJobSpec, plank: PlankConfig) -> ProwJobSpec:
    """`spec` with its decoration config completed from plank's defaults (undecorated
    jobs are returned as they are)."""
    if spec.decoration_config is None:
        return spec
    refs = main_refs(spec)
    org, repo = (refs.org, refs.repo) if refs else ("", "")
    layers = [
        # Bowsprit runs jobs in its own cluster only: the one Prow calls "default".
        *defaults_for(plank, org, repo, "default"),
        spec.decoration_config,
    ]
    final: dict[str, Any] = {}
    for layer in layers:
        final = merged(final, layer.model_dump(exclude_none=True))
    return spec.model_copy(update={"decoration_config": DecorationConfig.model_validate(final)})
