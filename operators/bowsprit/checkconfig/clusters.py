"""Jobs naming a build cluster that is not configured (issue 22).

`bowsprit check` is offline, so the configured aliases are given to it
(`--build-clusters a,b`, what the chart's `buildClusters` keys are); `default` always
exists. Without the flag nothing is checked: an alias cannot be judged unknown without
knowing the installation. plank errors such a job at run time, naming the alias."""

from __future__ import annotations

from bowsprit.api.base import Resource
from bowsprit.api.prowimport import Problem

DEFAULT_ALIAS = "default"


def cluster_problem(obj: Resource, known: set[str]) -> Problem | None:
    spec = getattr(obj, "spec", None)
    alias = getattr(spec, "cluster", None)
    if not alias or alias == DEFAULT_ALIAS or alias in known:
        return None
    choices = ", ".join(sorted({DEFAULT_ALIAS, *known}))
    return Problem(
        f"{obj.kind}/{obj.metadata.name or '?'}",
        "spec.cluster",
        f"build cluster {alias!r} is not configured (configured: {choices})",
    )
