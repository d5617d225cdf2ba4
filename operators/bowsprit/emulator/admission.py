"""Admission: what the API server checks and fills in before a write is stored."""

from __future__ import annotations

from typing import Any

from bowsprit.api import validation as schema
from bowsprit.emulator import builtin
from bowsprit.emulator.errors import Cause, bad_request, conflict, invalid
from bowsprit.emulator.resources import ResourceInfo

NAMESPACES = ("", "namespaces")
CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")


def check_type(info: ResourceInfo, obj: dict[str, Any]) -> None:
    if not isinstance(obj, dict):
        raise bad_request("the body of the request must be a JSON object")
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not kind:
        raise bad_request("Object 'Kind' is missing in the request body")
    if api_version != info.group_version:
        raise bad_request(
            f"the API version in the data ({api_version}) does not match the expected API "
            f"version ({info.group_version})"
        )
    if kind != info.kind:
        raise bad_request(
            f"the kind in the data ({kind}) does not match the expected kind ({info.kind})"
        )


def namespace_for(namespace: str | None, metadata: dict[str, Any]) -> str:
    given = metadata.get("namespace")
    if namespace and given and given != namespace:
        raise bad_request(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    if not namespace:
        raise bad_request("the namespace of the object is required")
    return namespace


def admit(
    info: ResourceInfo,
    obj: dict[str, Any],
    old: dict[str, Any] | None,
    causes: list[Cause],
    strict: bool,
) -> dict[str, Any]:
    name = obj["metadata"].get("name", "")
    if info.custom and info.schema is not None:
        outcome = schema.check(info.schema, obj, old)
        if strict and outcome.unknown_fields:
            listed = ", ".join(f'unknown field "{path}"' for path in outcome.unknown_fields)
            raise bad_request(f"strict decoding error: {listed}")
        causes = causes + outcome.causes
        obj = outcome.value
    elif info.key == ("", "pods") and old is None:
        causes = causes + builtin.admit_pod(obj)
    elif info.key == ("", "secrets"):
        causes = causes + builtin.admit_secret(obj)
    elif info.key == CRDS:
        causes = causes + builtin.admit_crd(obj)
    if old is not None and old["metadata"].get("deletionTimestamp"):
        added = set(obj["metadata"].get("finalizers") or []) - set(
            old["metadata"].get("finalizers") or []
        )
        if added:
            causes = causes + [
                Cause(
                    "FieldValueForbidden",
                    "Forbidden: no new finalizers can be added if the object is being deleted",
                    "metadata.finalizers",
                )
            ]
    if causes:
        raise invalid(info.group, info.kind, name, causes)
    if info.key == NAMESPACES and old is None:
        obj.setdefault("spec", {"finalizers": ["kubernetes"]})
        obj["status"] = {"phase": "Active"}
    return obj


def spec_changed(info: ResourceInfo, old: dict[str, Any], new: dict[str, Any]) -> bool:
    ignored = {"metadata", "status"} if info.status_subresource else {"metadata"}
    return any(old.get(key) != new.get(key) for key in set(old) | set(new) if key not in ignored)


def check_preconditions(info: ResourceInfo, obj: dict[str, Any], wanted: dict[str, Any]) -> None:
    metadata = obj["metadata"]
    name = metadata["name"]
    # The API server names the kind here (Widget.group), not the resource.
    if wanted.get("uid") and wanted["uid"] != metadata.get("uid"):
        raise conflict(
            info.group,
            info.kind,
            name,
            f"the UID in the precondition "
            f"({wanted['uid']}) does not match the UID in record "
            f"({metadata.get('uid')}). The object might have been deleted and "
            "then recreated",
        )
    if wanted.get("resourceVersion") and wanted["resourceVersion"] != metadata.get(
        "resourceVersion"
    ):
        raise conflict(
            info.group,
            info.kind,
            name,
            "the ResourceVersion in the precondition "
            f"({wanted['resourceVersion']}) does not match the ResourceVersion in "
            f"record ({metadata.get('resourceVersion')}). The object might have "
            "been modified",
        )


def grace_period(info: ResourceInfo, obj: dict[str, Any], options: dict[str, Any]) -> int:
    """Only pods bound to a node get a grace period (a kubelet must then finish them)."""
    if info.key != ("", "pods") or not obj.get("spec", {}).get("nodeName"):
        return 0
    if obj.get("status", {}).get("phase") in ("Succeeded", "Failed"):
        return 0
    requested = options.get("gracePeriodSeconds")
    if requested is not None:
        return max(int(requested), 0)
    return int(obj["spec"].get("terminationGracePeriodSeconds", 30))
