"""Prow's presets: env, volumes, mounts and tolerations that every job carrying the
preset's labels gets (pkg/config/jobs.go Preset, mergePreset)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bowsprit.api.base import ApiModel
from bowsprit.api.core import EnvVar, VolumeMount


class Preset(ApiModel):
    """Pod settings merged into the pod of every job whose labels include all of
    `labels`; a preset that sets an env var, volume or mount the pod already has (by
    name) makes the job fail, as in Prow."""

    labels: dict[str, str] = Field(default_factory=dict)
    """Labels a job must carry (all of them) to get the preset; none: every job."""
    env: list[EnvVar] | None = None
    """Environment variables added to every container."""
    volumes: list[dict[str, Any]] | None = None
    """Volumes added to the pod."""
    volumeMounts: list[VolumeMount] | None = None
    """Volume mounts added to every container."""
    tolerations: list[dict[str, Any]] | None = None
    """Tolerations added to the pod."""
