"""Build IDs: unique and increasing, even within a millisecond or with a clock going back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bowsprit.plank.buildid import BuildIds


def test_ids_grow_and_never_repeat() -> None:
    moments = iter(
        [datetime(2026, 11, 25, tzinfo=UTC)] * 5000
        + [datetime(2026, 11, 25, tzinfo=UTC) - timedelta(seconds=1)] * 10
        + [datetime(2026, 11, 25, 0, 0, 1, tzinfo=UTC)]
    )
    ids = BuildIds(lambda: next(moments), node=1)
    issued = [int(ids.next()) for _ in range(5011)]
    assert issued == sorted(issued) and len(set(issued)) == len(issued)
    assert issued[0].bit_length() <= 63  # a positive int64, as Prow's


def test_nodes_keep_replicas_apart() -> None:
    moment = datetime(2026, 11, 25, tzinfo=UTC)
    assert BuildIds(lambda: moment, node=1).next() != BuildIds(lambda: moment, node=2).next()
