"""OpenAPI v2 and v3 documents: enough for kubectl's validation, apply and explain.

Custom resources get their CRD schema; built-in kinds a permissive object schema
(kubectl carries their real schemas itself).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bowsprit.emulator.registry import Registry
from bowsprit.emulator.resources import ResourceInfo


def definition_name(info: ResourceInfo) -> str:
    """Kubernetes' naming: reversed group, version, kind (io.k8s.api.core.v1.Pod)."""
    if not info.group:
        return f"io.k8s.api.core.v1.{info.kind}"
    reversed_group = ".".join(reversed(info.group.split(".")))
    return f"{reversed_group}.{info.version}.{info.kind}"


def _schema(info: ResourceInfo) -> dict[str, Any]:
    base: dict[str, Any] = (
        json.loads(json.dumps(info.schema))
        if info.schema
        else {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
        }
    )
    base.setdefault("properties", {})
    base["properties"]["metadata"] = {
        "description": "Standard object's metadata.",
        "allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}],
    }
    base["x-kubernetes-group-version-kind"] = [
        {"group": info.group, "version": info.version, "kind": info.kind}
    ]
    return base


_OBJECT_META = {
    "description": "ObjectMeta is metadata that all persisted resources must have.",
    "type": "object",
    "x-kubernetes-preserve-unknown-fields": True,
    "properties": {
        "name": {"type": "string", "description": "Name must be unique within a namespace."},
        "namespace": {"type": "string", "description": "Namespace of the object."},
        "labels": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Map of string keys and values.",
        },
        "annotations": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Unstructured key value map.",
        },
    },
}


def v3_index(registry: Registry) -> dict[str, Any]:
    paths = {}
    for group, versions in registry.group_versions().items():
        for version in versions:
            path = f"api/{version}" if not group else f"apis/{group}/{version}"
            document = v3_document(registry, group, version)
            digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}


def _object_path(info: ResourceInfo) -> str:
    prefix = f"/apis/{info.group}/{info.version}" if info.group else f"/api/{info.version}"
    scope = "/namespaces/{namespace}" if info.namespaced else ""
    return f"{prefix}{scope}/{info.plural}/{{name}}"


def _operations(info: ResourceInfo) -> dict[str, Any]:
    """The object path's operations. kubectl looks for the PATCH operation's
    `fieldValidation` parameter to decide that the server validates fields itself."""
    gvk = {"group": info.group, "version": info.version, "kind": info.kind}
    reference = {"$ref": f"#/components/schemas/{definition_name(info)}"}
    body = {"content": {"application/json": {"schema": reference}}}
    parameters = [
        {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
        for name in ("dryRun", "fieldManager", "fieldValidation")
    ]

    def operation(verb: str, with_body: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "operationId": f"{verb}{info.kind}",
            "x-kubernetes-action": verb,
            "x-kubernetes-group-version-kind": gvk,
            "responses": {"200": body},
        }
        if with_body:
            entry["parameters"] = parameters
            entry["requestBody"] = body
        return entry

    return {
        "get": operation("get", False),
        "put": operation("put", True),
        "patch": operation("patch", True),
        "delete": operation("delete", False),
    }


def v3_document(registry: Registry, group: str, version: str) -> dict[str, Any]:
    schemas = {"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": _OBJECT_META}
    paths = {}
    for info in registry.resources(group, version):
        schemas[definition_name(info)] = _schema(info)
        paths[_object_path(info)] = _operations(info)
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.36.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def v2_document(registry: Registry) -> dict[str, Any]:
    definitions: dict[str, Any] = {
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": _OBJECT_META,
    }
    for info in registry.all():
        schema = _schema(info)
        schema["properties"]["metadata"] = {
            "$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
        }
        definitions[definition_name(info)] = schema
    return {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": "v1.36.0"},
        "paths": {},
        "definitions": definitions,
    }
