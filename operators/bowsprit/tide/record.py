"""A TidePool's status from a sync's outcomes (Prow's PoolForDeck and its history,
bounded): pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bowsprit.lib.clock import rfc3339
from bowsprit.tide.decide import Decision
from bowsprit.tide.model import SubPool

MAX_ERROR = 1000  # characters of an error kept in status
Outcome = tuple[Decision, SubPool, str | None]


def status(
    outcomes: Sequence[Outcome], history: list[dict[str, Any]], now: datetime, keep: int
) -> dict[str, Any]:
    """The status patch; `history` (the pool's, oldest first) gains this sync's actions
    and keeps the newest `keep`."""
    for decision, pool, error in outcomes:
        if decision.action not in ("WAIT", "BLOCKED") and decision.targets:
            history.append(action(decision, pool, error, now))
    del history[:-keep]
    patch: dict[str, Any] = {
        "lastSyncTime": rfc3339(now),
        "pools": [pool_status(*each) for each in outcomes],
        "prsInPool": sum(len(decision.prs) for decision, _, _ in outcomes),
        "history": list(history),
    }
    if history:
        last = history[-1]
        numbers = " ".join(f"#{n}" for n in last.get("target") or [])
        patch["lastAction"] = (
            f"{last['action']} {last['org']}/{last['repo']}:{last['branch']} {numbers}"
        )
    return patch


def action(decision: Decision, pool: SubPool, error: str | None, now: datetime) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "time": rfc3339(now),
        "org": pool.org,
        "repo": pool.repo,
        "branch": pool.branch,
        "action": decision.action,
        "base_sha": pool.sha,
        "target": [pr.number for pr in decision.targets],
    }
    if error:
        entry["error"] = error[:MAX_ERROR]
    return entry


def pool_status(decision: Decision, pool: SubPool, error: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "org": pool.org,
        "repo": pool.repo,
        "branch": pool.branch,
        "base_sha": pool.sha,
        "success_prs": list(decision.successes),
        "pending_prs": list(decision.pendings),
        "missing_prs": list(decision.missings),
        "batch_pending": list(decision.batch_pending),
        "action": decision.action,
        "target": [pr.number for pr in decision.targets],
    }
    if error:
        entry["error"] = error[:MAX_ERROR]
    return entry
