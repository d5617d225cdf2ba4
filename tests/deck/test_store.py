"""deck's watch-backed store: what it keeps of each object."""

from __future__ import annotations

from typing import Any

from bowsprit.deck.store import ObjectStore


def job(name: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": "ci",
            "labels": {"a": "b"},
            "managedFields": [{"manager": "hook", "fieldsV1": {"f:spec": {}}}],
        },
        "spec": {"job": "unit"},
    }


def test_managed_fields_are_not_kept_from_a_list_or_an_event() -> None:
    store = ObjectStore()
    store.replace([job("listed")])
    store.upsert(job("watched"))
    for name in ("listed", "watched"):
        kept = store.get("ci", name)
        assert kept is not None
        assert kept["metadata"] == {"name": name, "namespace": "ci", "labels": {"a": "b"}}
        assert kept["spec"] == {"job": "unit"}
