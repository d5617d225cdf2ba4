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


def test_a_name_alone_finds_its_object_in_any_namespace_until_it_is_deleted() -> None:
    store = ObjectStore()
    other = job("shared") | {"metadata": {"name": "shared", "namespace": "other"}}
    store.replace([job("listed"), job("shared")])
    store.upsert(other)
    assert (store.find("listed") or {})["metadata"]["namespace"] == "ci"
    assert store.find("missing") is None
    store.delete(job("shared"))  # the copy in "other" is still found
    assert (store.find("shared") or {})["metadata"]["namespace"] == "other"
    store.delete(other)
    assert store.find("shared") is None
    store.replace([job("fresh")])  # a re-list forgets what it does not hold
    assert store.find("listed") is None
    assert store.wait_for("fresh", timeout=0) is not None
