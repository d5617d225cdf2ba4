"""The CEL rules compiled to Python agree with cel-python's interpreter: every rule of our
CRDs compiles (none falls back to the slow interpreter) and gives the interpreter's
answer on thousands of generated objects, errors included (a rule that errors does not
hold). Hand-picked cases of CEL's error absorption follow."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bowsprit.api.celrules import _interpreted, _program

CRDS = Path(__file__).parents[2] / "crds"


def rule_nodes() -> list[tuple[str, dict[str, Any]]]:
    """Every rule of our CRDs with the schema node it sits on."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for rule in node.get("x-kubernetes-validations", []):
                found.setdefault(rule["rule"], node)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for path in sorted(CRDS.glob("*.yaml")):
        walk(yaml.safe_load(path.read_text()))
    return sorted(found.items())


NODES = rule_nodes()
RULES = [rule for rule, _ in NODES]
STRINGS = ["", "a", "o", "o/r", "x/y", "kubernetes", "explicit"]
TIMES = [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)]


def instance(rng: random.Random, schema: dict[str, Any], strings: list[str], depth: int) -> Any:
    """A random value the structural schema admits (CEL only ever sees those: the API
    server checks the schema first), with the strings the rule compares against."""
    kind = schema.get("type")
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if kind == "string":
        return rng.choice(TIMES) if schema.get("format") == "date-time" else rng.choice(strings)
    if kind == "integer":
        return rng.randrange(3)
    if kind == "boolean":
        return rng.choice([True, False])
    if kind == "array":
        return [
            instance(rng, schema.get("items", {}), strings, depth + 1)
            for _ in range(rng.randrange(3))
        ]
    properties = schema.get("properties")
    if kind == "object" and properties and depth < 4:
        return {
            key: instance(rng, child, strings, depth + 1)
            for key, child in properties.items()
            if rng.random() < 0.5
        }
    return {}


def interpreted(rule: str, self: Any, old: Any) -> bool:
    program, _ = _program(rule)
    return _interpreted(program, self, old)


def compiled(rule: str, self: Any, old: Any) -> bool:
    from bowsprit.api.celcompile import EvalError

    _, fast = _program(rule)
    assert fast is not None
    env = {"self": self, "oldSelf": old} if old is not None else {"self": self}
    try:
        return fast(env) is True
    except EvalError:
        return False


def test_every_crd_rule_compiles() -> None:
    assert len(RULES) >= 15
    assert [rule for rule in RULES if _program(rule)[1] is None] == []


@pytest.mark.parametrize(("rule", "schema"), NODES, ids=[str(i) for i in range(len(NODES))])
def test_compiled_rules_agree_with_the_interpreter(rule: str, schema: dict[str, Any]) -> None:
    strings = STRINGS + re.findall(r"'([^']*)'", rule)
    rng = random.Random(rule)
    outcomes = set()
    for _ in range(400):
        self = instance(rng, schema, strings, 0)
        old = instance(rng, schema, strings, 0) if "oldSelf" in rule else None
        expected = interpreted(rule, self, old)
        outcomes.add(expected)
        assert compiled(rule, self, old) == expected, (self, old)
    assert outcomes == {True, False}, "the generated objects never decided the rule both ways"


@pytest.mark.parametrize(
    ("rule", "self", "expected"),
    [
        ("has(self.a) || self.b", {"a": 1}, True),  # error on the right absorbed
        ("self.b || has(self.a)", {"a": 1}, True),  # and on the left
        ("self.b || has(self.a)", {}, False),  # error and false: an error, so False
        ("self.b && has(self.a)", {}, False),
        ("!has(self.a) && self.b", {"a": 1}, False),
        ("self.l.exists(x, x == 'a')", {"l": [1, "a"]}, True),  # 1 == 'a' errors
        ("self.l.all(x, x == 'a')", {"l": [1, "b"]}, False),
        ("self.l.all(x, x == 'a')", {"l": [1, "a"]}, False),  # error, so False
        ("[has(self.a), has(self.b)].filter(x, x).size() == 1", {"b": 2}, True),
        ("(has(self.s) ? self.s : '') == ''", {}, True),
        ("self.n >= 1", {"n": 1}, True),
        ("self.n >= 1", {"n": "1"}, False),
        ("self.s.startsWith(self.p + '/')", {"s": "o/r", "p": "o"}, True),
        ("self.s in ['a', 'b']", {"s": "b"}, True),
        ("self.t == self.u", {"t": TIMES[0], "u": TIMES[0]}, True),
    ],
)
def test_error_absorption_and_operators(rule: str, self: Any, expected: bool) -> None:
    assert interpreted(rule, self, None) == expected
    assert compiled(rule, self, None) == expected
