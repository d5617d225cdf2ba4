"""The set of served resources, which grows and shrinks with the CRDs in the store."""

from __future__ import annotations

from typing import Any

from bowsprit.emulator.resources import BUILTINS, PREFERRED_VERSIONS, ResourceInfo, from_crd


class Registry:
    """Served resources by group/version and plural, and by short name for lookups."""

    def __init__(self) -> None:
        self._by_version: dict[tuple[str, str], dict[str, ResourceInfo]] = {}
        self._from_crd: dict[str, list[ResourceInfo]] = {}
        for info in BUILTINS:
            self._add(info)

    def _add(self, info: ResourceInfo) -> None:
        self._by_version.setdefault((info.group, info.version), {})[info.plural] = info

    def lookup(self, group: str, version: str, plural: str) -> ResourceInfo | None:
        return self._by_version.get((group, version), {}).get(plural)

    def group_versions(self) -> dict[str, list[str]]:
        versions: dict[str, list[str]] = {}
        for group, version in sorted(self._by_version):
            if self._by_version[(group, version)]:
                versions.setdefault(group, []).append(version)
        return versions

    def preferred_version(self, group: str) -> str:
        if group in PREFERRED_VERSIONS:
            return PREFERRED_VERSIONS[group]
        for infos in self._from_crd.values():
            for info in infos:
                if info.group == group and info.extra.get("storage"):
                    return info.version
        return self.group_versions()[group][0]

    def by_key(self, key: tuple[str, str]) -> ResourceInfo | None:
        """The served version of a resource (group, plural), for server-side work such as GC."""
        for info in self.all():
            if info.key == key:
                return info
        return None

    def resources(self, group: str, version: str) -> list[ResourceInfo]:
        return list(self._by_version.get((group, version), {}).values())

    def all(self) -> list[ResourceInfo]:
        return [info for infos in self._by_version.values() for info in infos.values()]

    def serve_crd(self, crd: dict[str, Any]) -> None:
        self.forget_crd(crd["metadata"]["name"])
        infos = from_crd(crd)
        self._from_crd[crd["metadata"]["name"]] = infos
        for info in infos:
            self._add(info)

    def forget_crd(self, name: str) -> list[ResourceInfo]:
        infos = self._from_crd.pop(name, [])
        for info in infos:
            served = self._by_version.get((info.group, info.version), {})
            served.pop(info.plural, None)
            if not served:
                self._by_version.pop((info.group, info.version), None)
        return infos
