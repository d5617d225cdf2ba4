"""Presets merged into a job's pod when plank builds it, with the rules the converter
uses (api/prowimport.apply_presets, Prow's mergePreset): a preset applies when the job
carries all its labels; env and mounts go into every container, volumes and tolerations
into the pod; the same name set differently is a conflict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bowsprit.api.preset import Preset
from bowsprit.api.prowimport import PresetConflict, apply_presets

__all__ = ["PresetConflict", "with_presets"]


def with_presets(
    pod_spec: dict[str, Any], job_labels: Mapping[str, str], presets: Sequence[Preset]
) -> dict[str, Any]:
    """`pod_spec` (a pod spec as JSON) with every matching preset merged in.
    Raises PresetConflict naming the field."""
    if not presets:
        return pod_spec
    as_json = [preset.model_dump(mode="json", exclude_none=True) for preset in presets]
    merged = apply_presets({"labels": dict(job_labels), "spec": pod_spec}, as_json)
    result: dict[str, Any] = merged["spec"]
    return result
