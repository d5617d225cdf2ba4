"""Kubeconfigs naming build clusters, for tests that run two API servers at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def aliased(kubeconfig: dict[str, Any], alias: str) -> dict[str, Any]:
    """A one-context kubeconfig renamed so its context (the build cluster alias), cluster
    and user are all `alias`: several can then be merged or put in one folder."""
    context = next(
        item["context"]
        for item in kubeconfig["contexts"]
        if item["name"] == kubeconfig["current-context"]
    )
    cluster = next(i["cluster"] for i in kubeconfig["clusters"] if i["name"] == context["cluster"])
    user = next(i["user"] for i in kubeconfig["users"] if i["name"] == context["user"])
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": alias, "cluster": cluster}],
        "users": [{"name": alias, "user": user}],
        "contexts": [{"name": alias, "context": {**context, "cluster": alias, "user": alias}}],
        "current-context": alias,
    }


def merged(*kubeconfigs: dict[str, Any]) -> dict[str, Any]:
    """One kubeconfig with every context of the given ones (the first is current)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [c for k in kubeconfigs for c in k["clusters"]],
        "users": [u for k in kubeconfigs for u in k["users"]],
        "contexts": [c for k in kubeconfigs for c in k["contexts"]],
        "current-context": kubeconfigs[0]["current-context"],
    }


def write_kubeconfig_dir(folder: Path, by_alias: dict[str, dict[str, Any]]) -> Path:
    """A folder as the chart mounts it: one file per alias, each a one-context kubeconfig
    (`<alias>.yaml`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for alias, kubeconfig in by_alias.items():
        (folder / f"{alias}.yaml").write_text(yaml.safe_dump(aliased(kubeconfig, alias)))
    return folder
