"""Garbage collection through ownerReferences, as kube-controller-manager does it.

Runs synchronously after the write that triggers it: background deletion removes a
dependent once none of its owners exist; `orphan` strips the owner's references;
`foregroundDeletion` removes dependents first, then the owner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bowsprit.emulator.patching import json_copy
from bowsprit.emulator.resources import ResourceInfo

if TYPE_CHECKING:
    from bowsprit.emulator.store import Store


def _dependents(store: Store, owner_uid: str) -> list[tuple[ResourceInfo, dict[str, Any]]]:
    found = []
    for resource_key, object_key in sorted(store.dependents.get(owner_uid, set())):
        info = store.registry.by_key(resource_key)
        obj = store.objects.get(resource_key, {}).get(object_key)
        if info is not None and obj is not None:
            found.append((info, obj))
    return found


def _without_owner(store: Store, info: ResourceInfo, obj: dict[str, Any], owner_uid: str) -> None:
    new = json_copy(obj)
    refs = [
        ref for ref in new["metadata"].get("ownerReferences", []) if ref.get("uid") != owner_uid
    ]
    if refs:
        new["metadata"]["ownerReferences"] = refs
    else:
        new["metadata"].pop("ownerReferences", None)
    store._store(info, new, obj)


def _drop_finalizer(store: Store, info: ResourceInfo, obj: dict[str, Any], finalizer: str) -> None:
    new = json_copy(obj)
    remaining = [name for name in new["metadata"].get("finalizers", []) if name != finalizer]
    if remaining:
        new["metadata"]["finalizers"] = remaining
    else:
        new["metadata"].pop("finalizers", None)
    stored = store._store(info, new, obj)
    store._after_write(info, stored)


def _delete_if_present(store: Store, info: ResourceInfo, obj: dict[str, Any], policy: str) -> None:
    """Delete an object unless an earlier step of the same cascade already removed it."""
    metadata = obj["metadata"]
    key = (metadata.get("namespace", ""), metadata["name"])
    current = store.objects.get(info.key, {}).get(key)
    if current is not None and current["metadata"]["uid"] == metadata["uid"]:
        store.delete(
            info, metadata.get("namespace"), metadata["name"], {"propagationPolicy": policy}
        )


def collect_dependents(store: Store, owner: dict[str, Any]) -> None:
    """The owner is gone: delete dependents that have no owner left."""
    owner_uid = owner["metadata"]["uid"]
    for info, dependent in _dependents(store, owner_uid):
        others = [
            ref
            for ref in dependent["metadata"].get("ownerReferences", [])
            if ref.get("uid") != owner_uid and ref.get("uid") in store.by_uid
        ]
        if others:
            continue
        _delete_if_present(store, info, dependent, "Background")
    store.dependents.pop(owner_uid, None)
    _release_waiting_owners(store, owner)


def _release_waiting_owners(store: Store, dependent: dict[str, Any]) -> None:
    """A dependent went away: owners deleting in the foreground may now finish."""
    for ref in dependent["metadata"].get("ownerReferences", []):
        located = store.by_uid.get(ref.get("uid", ""))
        if located is None:
            continue
        info = store.registry.by_key(located[0])
        owner = store.objects.get(located[0], {}).get(located[1])
        if info is not None and owner is not None:
            settle_owner(store, info, owner)


def settle_owner(store: Store, info: ResourceInfo, owner: dict[str, Any]) -> None:
    """Carry out an owner's orphan or foregroundDeletion finalizer."""
    finalizers = owner["metadata"].get("finalizers") or []
    uid = owner["metadata"]["uid"]
    if "orphan" in finalizers:
        for dependent_info, dependent in _dependents(store, uid):
            _without_owner(store, dependent_info, dependent, uid)
        _drop_finalizer(store, info, owner, "orphan")
    elif "foregroundDeletion" in finalizers:
        for dependent_info, dependent in _dependents(store, uid):
            if not dependent["metadata"].get("deletionTimestamp"):
                _delete_if_present(store, dependent_info, dependent, "Foreground")
        current = store.objects.get(info.key, {}).get(
            (owner["metadata"].get("namespace", ""), owner["metadata"]["name"])
        )
        if current is not None and not _dependents(store, uid):
            _drop_finalizer(store, info, current, "foregroundDeletion")
