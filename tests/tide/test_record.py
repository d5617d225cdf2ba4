"""The TidePool status a sync writes: valid against the CRD's model, history bounded."""

from __future__ import annotations

from datetime import UTC, datetime

from bowsprit.api.tidepool import TidePoolStatus
from bowsprit.tide.decide import Decision
from bowsprit.tide.model import SubPool
from bowsprit.tide.record import status
from tests.tide.build import BASE, pr

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_history_keeps_the_newest_actions_and_the_status_fits_the_crd() -> None:
    history: list[dict[str, object]] = []
    pool = SubPool("o", "r", "main", BASE, [pr(1), pr(2)])
    merge = Decision("MERGE", (pr(1), pr(2)), (pr(1),), successes=(1,), missings=(2,))
    wait = Decision("WAIT", (pr(1),))
    for _ in range(7):
        patch = status([(merge, pool, "boom" * 500)], history, NOW, keep=5)
    patch = status([(wait, pool, None)], history, NOW, keep=5)
    assert len(history) == 5 and len(patch["history"]) == 5
    assert patch["lastAction"] == "MERGE o/r:main #1"
    assert patch["prsInPool"] == 1
    parsed = TidePoolStatus.model_validate(patch)
    assert parsed.history is not None and parsed.history[-1].error == ("boom" * 500)[:1000]
    assert parsed.pools is not None and parsed.pools[0].action == "WAIT"
