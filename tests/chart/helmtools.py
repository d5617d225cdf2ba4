"""Running the real Helm binaries (hack/helm-tools) on the chart, for tests and e2e."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "bowsprit"
SCENARIOS = sorted((CHART / "ci").glob("*-values.yaml"))
VARIABLE = "BOWSPRIT_HELM_TOOLS"
# Both Helm majors users run; their renders must agree.
MAJORS = ("v4", "v3")


@dataclass(frozen=True)
class Helm:
    """One Helm binary, with its own config and cache folders (never the user's)."""

    major: str
    binary: Path
    home: Path

    def run(
        self, *args: str, env: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.binary), *args],
            capture_output=True,
            text=True,
            timeout=180,
            env={
                **os.environ,
                "HELM_CACHE_HOME": str(self.home / "cache"),
                "HELM_CONFIG_HOME": str(self.home / "config"),
                "HELM_DATA_HOME": str(self.home / "data"),
                **(env or {}),
            },
        )
        if check:
            assert result.returncode == 0, f"helm {' '.join(args)}:\n{result.stderr}"
        return result

    def template(
        self,
        values: Sequence[Path] = (),
        sets: Sequence[str] = (),
        namespace: str = "bowsprit",
    ) -> list[dict[str, Any]]:
        """`helm template` of the chart as a list of objects (hooks and tests included)."""
        args = ["template", "rel", str(CHART), "--namespace", namespace]
        for path in values:
            args += ["--values", str(path)]
        for item in sets:
            args += ["--set", item]
        output = self.run(*args).stdout
        return [doc for doc in yaml.safe_load_all(output) if doc]


def tools_dir() -> Path | None:
    """The folder hack/helm-tools fills: $BOWSPRIT_HELM_TOOLS, else the repository's cache."""
    named = os.environ.get(VARIABLE)
    folder = Path(named) if named else REPO / ".deps" / "helm"
    binaries = [folder / "v4" / "helm", folder / "v3" / "helm", folder / "v4" / "kubectl"]
    if all(path.is_file() for path in binaries):
        return folder
    if named:
        pytest.fail(f"{VARIABLE}={named} does not hold v4/helm, v3/helm and v4/kubectl")
    return None


def helm(major: str, home: Path) -> Helm:
    folder = tools_dir()
    if folder is None:
        pytest.skip(f"no Helm binaries: run hack/helm-tools (or export {VARIABLE})")
    return Helm(major, folder / major / "helm", home)


def kubectl_binary() -> Path:
    folder = tools_dir()
    if folder is None:
        pytest.skip(f"no kubectl: run hack/helm-tools (or export {VARIABLE})")
    return folder / "v4" / "kubectl"


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item for item in objects if item.get("kind") == kind]


def named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [item for item in of_kind(objects, kind) if item["metadata"]["name"] == name]
    return found
