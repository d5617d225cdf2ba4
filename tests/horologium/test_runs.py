"""horologium's watch of the Periodics' runs: which Periodic a run's event wakes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bowsprit.horologium.build import PERIODIC_LABEL, PERIODIC_NAMESPACE_LABEL
from bowsprit.horologium.runs import RunStore, periodics_of
from bowsprit.lib.labels import identifying

LONG = "a-periodic-whose-name-is-longer-than-a-label-value-may-be-" + "x" * 20
KNOWN = [("team-a", "nightly"), ("team-b", "nightly"), ("team-a", LONG)]


def run(periodic: str, namespace: str, completed: bool) -> dict[str, Any]:
    labels = {PERIODIC_LABEL: identifying(periodic), PERIODIC_NAMESPACE_LABEL: namespace}
    status = {"completionTime": "2026-11-24T09:00:00Z"} if completed else {}
    return {"metadata": {"name": "r", "labels": labels}, "status": status}


@pytest.mark.parametrize(
    ("labels", "woken"),
    [
        ({PERIODIC_LABEL: "nightly", PERIODIC_NAMESPACE_LABEL: "team-a"}, [("team-a", "nightly")]),
        ({PERIODIC_LABEL: "nightly", PERIODIC_NAMESPACE_LABEL: "team-b"}, [("team-b", "nightly")]),
        # A long name is matched by its shortened label value.
        (
            {PERIODIC_LABEL: identifying(LONG), PERIODIC_NAMESPACE_LABEL: "team-a"},
            [("team-a", LONG)],
        ),
        ({PERIODIC_LABEL: "nightly", PERIODIC_NAMESPACE_LABEL: "team-c"}, []),
        ({PERIODIC_LABEL: "nightly"}, []),  # no namespace label: none of ours
        ({PERIODIC_LABEL: "hourly", PERIODIC_NAMESPACE_LABEL: "team-a"}, []),
    ],
)
def test_a_run_names_its_periodic(labels: dict[str, str], woken: list[tuple[str, str]]) -> None:
    assert identifying(LONG) != LONG
    assert periodics_of(labels, KNOWN) == woken


def woken_by(calls: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Run the store's calls as the informer thread would; the Periodics woken."""
    woken: list[tuple[str, str]] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        store = RunStore(loop, lambda: KNOWN, lambda ns, name: woken.append((ns, name)))
        for method, argument in calls:
            await asyncio.to_thread(getattr(store, method), argument)
        await asyncio.sleep(0)  # the callbacks the thread scheduled on the loop

    asyncio.run(main())
    return woken


def test_only_a_finished_run_wakes_its_periodic() -> None:
    assert woken_by([("upsert", run("nightly", "team-a", completed=False))]) == []
    assert woken_by([("upsert", run("nightly", "team-a", completed=True))]) == [
        ("team-a", "nightly")
    ]
    assert woken_by([("delete", run("nightly", "team-b", completed=True))]) == [
        ("team-b", "nightly")
    ]


def test_a_list_wakes_every_known_periodic_once() -> None:
    listed = iter([run("nightly", "team-a", completed=True)] * 3)
    assert woken_by([("replace", listed)]) == KNOWN
    assert next(listed, None) is None  # every page was read
