"""Presets merged when plank builds the pod (cases from Prow's pkg/config/jobs_test.go
TestMergePreset), through the same function the converter uses."""

from __future__ import annotations

from typing import Any

import pytest

from bowsprit.api.preset import Preset
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.presets import PresetConflict, with_presets
from bowsprit.jobpod.render import PodRenderError, prowjob_to_pod

ARM = {"key": "kubernetes.io/arch", "operator": "Equal", "value": "arm64", "effect": "NoSchedule"}
FOO = {"foo": "bar"}


def preset(**fields: Any) -> Preset:
    return Preset.model_validate(fields)


@pytest.mark.parametrize(
    ("name", "pod", "presets", "counts"),
    [
        ("one volume", {}, [preset(labels=FOO, volumes=[{"name": "baz"}])], (0, 1, 0, 0)),
        (
            "wrong label",
            {},
            [preset(labels={"foo": "nope"}, volumes=[{"name": "baz"}])],
            (0, 0, 0, 0),
        ),
        (
            "non conflicting volume name",
            {"volumes": [{"name": "baz"}]},
            [preset(labels=FOO, volumes=[{"name": "qux"}])],
            (0, 2, 0, 0),
        ),
        (
            "one env",
            {"containers": [{}]},
            [preset(labels=FOO, env=[{"name": "baz"}])],
            (1, 0, 0, 0),
        ),
        (
            "one vm",
            {"containers": [{}]},
            [preset(labels=FOO, volumeMounts=[{"name": "baz", "mountPath": "/b"}])],
            (0, 0, 1, 0),
        ),
        (
            "one of each",
            {"containers": [{}]},
            [
                preset(
                    labels=FOO,
                    env=[{"name": "baz"}],
                    volumeMounts=[{"name": "baz", "mountPath": "/b"}],
                    volumes=[{"name": "qux"}],
                    tolerations=[{"key": "foo", "operator": "Equal", "value": "bar"}],
                )
            ],
            (1, 1, 1, 1),
        ),
        (
            "default preset only",
            {"containers": [{}]},
            [preset(env=[{"name": "baz"}])],
            (1, 0, 0, 0),
        ),
        (
            "default and matching presets",
            {"containers": [{}]},
            [preset(env=[{"name": "baz"}]), preset(labels=FOO, volumes=[{"name": "qux"}])],
            (1, 1, 0, 0),
        ),
        (
            "default and non-matching presets",
            {"containers": [{}]},
            [
                preset(env=[{"name": "baz"}]),
                preset(labels={"no": "match"}, volumes=[{"name": "q"}]),
            ],
            (1, 0, 0, 0),
        ),
        (
            "multiple default presets",
            {"containers": [{}]},
            [
                preset(env=[{"name": "baz"}]),
                preset(env=[{"name": "foo"}]),
                preset(volumes=[{"name": "q"}]),
            ],
            (2, 1, 0, 0),
        ),
    ],
)
def test_merge_preset(
    name: str, pod: dict[str, Any], presets: list[Preset], counts: tuple[int, ...]
) -> None:
    merged = with_presets(pod, FOO, presets)
    containers = merged.get("containers") or []
    assert len(merged.get("volumes") or []) == counts[1]
    assert len(merged.get("tolerations") or []) == counts[3]
    for container in containers:
        assert len(container.get("env") or []) == counts[0]
        assert len(container.get("volumeMounts") or []) == counts[2]


@pytest.mark.parametrize(
    ("pod", "presets"),
    [
        ({"volumes": [{"name": "baz"}]}, [preset(labels=FOO, volumes=[{"name": "baz"}])]),
        ({"containers": [{"env": [{"name": "baz"}]}]}, [preset(labels=FOO, env=[{"name": "baz"}])]),
        ({"volumes": [{"name": "baz"}]}, [preset(volumes=[{"name": "baz"}])]),
        ({"tolerations": [ARM]}, [preset(tolerations=[ARM])]),
    ],
    ids=["volume", "env", "default preset volume", "duplicate tolerations"],
)
def test_conflicts(pod: dict[str, Any], presets: list[Preset]) -> None:
    with pytest.raises(PresetConflict, match="duplicated in pod spec"):
        with_presets(pod, FOO, presets)


def test_plank_renders_the_pod_with_presets() -> None:
    spec = ProwJobSpec.model_validate(
        {"type": "periodic", "job": "nightly", "pod_spec": {"containers": [{"image": "alpine"}]}}
    )
    aws = preset(labels={"preset-aws": "true"}, env=[{"name": "AWS_REGION", "value": "eu-west-1"}])
    pod = prowjob_to_pod("abc", "pods", spec, "1", {"preset-aws": "true"}, {}, [aws])
    assert {"name": "AWS_REGION", "value": "eu-west-1"} in pod["spec"]["containers"][0]["env"]
    plain = prowjob_to_pod("abc", "pods", spec, "1", {}, {}, [aws])
    assert all(e["name"] != "AWS_REGION" for e in plain["spec"]["containers"][0]["env"])
    clash = preset(env=[{"name": "JOB_NAME", "value": "x"}])
    spec_with_env = ProwJobSpec.model_validate(
        {
            "type": "periodic",
            "job": "nightly",
            "pod_spec": {"containers": [{"image": "alpine", "env": [{"name": "JOB_NAME"}]}]},
        }
    )
    with pytest.raises(PodRenderError, match="env var duplicated in pod spec: JOB_NAME"):
        prowjob_to_pod("abc", "pods", spec_with_env, "1", {}, {}, [clash])
