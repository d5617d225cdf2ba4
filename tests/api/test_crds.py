"""The checked-in CRDs are exactly what the models generate, and are well formed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bowsprit.api import KINDS, Resource
from bowsprit.api.crdgen import (
    chart_crd_file_name,
    crd_file_name,
    crd_for,
    render_chart_crd,
    render_crd,
)

CRDS = Path(__file__).resolve().parents[2] / "crds"
# The chart's copies (Helm templates behind crds.install / crds.keep); tests/chart checks
# that Helm renders them into exactly the CRDs of crds/.
CHART_CRDS = Path(__file__).resolve().parents[2] / "charts" / "bowsprit" / "templates" / "crds"
# Client-side `kubectl apply` stores the object in an annotation limited to 256 KiB.
APPLY_LIMIT = 256 * 1024


@pytest.mark.parametrize("model", KINDS, ids=lambda model: model.KIND.kind)
def test_checked_in_crd_is_current(model: type[Resource]) -> None:
    path = CRDS / crd_file_name(model)
    assert path.read_text(encoding="utf-8") == render_crd(model), (
        f"{path} is stale: run hack/update-crds and commit the result"
    )


def test_no_stray_crds() -> None:
    expected = {crd_file_name(model) for model in KINDS}
    assert {path.name for path in CRDS.glob("*.yaml")} == expected


@pytest.mark.parametrize("model", KINDS, ids=lambda model: model.KIND.kind)
def test_chart_crd_template_is_current(model: type[Resource]) -> None:
    path = CHART_CRDS / chart_crd_file_name(model)
    assert path.read_text(encoding="utf-8") == render_chart_crd(model), (
        f"{path} is stale: run hack/update-crds and commit the result"
    )


def test_no_stray_chart_crds() -> None:
    expected = {chart_crd_file_name(model) for model in KINDS}
    assert {path.name for path in CHART_CRDS.glob("*.yaml")} == expected


@pytest.mark.parametrize("model", KINDS, ids=lambda model: model.KIND.kind)
def test_crd_is_small_enough_for_client_side_apply(model: type[Resource]) -> None:
    assert len(render_crd(model).encode()) < APPLY_LIMIT // 2


def _nodes(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every schema node; named fields end in their name, list items in [], map values in {}."""
    found = [(path or "<root>", schema)]
    for name, child in schema.get("properties", {}).items():
        found.extend(_nodes(child, f"{path}.{name}"))
    if isinstance(schema.get("items"), dict):
        found.extend(_nodes(schema["items"], f"{path}[]"))
    if isinstance(schema.get("additionalProperties"), dict):
        found.extend(_nodes(schema["additionalProperties"], f"{path}{{}}"))
    return found


@pytest.mark.parametrize("model", KINDS, ids=lambda model: model.KIND.kind)
def test_schema_is_structural_and_described(model: type[Resource]) -> None:
    schema = crd_for(model)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    for path, node in _nodes(schema):
        assert "$ref" not in node, path
        assert "type" in node or node.get("x-kubernetes-int-or-string"), f"{path} has no type"
        assert not ("properties" in node and "additionalProperties" in node), path
        if path.startswith((".spec", ".status")) and not path.endswith(("[]", "{}")):
            # Every field becomes `kubectl explain` text.
            assert node.get("description"), f"{model.KIND.kind}{path} has no description"


def test_prowjob_serving_details() -> None:
    crd = yaml.safe_load((CRDS / "prowjobs.bowsprit.dev.yaml").read_text())
    assert crd["spec"]["names"]["shortNames"] == ["pj"]
    assert crd["spec"]["names"]["categories"] == ["bowsprit"]
    version = crd["spec"]["versions"][0]
    assert version["subresources"] == {"status": {}}
    columns = [column["name"] for column in version["additionalPrinterColumns"]]
    assert columns == [
        "Job",
        "Type",
        "State",
        "Build",
        "Org",
        "Repo",
        "Pulls",
        "Started",
        "Completed",
        "Age",
    ]


def test_every_kind_is_in_the_bowsprit_category_with_unique_short_names() -> None:
    names = [short for model in KINDS for short in model.KIND.short_names]
    assert len(names) == len(set(names))
    for model in KINDS:
        assert crd_for(model)["spec"]["names"]["categories"] == ["bowsprit"]
