"""The ProwConfig status plank writes about build clusters: Prow's states, the
`BuildCluster` condition, and no write when nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bowsprit.plank.clusterstatus import changed, condition, status_patch

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
EARLIER = "2026-12-05T11:00:00Z"


@pytest.mark.parametrize(
    ("statuses", "status", "reason", "message"),
    [
        ({"default": "Reachable"}, "True", "AllReachable", "1 build cluster(s) reachable"),
        (
            {"default": "Reachable", "gpu": "Error", "arm": "MissingPermissions"},
            "False",
            "Unreachable",
            "arm: MissingPermissions; gpu: Error",
        ),
        ({"broken": "No-Manager"}, "False", "Unreachable", "broken: No-Manager"),
    ],
)
def test_condition(statuses: dict[str, str], status: str, reason: str, message: str) -> None:
    made = condition(statuses, None, NOW)
    assert (made["status"], made["reason"], made["message"]) == (status, reason, message)
    assert made["lastTransitionTime"] == "2026-12-05T12:00:00Z"


def test_transition_time_moves_only_with_the_status() -> None:
    before = [{"type": "BuildCluster", "status": "True", "lastTransitionTime": EARLIER}]
    assert condition({"a": "Reachable"}, before, NOW)["lastTransitionTime"] == EARLIER
    assert condition({"a": "Error"}, before, NOW)["lastTransitionTime"] != EARLIER


def test_other_conditions_are_kept() -> None:
    other = {"type": "Other", "status": "True"}
    patch = status_patch({"a": "Reachable"}, {"conditions": [other]}, NOW)
    assert patch["build_clusters"] == {"a": "Reachable"}
    assert [c["type"] for c in patch["conditions"]] == ["Other", "BuildCluster"]


@pytest.mark.parametrize(
    ("previous", "expected"),
    [
        ({}, True),
        ({"build_clusters": {"a": "Reachable"}}, True),  # no condition yet
        (
            {
                "build_clusters": {"a": "Reachable"},
                "conditions": [{"type": "BuildCluster", "status": "True"}],
            },
            False,
        ),
        (
            {
                "build_clusters": {"a": "Error"},
                "conditions": [{"type": "BuildCluster", "status": "False"}],
            },
            True,
        ),
    ],
)
def test_unchanged_states_write_nothing(previous: dict[str, Any], expected: bool) -> None:
    assert changed({"a": "Reachable"}, previous) is expected
