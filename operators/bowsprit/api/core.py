"""The parts of Kubernetes core/v1 that Bowsprit reads.

Pod bodies keep every field Kubernetes has (the CRD preserves unknown fields, and the
API server validates the pod when it is created); only the fields Bowsprit reads or
rewrites are typed, so the CRDs stay small (Prow's 697 KB CRD inlines all of PodSpec).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bowsprit.api.base import ApiModel, OpenModel, cel, cel_rules
from bowsprit.api.types import Quantity


class EnvVar(OpenModel):
    """An environment variable of a container."""

    name: str = Field(min_length=1)
    """Name of the variable."""
    value: str | None = None
    """Literal value."""
    valueFrom: dict[str, Any] | None = None
    """Source of the value (secret, config map, field or resource reference)."""


class VolumeMount(OpenModel):
    """Where a volume is mounted in a container."""

    name: str = Field(min_length=1)
    """Name of the volume."""
    mountPath: str = Field(min_length=1)
    """Path inside the container."""
    readOnly: bool | None = None
    """Mount read-only."""
    subPath: str | None = None
    """Path within the volume to mount instead of its root."""


class ResourceRequirements(ApiModel):
    """Compute resources of a container."""

    requests: dict[str, Quantity] | None = None
    """Minimum resources (cpu, memory, ephemeral-storage, ...)."""
    limits: dict[str, Quantity] | None = None
    """Maximum resources."""
    claims: list[dict[str, Any]] | None = None
    """Dynamically allocated resources used by the container."""


class Container(OpenModel):
    """A container of a job pod; fields not listed are kept as given."""

    name: str | None = None
    """Container name; a single test container is named `test` when left empty."""
    image: str = Field(min_length=1)
    """Image to run."""
    command: list[str] | None = None
    """Entrypoint array (replaces the image's ENTRYPOINT)."""
    args: list[str] | None = None
    """Arguments (replace the image's CMD)."""
    workingDir: str | None = None
    """Working directory."""
    env: list[EnvVar] | None = None
    """Environment variables."""
    resources: ResourceRequirements | None = None
    """Compute resources."""
    volumeMounts: list[VolumeMount] | None = None
    """Volumes to mount."""


class PodSpec(OpenModel):
    """The pod a job runs: a Kubernetes PodSpec, of which Bowsprit types what it reads."""

    model_config = cel_rules(
        cel(
            "self.containers.size() == 1 || self.containers.all(c, has(c.name))",
            "every container must have a name when the pod has more than one",
            ".containers",
        )
    )

    containers: list[Container] = Field(min_length=1)
    """The containers of the pod; the test container(s)."""
    initContainers: list[Container] | None = None
    """Init containers, run before the test containers."""
    volumes: list[dict[str, Any]] | None = None
    """Volumes the containers may mount."""
    serviceAccountName: str | None = None
    """Service account the pod runs as."""
    automountServiceAccountToken: bool | None = None
    """Whether to mount the service account token."""
    nodeSelector: dict[str, str] | None = None
    """Node labels the pod must be scheduled on."""
    tolerations: list[dict[str, Any]] | None = None
    """Taints the pod tolerates."""
    affinity: dict[str, Any] | None = None
    """Scheduling affinity."""
    securityContext: dict[str, Any] | None = None
    """Pod-level security attributes."""
    terminationGracePeriodSeconds: int | None = Field(default=None, ge=0)
    """Seconds the pod gets to stop after SIGTERM."""
    restartPolicy: str | None = None
    """Always `Never` for job pods; plank sets it."""
