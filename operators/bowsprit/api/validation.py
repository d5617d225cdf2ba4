"""Structural-schema validation, pruning and defaulting of custom resources.

Follows what the API server does with a CRD's openAPIV3Schema: apply defaults, drop
unknown fields (unless preserved), check types and constraints, then run the CEL rules
(transition rules only against an old object). Messages copy the API server's wording.
The emulator admits objects with it, and `bowsprit check` judges files with it, so a
file is judged as the API server will judge it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bowsprit.api.celrules import violations

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
}


@dataclass(frozen=True)
class Cause:
    """One field-level reason of a 422 Invalid error, as the API server words it."""

    reason: str
    message: str
    field: str

    def as_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message, "field": self.field}


@dataclass
class Outcome:
    """The object after defaulting and pruning, what was pruned, and what is invalid."""

    value: Any
    unknown_fields: list[str] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)


def check(schema: dict[str, Any], obj: dict[str, Any], old: dict[str, Any] | None) -> Outcome:
    """Default, prune and validate a whole custom resource (metadata is left alone)."""
    outcome = Outcome(value=obj)
    body = {key: value for key, value in obj.items() if key != "metadata"}
    properties = schema.get("properties", {})
    pruned: dict[str, Any] = {}
    for key, value in body.items():
        if key in ("apiVersion", "kind"):
            pruned[key] = value
        elif key in properties:
            pruned[key] = _walk(properties[key], value, key, outcome)
        elif not schema.get("x-kubernetes-preserve-unknown-fields"):
            outcome.unknown_fields.append(key)
        else:
            pruned[key] = value
    _defaults(schema, pruned, outcome, "")
    for name in schema.get("required", []):
        if name not in pruned and name != "metadata":
            outcome.causes.append(Cause("FieldValueRequired", "Required value", name))
    if not outcome.causes:
        rule_schema = {
            **schema,
            "properties": {k: v for k, v in properties.items() if k != "metadata"},
        }
        for item in violations(rule_schema, pruned, _without_metadata(old)):
            outcome.causes.append(
                Cause("FieldValueInvalid", f'Invalid value: "object": {item.message}', item.path)
            )
    outcome.value = {"metadata": obj.get("metadata", {}), **pruned}
    return outcome


def _without_metadata(old: dict[str, Any] | None) -> dict[str, Any] | None:
    if old is None:
        return None
    return {key: value for key, value in old.items() if key != "metadata"}


def _walk(schema: dict[str, Any], value: Any, path: str, outcome: Outcome) -> Any:
    if value is None:
        if schema.get("nullable"):
            return None
        outcome.causes.append(_type_cause(schema, value, path))
        return None
    if schema.get("x-kubernetes-int-or-string"):
        if isinstance(value, bool) or not isinstance(value, int | str):
            outcome.causes.append(
                Cause(
                    "FieldValueTypeInvalid",
                    f"Invalid value: {_show(value)}: {path} in body "
                    "must be of type integer-or-string",
                    path,
                )
            )
        elif isinstance(value, str):
            outcome.causes.extend(_string_causes(schema, value, path))
        return value
    expected = schema.get("type")
    if expected and not _has_type(value, expected):
        outcome.causes.append(_type_cause(schema, value, path))
        return value
    if isinstance(value, dict):
        value = _walk_object(schema, value, path, outcome)
    elif isinstance(value, list):
        value = [
            _walk(schema["items"], item, f"{path}[{i}]", outcome) if "items" in schema else item
            for i, item in enumerate(value)
        ]
    _constraints(schema, value, path, outcome)
    return value


def _walk_object(schema: dict[str, Any], value: dict[str, Any], path: str, outcome: Outcome) -> Any:
    properties = schema.get("properties")
    additional = schema.get("additionalProperties")
    preserve = schema.get("x-kubernetes-preserve-unknown-fields", False)
    result: dict[str, Any] = {}
    for key, child in value.items():
        child_path = f"{path}.{key}"
        if properties and key in properties:
            result[key] = _walk(properties[key], child, child_path, outcome)
        elif isinstance(additional, dict):
            result[key] = _walk(additional, child, child_path, outcome)
        elif preserve or additional is True:
            result[key] = child
        else:
            outcome.unknown_fields.append(child_path)
    _defaults(schema, result, outcome, path)
    for name in schema.get("required", []):
        if name not in result:
            outcome.causes.append(Cause("FieldValueRequired", "Required value", f"{path}.{name}"))
    return result


def _defaults(schema: dict[str, Any], value: dict[str, Any], outcome: Outcome, path: str) -> None:
    for name, child in schema.get("properties", {}).items():
        if name not in value and "default" in child:
            value[name] = json.loads(json.dumps(child["default"]))


def _has_type(value: Any, expected: str) -> bool:
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    kind = _TYPES.get(expected)
    return kind is None or (
        isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    )


def _type_cause(schema: dict[str, Any], value: Any, path: str) -> Cause:
    expected = schema.get("type", "object")
    return Cause(
        "FieldValueTypeInvalid",
        f'Invalid value: "{_json_type(value)}": {path} in body must be of type {expected}: '
        f'"{_json_type(value)}"',
        path,
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _show(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else json.dumps(value)


def _constraints(schema: dict[str, Any], value: Any, path: str, outcome: Outcome) -> None:
    if "enum" in schema and value not in schema["enum"]:
        supported = ", ".join(_show(item) for item in schema["enum"])
        outcome.causes.append(
            Cause(
                "FieldValueNotSupported",
                f"Unsupported value: {_show(value)}: supported values: {supported}",
                path,
            )
        )
    if isinstance(value, str):
        outcome.causes.extend(_string_causes(schema, value, path))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        outcome.causes.extend(_number_causes(schema, value, path))
    elif isinstance(value, list | dict):
        outcome.causes.extend(_size_causes(schema, value, path))


def _string_causes(schema: dict[str, Any], value: str, path: str) -> list[Cause]:
    causes = []
    if "pattern" in schema and not re.search(schema["pattern"], value):
        causes.append(
            Cause(
                "FieldValueInvalid",
                f"Invalid value: {_show(value)}: {path} in body should match '{schema['pattern']}'",
                path,
            )
        )
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        causes.append(
            Cause(
                "FieldValueTooLong",
                f"Too long: may not be more than {schema['maxLength']} bytes",
                path,
            )
        )
    if "minLength" in schema and len(value) < schema["minLength"]:
        causes.append(
            Cause(
                "FieldValueInvalid",
                f"Invalid value: {_show(value)}: {path} in "
                f"body should be at least {schema['minLength']} chars long",
                path,
            )
        )
    return causes


def _number_causes(schema: dict[str, Any], value: float, path: str) -> list[Cause]:
    causes = []
    if "minimum" in schema and value < schema["minimum"]:
        causes.append(
            Cause(
                "FieldValueInvalid",
                f"Invalid value: {value}: {path} in body "
                f"should be greater than or equal to {schema['minimum']}",
                path,
            )
        )
    if "maximum" in schema and value > schema["maximum"]:
        causes.append(
            Cause(
                "FieldValueInvalid",
                f"Invalid value: {value}: {path} in body "
                f"should be less than or equal to {schema['maximum']}",
                path,
            )
        )
    return causes


def _size_causes(
    schema: dict[str, Any], value: list[Any] | dict[str, Any], path: str
) -> list[Cause]:
    causes = []
    low, high = (
        ("minItems", "maxItems") if isinstance(value, list) else ("minProperties", "maxProperties")
    )
    if low in schema and len(value) < schema[low]:
        causes.append(
            Cause(
                "FieldValueInvalid",
                f"Invalid value: {len(value)}: {path} in "
                f"body should have at least {schema[low]} items",
                path,
            )
        )
    if high in schema and len(value) > schema[high]:
        causes.append(
            Cause(
                "FieldValueTooMany",
                f"Too many: {len(value)}: must have at most {schema[high]} items",
                path,
            )
        )
    return causes
