"""GitHub check runs as status contexts (Prow's checkRunNodesToContexts,
deduplicateContexts, isStateBetter, checkRunToContext), so GitHub Actions and other check
suites gate merges as status contexts do."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bowsprit.tide.model import Context

PASSING = ("NEUTRAL", "SKIPPED", "SUCCESS")


def to_context(run: Mapping[str, Any]) -> Context:
    name = str(run.get("name") or "")
    if str(run.get("status") or "").upper() != "COMPLETED":
        return Context(name, "pending")
    conclusion = str(run.get("conclusion") or "").upper()
    return Context(name, "success" if conclusion in PASSING else "failure")


def _better(previous: str, current: str) -> bool:
    if current == "success":
        return True
    if current == "pending" and previous in ("error", "failure", "expected"):
        return True
    return previous == "expected" and current in ("error", "failure")


def contexts(runs: Iterable[Mapping[str, Any]]) -> list[Context]:
    """One context per check run name, the best result of its runs; nameless nodes (the
    rollup's status contexts) are skipped."""
    best: dict[str, Context] = {}
    for run in runs:
        if not run.get("name"):
            continue
        found = to_context(run)
        previous = best.get(found.name)
        if previous is None or _better(previous.state, found.state):
            best[found.name] = found
    return [best[name] for name in sorted(best)]
