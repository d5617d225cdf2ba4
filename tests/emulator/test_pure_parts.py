"""Table tests of the emulator's pure parts: selectors, patches, schema checks, tables."""

from __future__ import annotations

from typing import Any

import pytest

from bowsprit.api import validation as schema
from bowsprit.emulator.errors import ApiError
from bowsprit.emulator.patching import apply_patch, merge_patch, strategic_merge_patch
from bowsprit.emulator.selectors import field_matcher, label_matcher
from bowsprit.emulator.tables import human_duration, jsonpath


def obj(**labels: str) -> dict[str, Any]:
    return {"metadata": {"name": "x", "namespace": "ns", "labels": labels}}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("a=1", {"a": "1"}, True),
        ("a==1", {"a": "2"}, False),
        ("a!=1", {}, True),
        ("a in (1, 2)", {"a": "2"}, True),
        ("a notin (1,2)", {"a": "3"}, True),
        ("a notin (1,2)", {}, True),
        ("a", {"a": ""}, True),
        ("!a", {"a": "1"}, False),
        ("a=1,b", {"a": "1", "b": "x"}, True),
        ("a=1,b", {"a": "1"}, False),
        ("a in (1),c notin (2)", {"a": "1", "c": "3"}, True),
    ],
)
def test_label_selectors(selector: str, labels: dict[str, str], expected: bool) -> None:
    matcher = label_matcher(selector)
    assert matcher is not None
    assert matcher(obj(**labels)) is expected


def test_bad_selectors_are_400() -> None:
    with pytest.raises(ApiError) as caught:
        label_matcher("a in (1")
    assert caught.value.code == 400
    with pytest.raises(ApiError) as unsupported:
        field_matcher("spec.size=1", ("g", "widgets"))
    assert unsupported.value.code == 400 and "spec.size" in str(unsupported.value)


def test_pod_field_selectors() -> None:
    pod = {"metadata": {"name": "p", "namespace": "n"}, "spec": {}, "status": {"phase": "Running"}}
    running = field_matcher("status.phase=Running,spec.nodeName=", ("", "pods"))
    assert running is not None and running(pod)


def test_merge_patch_is_rfc7386() -> None:
    target = {"a": {"b": 1, "c": 2}, "l": [1, 2]}
    assert merge_patch(target, {"a": {"b": None, "d": 3}, "l": [3]}) == {
        "a": {"c": 2, "d": 3},
        "l": [3],
    }
    assert target == {"a": {"b": 1, "c": 2}, "l": [1, 2]}  # the input is never changed


def test_strategic_merge_patch_merges_keyed_lists() -> None:
    pod = {
        "spec": {
            "containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "1"}],
            "args": ["x"],
        }
    }
    patch = {
        "spec": {
            "containers": [{"name": "b", "image": "2"}, {"name": "c", "image": "3"}],
            "args": ["y"],
        }
    }
    patched = strategic_merge_patch(pod, patch)
    assert [(c["name"], c["image"]) for c in patched["spec"]["containers"]] == [
        ("a", "1"),
        ("b", "2"),
        ("c", "3"),
    ]
    assert patched["spec"]["args"] == ["y"]
    deleted = strategic_merge_patch(
        pod, {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}
    )
    assert [c["name"] for c in deleted["spec"]["containers"]] == ["b"]


def test_patch_formats() -> None:
    with pytest.raises(ApiError) as caught:
        apply_patch("application/strategic-merge-patch+json", {}, {}, custom=True)
    assert caught.value.code == 415
    with pytest.raises(ApiError) as caught:
        apply_patch(
            "application/json-patch+json",
            {"a": 1},
            [{"op": "test", "path": "/a", "value": 2}],
            custom=True,
        )
    assert caught.value.code == 422


WIDGET_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "x-kubernetes-validations": [{"rule": "self.size < 10", "message": "too big"}],
            "properties": {
                "size": {"type": "integer", "minimum": 0},
                "color": {"type": "string", "enum": ["red"], "default": "red"},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "q": {"x-kubernetes-int-or-string": True},
            },
        },
        "status": {
            "type": "object",
            "x-kubernetes-validations": [
                {"rule": "!has(oldSelf.done) || has(self.done)", "message": "done stays done"}
            ],
            "properties": {"done": {"type": "boolean"}},
        },
    },
}


@pytest.mark.parametrize(
    ("spec", "field", "reason"),
    [
        ({}, "spec.size", "FieldValueRequired"),
        ({"size": "3"}, "spec.size", "FieldValueTypeInvalid"),
        ({"size": -1}, "spec.size", "FieldValueInvalid"),
        ({"size": 1, "color": "blue"}, "spec.color", "FieldValueNotSupported"),
        ({"size": 11}, "spec", "FieldValueInvalid"),
        ({"size": 1, "q": 1.5}, "spec.q", "FieldValueTypeInvalid"),
    ],
)
def test_schema_causes(spec: dict[str, Any], field: str, reason: str) -> None:
    outcome = schema.check(WIDGET_SCHEMA, {"metadata": {}, "spec": spec}, None)
    assert (field, reason) in [(c.field, c.reason) for c in outcome.causes]


def test_schema_defaults_prunes_and_preserves() -> None:
    outcome = schema.check(
        WIDGET_SCHEMA, {"metadata": {}, "spec": {"size": 1, "free": {"x": 1}, "junk": 2}}, None
    )
    assert outcome.causes == []
    assert outcome.value["spec"] == {"size": 1, "free": {"x": 1}, "color": "red"}
    assert outcome.unknown_fields == ["spec.junk"]


def test_transition_rules_need_the_old_object() -> None:
    old = {"metadata": {}, "spec": {"size": 1}, "status": {"done": True}}
    new = {"metadata": {}, "spec": {"size": 1}, "status": {}}
    assert schema.check(WIDGET_SCHEMA, new, None).causes == []
    causes = schema.check(WIDGET_SCHEMA, new, old).causes
    assert [(c.field, c.message) for c in causes] == [
        ("status", 'Invalid value: "object": done stays done')
    ]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (5, "5s"),
        (119, "119s"),
        (125, "2m5s"),
        (600, "10m"),
        (3 * 3600 + 60, "3h1m"),
        (10 * 3600, "10h"),
        (3 * 86400, "3d"),
        (3 * 86400 + 3600, "3d1h"),
        (400 * 86400, "400d"),
    ],
)
def test_ages_print_like_kubectl(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def test_jsonpath_subset() -> None:
    data = {"spec": {"refs": {"pulls": [{"number": 1}, {"number": 2}]}}}
    assert jsonpath(data, ".spec.refs.pulls[*].number") == [1, 2]
    assert jsonpath(data, ".spec.refs.pulls[1].number") == [2]
    assert jsonpath(data, ".spec.missing") == []
