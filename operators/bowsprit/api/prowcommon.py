"""What every Prow importer shares: problems, imported objects, names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bowsprit.api.base import Resource

_NOT_NAME_CHARACTERS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the object it concerns, the field, the message."""

    obj: str
    field: str
    message: str
    warning: bool = False
    """A note that does not make the input invalid."""
    carried: bool = True
    """False for a Prow field the conversion did not carry over (always a warning)."""

    def __str__(self) -> str:
        text = (
            f"{self.obj}: {self.field}: {self.message}"
            if self.field
            else f"{self.obj}: {self.message}"
        )
        if not self.carried:
            return f"not carried: {text}"
        return f"warning: {text}" if self.warning else text


def not_carried(obj: str, field: str, why: str = "Bowsprit has no equivalent") -> Problem:
    """A Prow field left out of the conversion, with the reason."""
    return Problem(obj, field, f"not used: {why}", warning=True, carried=False)


@dataclass
class Imported:
    """Objects read from one document, and the problems found while reading it."""

    objects: list[Resource]
    problems: list[Problem]


def kubernetes_name(text: str) -> str:
    """A valid object name (lowercase letters, digits, dashes) made from a job or repo name."""
    return _NOT_NAME_CHARACTERS.sub("-", text.lower()).strip("-")[:253].rstrip("-") or "job"


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name-2`, `name-3`, ... when it is taken; records the one returned."""
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{name}-{counter}"
    taken.add(candidate)
    return candidate


def problems_of(obj: str, error: ValidationError) -> list[Problem]:
    return [Problem(obj, field_path(item["loc"]), item["msg"]) for item in error.errors()]


def field_path(location: tuple[Any, ...]) -> str:
    """pydantic's error location as a dotted field path (`spec.pod_spec.containers[0]`)."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path
