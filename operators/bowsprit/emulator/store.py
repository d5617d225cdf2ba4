"""The emulator's state and the semantics of every verb, independent of HTTP.

Objects are JSON dicts. A stored object is never mutated: every write builds a new
dict, so events and readers can share references without copying.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import timedelta
from typing import Any

from bowsprit.emulator import admission, builtin
from bowsprit.emulator.admission import CRDS, NAMESPACES
from bowsprit.emulator.errors import (
    ApiError,
    Cause,
    already_exists,
    bad_request,
    conflict,
    invalid,
    not_found,
)
from bowsprit.emulator.patching import apply_patch, json_copy
from bowsprit.emulator.registry import Registry
from bowsprit.emulator.resources import ResourceInfo
from bowsprit.emulator.selectors import Matcher
from bowsprit.emulator.watch import Event, History, Watcher
from bowsprit.lib.clock import Clock, rfc3339

ObjectKey = tuple[str, str]  # (namespace or "", name)
DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def new_uid() -> str:
    return str(uuid.UUID(bytes=os.urandom(16), version=4))


def name_suffix() -> str:
    return "".join(
        _NAME_SUFFIX_ALPHABET[byte % len(_NAME_SUFFIX_ALPHABET)] for byte in os.urandom(5)
    )


class Store:
    """All objects, the global resourceVersion, the event history and the watchers."""

    def __init__(self, clock: Clock, history_size: int = 100_000) -> None:
        self.clock = clock
        self.registry = Registry()
        self.rv = 0
        self.objects: dict[tuple[str, str], dict[ObjectKey, dict[str, Any]]] = {}
        self.history = History(history_size)
        self.watchers: dict[tuple[str, str], set[Watcher]] = {}
        # Indexes for the garbage collector: where each uid lives, and who it owns.
        self.by_uid: dict[str, tuple[tuple[str, str], ObjectKey]] = {}
        self.dependents: dict[str, set[tuple[tuple[str, str], ObjectKey]]] = {}
        # Like the API server's watch cache, a custom resource's history starts when its
        # CRD is served: a watch from an older resourceVersion gets 410 Gone.
        self.history_start: dict[tuple[str, str], int] = {}
        namespaces = self.registry.lookup("", "v1", "namespaces")
        assert namespaces is not None
        for name in DEFAULT_NAMESPACES:
            self.create(
                namespaces,
                None,
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
            )

    # Reading -----------------------------------------------------------------------------

    def get(self, info: ResourceInfo, namespace: str | None, name: str) -> dict[str, Any]:
        obj = self.objects.get(info.key, {}).get((namespace or "", name))
        if obj is None:
            raise not_found(info.group, info.plural, name)
        return obj

    def select(
        self, info: ResourceInfo, namespace: str | None, matcher: Matcher | None
    ) -> list[dict[str, Any]]:
        found = []
        for (obj_namespace, _), obj in sorted(self.objects.get(info.key, {}).items()):
            if namespace is not None and obj_namespace != namespace:
                continue
            if matcher is None or matcher(obj):
                found.append(obj)
        return found

    # Writing -----------------------------------------------------------------------------

    def create(
        self,
        info: ResourceInfo,
        namespace: str | None,
        body: dict[str, Any],
        dry_run: bool = False,
        strict: bool = False,
    ) -> dict[str, Any]:
        obj = json_copy(body)
        admission.check_type(info, obj)
        metadata = obj.setdefault("metadata", {})
        if info.namespaced:
            namespace = admission.namespace_for(namespace, metadata)
            self._require_namespace(namespace)
        name = metadata.get("name") or ""
        if not name:
            prefix = metadata.get("generateName")
            if not prefix:
                raise invalid(
                    info.group,
                    info.kind,
                    "",
                    [
                        Cause(
                            "FieldValueRequired",
                            "Required value: name or generateName is required",
                            "metadata.name",
                        )
                    ],
                )
            name = prefix + name_suffix()
        if (namespace or "", name) in self.objects.get(info.key, {}):
            raise already_exists(info.group, info.plural, name)
        metadata.update(
            name=name,
            uid=new_uid(),
            creationTimestamp=rfc3339(self.clock()),
        )
        if info.namespaced:
            metadata["namespace"] = namespace
        for server_owned in ("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"):
            metadata.pop(server_owned, None)
        if info.has_generation:
            metadata["generation"] = 1
        if info.status_subresource and (info.custom or info.key == CRDS):
            obj.pop("status", None)
        causes = builtin.validate_name(name, dns_label=info.key == NAMESPACES)
        causes += builtin.validate_labels(metadata.get("labels"))
        obj = admission.admit(info, obj, None, causes, strict)
        if dry_run:
            return obj
        return self._store(info, obj, None)

    def update(
        self,
        info: ResourceInfo,
        namespace: str | None,
        name: str,
        body: dict[str, Any],
        subresource: str | None = None,
        dry_run: bool = False,
        strict: bool = False,
    ) -> dict[str, Any]:
        old = self.get(info, namespace, name)
        body = json_copy(body)
        admission.check_type(info, body)
        metadata = body.setdefault("metadata", {})
        if metadata.get("name") not in (None, name):
            raise bad_request(
                f"the name of the object ({metadata.get('name')}) does not match the name on the "
                f"URL ({name})"
            )
        requested_rv = metadata.get("resourceVersion")
        if requested_rv:
            if requested_rv != old["metadata"]["resourceVersion"]:
                raise conflict(info.group, info.plural, name)
        elif not info.unconditional_update:
            raise invalid(
                info.group,
                info.kind,
                name,
                [
                    Cause(
                        "FieldValueInvalid",
                        "Invalid value: 0x0: must be specified for an update",
                        "metadata.resourceVersion",
                    )
                ],
            )
        return self._replace(info, old, body, subresource, dry_run, strict)

    def patch(
        self,
        info: ResourceInfo,
        namespace: str | None,
        name: str,
        content_type: str,
        patch: Any,
        subresource: str | None = None,
        dry_run: bool = False,
        strict: bool = False,
    ) -> dict[str, Any]:
        old = self.get(info, namespace, name)
        patched = apply_patch(content_type, old, patch, info.custom)
        if not isinstance(patched, dict):
            raise bad_request("the patch did not produce an object")
        if patched.get("metadata", {}).get("resourceVersion") != old["metadata"]["resourceVersion"]:
            raise conflict(info.group, info.plural, name)
        return self._replace(info, old, patched, subresource, dry_run, strict)

    def delete(
        self,
        info: ResourceInfo,
        namespace: str | None,
        name: str,
        options: dict[str, Any],
        dry_run: bool = False,
    ) -> tuple[dict[str, Any], bool]:
        """Delete (or start deleting) an object; returns it and whether it is gone."""
        old = self.get(info, namespace, name)
        admission.check_preconditions(info, old, options.get("preconditions") or {})
        if dry_run:
            return old, True
        policy = options.get("propagationPolicy")
        if options.get("orphanDependents") is True:
            policy = "Orphan"
        finalizers = list(old["metadata"].get("finalizers") or [])
        for needed in (("foregroundDeletion",) if policy == "Foreground" else ()) + (
            ("orphan",) if policy == "Orphan" else ()
        ):
            if needed not in finalizers and not old["metadata"].get("deletionTimestamp"):
                finalizers.append(needed)
        grace = admission.grace_period(info, old, options)
        if not finalizers and grace == 0:
            return self._remove(info, old), True
        if old["metadata"].get("deletionTimestamp") and grace == 0:
            return old, False
        new = json_copy(old)
        deleting_at = self.clock() + timedelta(seconds=grace)
        new["metadata"].update(
            deletionTimestamp=rfc3339(deleting_at),
            deletionGracePeriodSeconds=grace,
            finalizers=finalizers,
        )
        if not finalizers:
            new["metadata"].pop("finalizers")
        stored = self._store(info, new, old)
        self._after_write(info, stored)
        return stored, False

    # Watching ----------------------------------------------------------------------------

    def watch(
        self,
        info: ResourceInfo,
        namespace: str | None,
        matcher: Matcher | None,
        since: int | None,
    ) -> tuple[Watcher, list[Event]]:
        """Register a watcher; returns it and the events to replay first."""
        oldest = max(self.history.compacted_rv, self.history_start.get(info.key, 0))
        if since is not None and since < oldest:
            raise ApiError(410, "Expired", f"too old resource version: {since} ({oldest})")
        watcher = Watcher(info.key, namespace, matcher, asyncio.Queue())
        self.watchers.setdefault(info.key, set()).add(watcher)
        if since is None:
            replay = [
                Event(int(obj["metadata"]["resourceVersion"]), info.key, "ADDED", obj, None)
                for obj in self.select(info, namespace, matcher)
            ]
        else:
            replay = self.history.since(since, info.key)
        return watcher, replay

    def unwatch(self, watcher: Watcher) -> None:
        self.watchers.get(watcher.key, set()).discard(watcher)

    # Internals ---------------------------------------------------------------------------

    def _require_namespace(self, namespace: str) -> None:
        found = self.objects.get(NAMESPACES, {}).get(("", namespace))
        if found is None:
            raise not_found("", "namespaces", namespace)
        if found["metadata"].get("deletionTimestamp"):
            raise ApiError(
                403,
                "Forbidden",
                f"unable to create new content in namespace {namespace} because it is being "
                "terminated",
            )

    def _replace(
        self,
        info: ResourceInfo,
        old: dict[str, Any],
        body: dict[str, Any],
        subresource: str | None,
        dry_run: bool,
        strict: bool,
    ) -> dict[str, Any]:
        if subresource == "status":
            new = {**json_copy(old), "status": body.get("status")}
            if new["status"] is None:
                new.pop("status")
        else:
            new = body
            if info.status_subresource:
                new.pop("status", None)
                if "status" in old:
                    new["status"] = old["status"]
            metadata = new.setdefault("metadata", {})
            for owned in (
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
                "namespace",
                "name",
            ):
                if owned in old["metadata"]:
                    metadata[owned] = old["metadata"][owned]
                else:
                    metadata.pop(owned, None)
            causes = builtin.validate_labels(metadata.get("labels"))
            new = admission.admit(info, new, old, causes, strict)
        if subresource == "status" and info.custom and info.schema is not None:
            new = admission.admit(info, new, old, [], strict)
        new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        if info.has_generation and admission.spec_changed(info, old, new):
            new["metadata"]["generation"] = old["metadata"].get("generation", 0) + 1
        if new == old or dry_run:
            return old if new == old else new
        stored = self._store(info, new, old)
        self._after_write(info, stored)
        return stored

    def _store(
        self, info: ResourceInfo, obj: dict[str, Any], old: dict[str, Any] | None
    ) -> dict[str, Any]:
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        self.objects.setdefault(info.key, {})[key] = obj
        self.by_uid[obj["metadata"]["uid"]] = (info.key, key)
        self._index_owners(info, key, old, obj)
        if info.key == CRDS:
            self._serve_crd(obj)
        self._emit(Event(self.rv, info.key, "ADDED" if old is None else "MODIFIED", obj, old))
        return obj

    def _after_write(self, info: ResourceInfo, obj: dict[str, Any]) -> None:
        """A deleting object whose last finalizer went is removed; GC reacts to finalizers."""
        metadata = obj["metadata"]
        if not metadata.get("deletionTimestamp"):
            return
        finalizers = metadata.get("finalizers") or []
        if "foregroundDeletion" in finalizers or "orphan" in finalizers:
            from bowsprit.emulator.collector import settle_owner

            settle_owner(self, info, obj)
            return
        # A pod bound to a node is finished by its kubelet, not by the API server.
        bound_pod = info.key == ("", "pods") and bool(obj.get("spec", {}).get("nodeName"))
        if not finalizers and not bound_pod:
            self._remove(info, obj)

    def _remove(self, info: ResourceInfo, obj: dict[str, Any]) -> dict[str, Any]:
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        self.objects.get(info.key, {}).pop(key, None)
        self.by_uid.pop(obj["metadata"]["uid"], None)
        self._index_owners(info, key, obj, None)
        self.rv += 1
        gone = {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(self.rv)}}
        self._emit(Event(self.rv, info.key, "DELETED", gone, obj))
        if info.key == CRDS:
            self._forget_crd(obj)
        if info.key == NAMESPACES:
            self._empty_namespace(obj["metadata"]["name"])
        from bowsprit.emulator.collector import collect_dependents

        collect_dependents(self, obj)
        return gone

    def _index_owners(
        self,
        info: ResourceInfo,
        key: ObjectKey,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
    ) -> None:
        def owners(obj: dict[str, Any] | None) -> set[str]:
            refs = (obj or {}).get("metadata", {}).get("ownerReferences") or []
            return {ref.get("uid", "") for ref in refs}

        before, after = owners(old), owners(new)
        for uid in before - after:
            self.dependents.get(uid, set()).discard((info.key, key))
        for uid in after - before:
            self.dependents.setdefault(uid, set()).add((info.key, key))

    def _emit(self, event: Event) -> None:
        self.history.append(event)
        for watcher in self.watchers.get(event.key, ()):
            watcher.queue.put_nowait(event)

    def _serve_crd(self, crd: dict[str, Any]) -> None:
        if crd["metadata"].get("deletionTimestamp"):
            return
        if "status" not in crd or not crd["status"].get("acceptedNames"):
            crd["status"] = builtin.crd_status(crd, rfc3339(self.clock()))
        self.registry.serve_crd(crd)
        names = crd["spec"]["names"]
        self.history_start.setdefault((crd["spec"]["group"], names["plural"]), self.rv)

    def _forget_crd(self, crd: dict[str, Any]) -> None:
        for info in self.registry.forget_crd(crd["metadata"]["name"]):
            for obj in list(self.objects.get(info.key, {}).values()):
                self._remove(info, obj)
            self.objects.pop(info.key, None)
            self.history_start.pop(info.key, None)

    def _empty_namespace(self, namespace: str) -> None:
        for info in self.registry.all():
            if info.namespaced:
                for obj in self.select(info, namespace, None):
                    self._remove(info, obj)
