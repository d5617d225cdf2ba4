"""Base classes of the API: model config, resource envelope, CRD metadata, CEL rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal, cast

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from bowsprit.api.types import Timestamp

GROUP: Final = "bowsprit.dev"
VERSION: Final = "v1"
API_VERSION: Final = "bowsprit.dev/v1"
CATEGORY = "bowsprit"


class ApiModel(BaseModel):
    """Base of every API object: unknown fields are errors, docstrings become descriptions."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        use_attribute_docstrings=True,
        # Defaults are written as users write them ('10m') and parsed like input.
        validate_default=True,
    )


class OpenModel(ApiModel):
    """An object that keeps fields it does not model (Kubernetes types we only partly read)."""

    model_config = ConfigDict(extra="allow")


def cel(rule: str, message: str, field_path: str | None = None) -> dict[str, str]:
    """One x-kubernetes-validations entry; field_path names the field a failure points at."""
    entry = {"rule": rule, "message": message}
    if field_path:
        entry["fieldPath"] = field_path
    return entry


def cel_rules(*rules: dict[str, str]) -> ConfigDict:
    """Model config that attaches CEL rules to the model's schema node."""
    extra = cast(JsonDict, {"x-kubernetes-validations": list(rules)})
    return ConfigDict(json_schema_extra=extra)


@dataclass(frozen=True)
class PrinterColumn:
    """One additionalPrinterColumns entry of a CRD (what `kubectl get` shows)."""

    name: str
    json_path: str
    type: Literal["string", "integer", "number", "boolean", "date"] = "string"
    description: str = ""
    priority: int = 0


@dataclass(frozen=True)
class KindInfo:
    """How a kind is served: names, scope and the columns `kubectl get` prints."""

    kind: str
    plural: str
    singular: str
    short_names: tuple[str, ...]
    printer_columns: tuple[PrinterColumn, ...] = ()
    categories: tuple[str, ...] = (CATEGORY,)
    scope: Literal["Namespaced", "Cluster"] = "Namespaced"
    extra_metadata: dict[str, Any] = field(default_factory=dict)
    # The status a new object reads back with: the status subresource drops status on
    # create, and a schema default is how the API server fills it in.
    status_default: dict[str, Any] | None = None


AGE_COLUMN = PrinterColumn("Age", ".metadata.creationTimestamp", "date")
# Conditions are a list keyed by type, so server-side apply merges them per condition.
CONDITIONS_LIST = cast(
    JsonDict, {"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]}
)


# What the API server accepts as a custom resource's name (a DNS-1123 subdomain).
NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"


class ObjectMeta(OpenModel):
    """Standard Kubernetes object metadata (the API server owns most of it)."""

    name: str | None = Field(default=None, pattern=NAME_PATTERN, max_length=253)
    """Name of the object, unique in its namespace."""
    generateName: str | None = None
    """Prefix the API server completes to a unique name when name is empty."""
    namespace: str | None = None
    """Namespace of the object."""
    labels: dict[str, str] | None = None
    """Labels for selection."""
    annotations: dict[str, str] | None = None
    """Free-form annotations."""
    uid: str | None = None
    """Unique ID assigned by the API server."""
    resourceVersion: str | None = None
    """Opaque version for optimistic concurrency."""
    generation: int | None = None
    """Sequence number of the desired state (bumped on spec changes)."""
    creationTimestamp: Timestamp | None = None
    """When the object was created."""
    deletionTimestamp: Timestamp | None = None
    """When deletion was requested."""
    finalizers: list[str] | None = None
    """Finalizers that must be removed before the object is deleted."""
    ownerReferences: list[dict[str, Any]] | None = None
    """Objects this one depends on."""


class Condition(ApiModel):
    """A standard Kubernetes status condition."""

    type: str
    """Type of the condition, in CamelCase."""
    status: Literal["True", "False", "Unknown"]
    """Whether the condition holds."""
    reason: str | None = None
    """Machine-readable reason for the last transition, in CamelCase."""
    message: str | None = None
    """Human-readable details."""
    lastTransitionTime: Timestamp | None = None
    """When the condition last changed status."""
    observedGeneration: int | None = None
    """The metadata.generation this condition was computed from."""


class Resource(ApiModel):
    """Envelope shared by every kind: apiVersion, kind, metadata, spec (and status)."""

    KIND: ClassVar[KindInfo]

    apiVersion: Literal["bowsprit.dev/v1"] = API_VERSION
    """Always bowsprit.dev/v1."""
    kind: str
    """The kind of the object."""
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    """Standard object metadata."""

    @classmethod
    def has_status(cls) -> bool:
        return "status" in cls.model_fields

    def to_manifest(self) -> dict[str, Any]:
        """The object as a manifest: JSON names, fields never set left out."""
        body = self.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)
        return {"apiVersion": self.apiVersion, "kind": self.kind, **body}
