"""`kubectl get` tables (meta.k8s.io/v1 Table), from a CRD's additionalPrinterColumns."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bowsprit.emulator.resources import ResourceInfo

_STEP = re.compile(r"\.([A-Za-z0-9_-]+)|\[(\*|\d+)\]")


def jsonpath(obj: Any, path: str) -> list[Any]:
    """The values a simple JSONPath (`.a.b`, `.a[*].b`, `.a[0]`) selects."""
    values = [obj]
    for match in _STEP.finditer(path):
        field, index = match.groups()
        next_values: list[Any] = []
        for value in values:
            if field is not None and isinstance(value, dict) and field in value:
                next_values.append(value[field])
            elif index == "*" and isinstance(value, list):
                next_values.extend(value)
            elif index is not None and index != "*" and isinstance(value, list):
                position = int(index)
                if position < len(value):
                    next_values.append(value[position])
        values = next_values
    return values


def human_duration(seconds: float) -> str:
    """How Kubernetes prints ages (k8s.io/apimachinery duration.HumanDuration)."""
    seconds = int(max(seconds, 0))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 120:
        return f"{seconds}s"
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    if days < 730:
        return f"{days}d"
    years = days // 365
    if years < 8:
        rest = days % 365
        return f"{years}y{rest}d" if rest else f"{years}y"
    return f"{years}y"


def _cell(values: list[Any], kind: str, now: datetime) -> Any:
    if not values:
        return None
    if kind == "date":
        try:
            moment = datetime.fromisoformat(str(values[0]).replace("Z", "+00:00"))
        except ValueError:
            return None
        return human_duration((now - moment).total_seconds())
    if len(values) == 1:
        return values[0]
    return ",".join(str(value) for value in values)


def _columns(info: ResourceInfo) -> list[dict[str, Any]]:
    name = {
        "name": "Name",
        "type": "string",
        "format": "name",
        "jsonPath": ".metadata.name",
        "description": "Name must be unique within a namespace.",
    }
    if info.printer_columns:
        return [name, *info.printer_columns]
    if info.key == ("", "pods"):
        return [
            name,
            {"name": "Status", "type": "string", "jsonPath": ".status.phase"},
            {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
        ]
    return [name, {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]


def table(
    info: ResourceInfo, items: list[dict[str, Any]], metadata: dict[str, Any], now: datetime
) -> dict[str, Any]:
    columns = _columns(info)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": [
            {
                "name": column["name"],
                "type": "string" if column.get("type") == "date" else column.get("type", "string"),
                "format": column.get("format", ""),
                "description": column.get("description", ""),
                "priority": column.get("priority", 0),
            }
            for column in columns
        ],
        "rows": [
            {
                "cells": [
                    _cell(jsonpath(item, column["jsonPath"]), column.get("type", ""), now)
                    for column in columns
                ],
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": item["metadata"],
                },
            }
            for item in items
        ],
    }
