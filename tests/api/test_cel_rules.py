"""The CEL rules and the models reject the table of invalid objects offline.

The same table is checked against a real kube-apiserver in e2e/test_crds_on_apiserver.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bowsprit.api import BY_KIND, KINDS, Resource
from bowsprit.api.celrules import compile_rule, violations
from bowsprit.api.crdgen import crd_for
from bowsprit.checkconfig.check import check

CASES = yaml.safe_load((Path(__file__).parent / "invalid-objects.yaml").read_text())


def manifest(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "bowsprit.dev/v1",
        "metadata": {"name": case["name"]},
        **case["object"],
    }


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_offline_check_rejects(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "object.yaml"
    path.write_text(yaml.safe_dump(manifest(case)))
    report = check([path])
    assert report.errors, f"{case['name']} was accepted"
    fields = [item.problem.field for item in report.errors]
    assert case["field"] in fields, f"no problem names {case['field']}: {fields}"
    if "message" in case:
        assert any(case["message"] in item.problem.message for item in report.errors)


def _schema(model: type[Resource]) -> dict[str, Any]:
    schema: dict[str, Any] = crd_for(model)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def _rules(schema: dict[str, Any]) -> list[str]:
    found = [rule["rule"] for rule in schema.get("x-kubernetes-validations", [])]
    for child in schema.get("properties", {}).values():
        found.extend(_rules(child))
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found.extend(_rules(schema[key]))
    return found


@pytest.mark.parametrize("model", KINDS, ids=lambda model: model.KIND.kind)
def test_every_rule_compiles(model: type[Resource]) -> None:
    for rule in _rules(_schema(model)):
        compile_rule(rule)


PENDING = {"state": "pending", "startTime": "2026-11-24T10:00:00Z"}
DONE = {**PENDING, "state": "success", "completionTime": "2026-11-24T10:05:00Z"}


def test_times_compare_as_timestamps_as_on_the_api_server() -> None:
    schema = _schema(BY_KIND["ProwJob"])["properties"]["status"]
    old = {"state": "success", "completionTime": "2026-11-24T10:05:00+00:00"}
    new = {"state": "success", "completionTime": "2026-11-24T10:05:00Z"}
    assert violations(schema, new, old, "status") == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ({"state": "triggered"}, PENDING, None),
        (PENDING, {**PENDING, "state": "aborted"}, None),
        (PENDING, DONE, None),
        (
            {"state": "aborted"},
            {"state": "aborted", "completionTime": "2026-11-24T10:05:00Z"},
            None,
        ),
        (PENDING, {**PENDING, "state": "triggered"}, "a pending job cannot go back to triggered"),
        (DONE, {**DONE, "state": "failure"}, "a finished job's state cannot change"),
        (DONE, {**DONE, "completionTime": "2026-11-24T11:00:00Z"}, "completionTime cannot change"),
        (
            {"state": "aborted", "completionTime": "2026-11-24T10:05:00Z"},
            {"state": "pending"},
            "completionTime cannot change",
        ),
    ],
)
def test_prowjob_state_transitions(
    old: dict[str, Any], new: dict[str, Any], message: str | None
) -> None:
    schema = _schema(BY_KIND["ProwJob"])["properties"]["status"]
    found = violations(schema, new, old, "status")
    if message is None:
        assert found == []
    else:
        assert any(message in item.message for item in found), found
