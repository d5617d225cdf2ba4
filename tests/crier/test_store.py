"""crier's store of ProwJobs (what the informer thread keeps, what the loop is told)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bowsprit.crier.store import Bodies, JobStore, pull_of
from tests.crier.jobs import body


@pytest.mark.parametrize(
    ("refs", "pull"),
    [
        ({"org": "o", "repo": "r", "pulls": [{"number": 7}]}, ("o", "r", 7)),
        ({"org": "o", "repo": "r", "pulls": [{"number": 7}, {"number": 8}]}, ("o", "r", 7)),
        ({"org": "o", "repo": "r", "pulls": []}, None),  # a postsubmit
        ({"org": "o", "repo": "r"}, None),
        (None, None),  # a periodic
        ({"org": "o", "repo": "r", "pulls": [{"number": "7"}]}, None),  # not a number
    ],
)
def test_the_pull_a_job_tests(refs: dict[str, Any] | None, pull: tuple[str, str, int]) -> None:
    spec = {"refs": refs} if refs is not None else {}
    assert pull_of({"metadata": {"name": "j"}, "spec": spec}) == pull


def test_bodies_come_back_without_managed_fields_and_indexed_by_pull() -> None:
    bodies = Bodies()
    one = body("pj-1", pull=1)
    one["metadata"]["managedFields"] = [{"manager": "plank", "fieldsV1": {"f:status": {}}}]
    bodies.put(one)
    bodies.put(body("pj-2", pull=1))
    bodies.put(body("pj-3", pull=2))
    bodies.put(body("pj-4", pull=None))
    got = bodies.get("pj-1")
    assert got is not None and "managedFields" not in got["metadata"]
    del one["metadata"]["managedFields"]
    assert got == one
    assert [b["metadata"]["name"] for b in bodies.testing(("org", "repo", 1))] == ["pj-1", "pj-2"]
    # A job changed to test another pull moves in the index; a deleted one leaves it.
    bodies.put(body("pj-2", pull=2))
    bodies.pop("pj-3")
    assert [b["metadata"]["name"] for b in bodies.testing(("org", "repo", 1))] == ["pj-1"]
    assert [b["metadata"]["name"] for b in bodies.testing(("org", "repo", 2))] == ["pj-2"]
    assert bodies.get("pj-3") is None and bodies.names() == {"pj-1", "pj-2", "pj-4"}
    assert len(bodies) == 3


def told(calls: list[tuple[str, Any]], bodies: Bodies) -> list[tuple[Any, ...]]:
    """Run the store's calls as the informer thread would; what the event loop was told."""
    events: list[tuple[Any, ...]] = []

    async def main() -> None:
        store = JobStore(
            bodies,
            asyncio.get_running_loop(),
            lambda name, uid, recorded: events.append(("seen", name, uid, recorded)),
            lambda name, uid: events.append(("gone", name, uid)),
        )
        for method, argument in calls:
            await asyncio.to_thread(getattr(store, method), argument)

    asyncio.run(main())
    return events


def test_changes_are_recorded_then_told_by_name() -> None:
    bodies = Bodies()
    events = told(
        [
            ("upsert", body("pj-1", prev={"github-reporter": "pending"})),
            ("upsert", body("pj-2")),
            ("delete", body("pj-2")),
        ],
        bodies,
    )
    assert events == [
        ("seen", "pj-1", "uid-pj-1", {"github-reporter": "pending"}),
        ("seen", "pj-2", "uid-pj-2", {}),
        ("gone", "pj-2", "uid-pj-2"),
    ]
    assert bodies.names() == {"pj-1"}


def test_a_new_list_deletes_what_it_no_longer_has() -> None:
    bodies = Bodies()
    bodies.put(body("pj-old"))
    events = told([("replace", iter([body("pj-1")]))], bodies)
    assert events == [("seen", "pj-1", "uid-pj-1", {}), ("gone", "pj-old", "uid-pj-old")]
    assert bodies.names() == {"pj-1"}
