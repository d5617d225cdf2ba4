"""Label and field selectors, with the syntax and semantics of the API server."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bowsprit.emulator.errors import bad_request

Matcher = Callable[[dict[str, Any]], bool]

_SET_REQUIREMENT = re.compile(r"^\s*([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQUALITY = re.compile(r"^\s*([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s*$")

# Fields the API server lets clients select on, per resource; every resource has the first two.
COMMON_FIELDS = ("metadata.name", "metadata.namespace")
EXTRA_FIELDS = {
    ("", "pods"): ("status.phase", "spec.nodeName", "spec.restartPolicy", "status.podIP"),
    ("", "events"): (
        "involvedObject.name",
        "involvedObject.namespace",
        "involvedObject.kind",
        "involvedObject.uid",
        "reason",
        "type",
    ),
    ("", "secrets"): ("type",),
    ("", "namespaces"): ("status.phase",),
}


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # in, notin, exists, !exists
    values: frozenset[str]

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "exists":
            return present
        if self.operator == "!exists":
            return not present
        if self.operator == "in":
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def parse_label_selector(text: str) -> list[Requirement]:
    requirements = []
    for part in _split_top_level(text):
        if match := _SET_REQUIREMENT.match(part):
            values = frozenset(v.strip() for v in match.group(3).split(",") if v.strip())
            requirements.append(Requirement(match.group(1), match.group(2), values))
        elif match := _EQUALITY.match(part):
            operator = "notin" if match.group(2) == "!=" else "in"
            requirements.append(Requirement(match.group(1), operator, frozenset([match.group(3)])))
        elif match := _EXISTS.match(part):
            operator = "!exists" if match.group(1) else "exists"
            requirements.append(Requirement(match.group(2), operator, frozenset()))
        else:
            raise bad_request(f"unable to parse requirement: {part.strip()!r}")
    return requirements


def label_matcher(text: str | None) -> Matcher | None:
    if not text:
        return None
    requirements = parse_label_selector(text)

    def matches(obj: dict[str, Any]) -> bool:
        labels = obj.get("metadata", {}).get("labels") or {}
        return all(requirement.matches(labels) for requirement in requirements)

    return matches


def _field_value(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def field_matcher(text: str | None, resource: tuple[str, str]) -> Matcher | None:
    if not text:
        return None
    allowed = COMMON_FIELDS + EXTRA_FIELDS.get(resource, ())
    terms = []
    for part in _split_top_level(text):
        match = _EQUALITY.match(part)
        if not match:
            raise bad_request(f"invalid selector: {text!r}; can't understand {part.strip()!r}")
        path, operator, value = match.groups()
        if path not in allowed:
            raise bad_request(f"field label not supported: {path}")
        terms.append((path, operator != "!=", value))

    def matches(obj: dict[str, Any]) -> bool:
        return all((_field_value(obj, path) == value) == equal for path, equal, value in terms)

    return matches


def combine(*matchers: Matcher | None) -> Matcher | None:
    active = [matcher for matcher in matchers if matcher is not None]
    if not active:
        return None
    if len(active) == 1:
        return active[0]
    return lambda obj: all(matcher(obj) for matcher in active)
