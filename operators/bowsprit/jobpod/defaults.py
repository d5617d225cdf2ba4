"""A job's final decoration config: plank's defaults for its repository under the job's
own settings, as Prow's DecorationConfig.ApplyDefault merges them (PROW-REFERENCE 1.4)."""

from __future__ import annotations

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


def entry_matches(
    given_repo: str | None, given_cluster: str | None, repo: str, cluster: str
) -> bool:
    """Prow's `matches` (pkg/config/config.go): exact strings, not patterns. An empty or
    `*` filter matches everything; a repo filter names an org or an org/repo; `repo` is
    the job's "org/repo", or "" for a periodic without extra refs."""
    if given_cluster and given_cluster != "*" and given_cluster != cluster:
        return False
    if not given_repo or given_repo in ("*", repo):
        return True
    return given_repo == repo.split("/")[0]


def _entries(plank: PlankConfig) -> list[tuple[str | None, str | None, DecorationConfig]]:
    """(repo, cluster, config) of each entry, in merge order. Prow's
    FinalizeDefaultDecorationConfigs: the map form becomes entries, `*` first, then orgs,
    then repositories, so that more specific keys override. (Tuples, not models: plank
    asks for every job it looks at.)"""
    if plank.default_decoration_config_entries:
        return [(e.repo, e.cluster, e.config) for e in plank.default_decoration_config_entries]
    by_key = plank.default_decoration_configs or {}
    order = sorted(by_key, key=lambda key: 0 if key == "*" else 2 if "/" in key else 1)
    return [(key, None, by_key[key]) for key in order]


def defaults_for(plank: PlankConfig, repo: str, cluster: str) -> list[DecorationConfig]:
    """The defaults that apply to a job of `repo` ("org/repo" or "") on build cluster
    `cluster`, in the order they merge (each one overrides the ones before)."""
    return [
        config
        for given_repo, given_cluster, config in _entries(plank)
        if entry_matches(given_repo, given_cluster, repo, cluster)
    ]


def with_decoration_defaults(spec: ProwJobSpec, plank: PlankConfig) -> ProwJobSpec:
    """`spec` with its decoration config completed from plank's defaults (undecorated
    jobs are returned as they are)."""
    if spec.decoration_config is None:
        return spec
    refs = main_refs(spec)
    repo = f"{refs.org}/{refs.repo}" if refs else ""
    # A job without a cluster runs on the one Prow calls "default".
    layers = [*defaults_for(plank, repo, spec.cluster or "default"), spec.decoration_config]
    final: dict[str, Any] = {}
    for layer in layers:
        final = merged(final, layer.model_dump(exclude_none=True))
    return spec.model_copy(update={"decoration_config": DecorationConfig.model_validate(final)})
