"""What the emulator serves: built-in resources and those of the CRDs it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceInfo:
    """One served resource: its names, scope, subresources, schema and table columns."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    # openAPIV3Schema of a custom resource; None for built-ins (validated by hand).
    schema: dict[str, Any] | None = None
    printer_columns: tuple[dict[str, Any], ...] = ()
    custom: bool = False
    # Built-in types may be updated without a resourceVersion; custom resources may not.
    unconditional_update: bool = True
    has_generation: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.plural)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def status_subresource(self) -> bool:
        return "status" in self.subresources

    def discovery_entries(self) -> list[dict[str, Any]]:
        """The APIResourceList entries of this resource and its subresources."""
        main: dict[str, Any] = {
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": list(ALL_VERBS),
        }
        if self.short_names:
            main["shortNames"] = list(self.short_names)
        if self.categories:
            main["categories"] = list(self.categories)
        entries = [main]
        for sub in self.subresources:
            verbs = ["get"] if sub == "log" else ["get", "patch", "update"]
            kind = "Pod" if sub == "log" else self.kind
            entries.append(
                {
                    "name": f"{self.plural}/{sub}",
                    "singularName": "",
                    "namespaced": self.namespaced,
                    "kind": kind,
                    "verbs": verbs,
                }
            )
        return entries


def _core(
    plural: str,
    kind: str,
    namespaced: bool = True,
    short: tuple[str, ...] = (),
    subresources: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    generation: bool = False,
) -> ResourceInfo:
    return ResourceInfo(
        group="",
        version="v1",
        plural=plural,
        singular=kind.lower(),
        kind=kind,
        namespaced=namespaced,
        short_names=short,
        subresources=subresources,
        categories=categories,
        has_generation=generation,
    )


BUILTINS: tuple[ResourceInfo, ...] = (
    _core("namespaces", "Namespace", namespaced=False, short=("ns",), subresources=("status",)),
    _core(
        "pods",
        "Pod",
        short=("po",),
        subresources=("status", "log"),
        categories=("all",),
        generation=True,
    ),
    _core("events", "Event", short=("ev",)),
    _core("secrets", "Secret"),
    _core("configmaps", "ConfigMap", short=("cm",)),
    _core("serviceaccounts", "ServiceAccount", short=("sa",)),
    _core("services", "Service", short=("svc",), subresources=("status",), categories=("all",)),
    ResourceInfo(
        group="coordination.k8s.io",
        version="v1",
        plural="leases",
        singular="lease",
        kind="Lease",
        namespaced=True,
        has_generation=False,
    ),
    ResourceInfo(
        group="apiextensions.k8s.io",
        version="v1",
        plural="customresourcedefinitions",
        singular="customresourcedefinition",
        kind="CustomResourceDefinition",
        namespaced=False,
        short_names=("crd", "crds"),
        categories=("api-extensions",),
        subresources=("status",),
    ),
)

PREFERRED_VERSIONS = {"": "v1", "coordination.k8s.io": "v1", "apiextensions.k8s.io": "v1"}


def from_crd(crd: dict[str, Any]) -> list[ResourceInfo]:
    """The resources a CRD serves: one per served version."""
    spec = crd.get("spec", {})
    names = spec.get("names", {})
    infos = []
    for version in spec.get("versions", []):
        if not version.get("served", True):
            continue
        subresources = tuple(sorted(version.get("subresources", {}) or {}))
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        infos.append(
            ResourceInfo(
                group=spec["group"],
                version=version["name"],
                plural=names["plural"],
                singular=names.get("singular") or names["kind"].lower(),
                kind=names["kind"],
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=tuple(names.get("shortNames", []) or []),
                categories=tuple(names.get("categories", []) or []),
                subresources=subresources,
                schema=schema,
                printer_columns=tuple(version.get("additionalPrinterColumns", []) or []),
                custom=True,
                unconditional_update=False,
                extra={"storage": version.get("storage", False)},
            )
        )
    return infos
