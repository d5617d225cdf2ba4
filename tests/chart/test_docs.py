"""The chart README's values reference and values.schema.json are what hack/chartdocs.py
generates from values.yaml, and the generator's rules hold."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.chart.helmtools import REPO


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chartdocs", REPO / "hack" / "chartdocs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["chartdocs"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


chartdocs = _load()


@pytest.mark.parametrize("path", list(chartdocs.generated()), ids=lambda path: path.name)
def test_generated_file_is_current(path: Path) -> None:
    assert path.read_text(encoding="utf-8") == chartdocs.generated()[path], (
        f"{path} is stale: run python hack/chartdocs.py and commit the result"
    )


def _generate(text: str) -> tuple[list[Any], dict[str, Any]]:
    values = yaml.safe_load(text)
    notes = chartdocs.parse_notes(text)
    return chartdocs.reference(values, notes), chartdocs.schema(values, notes)


def test_documented_keys_become_rows_and_closed_objects() -> None:
    rows, schema = _generate(
        "section:\n"
        "  # -- How many\n"
        "  # spread over two lines\n"
        '  # @schema {"minimum": 1}\n'
        "  count: 2\n"
        "  # -- Free-form, documented as a whole\n"
        "  # @default -- nothing\n"
        "  resources:\n"
        "    limits: {}\n"
    )
    assert [(row.key, row.type, row.default, row.description) for row in rows] == [
        ("section.count", "int", "`2`", "How many spread over two lines"),
        ("section.resources", "object", "nothing", "Free-form, documented as a whole"),
    ]
    section = schema["properties"]["section"]
    assert section["additionalProperties"] is False
    assert section["properties"]["count"] == {
        "description": "How many spread over two lines",
        "type": "integer",
        "minimum": 1,
    }
    assert section["properties"]["resources"] == {
        "description": "Free-form, documented as a whole",
        "type": "object",
    }


@pytest.mark.parametrize(
    "text",
    [
        "undocumented: 1\n",
        "section:\n  # a plain comment is not documentation\n  key: 1\n",
        "# -- separated by a blank line\n\nkey: 1\n",
    ],
    ids=["no-comment", "plain-comment", "blank-line"],
)
def test_undocumented_keys_are_refused(text: str) -> None:
    with pytest.raises(chartdocs.DocsError):
        _generate(text)


def test_keys_inside_list_items_are_not_keys_of_the_parent() -> None:
    rows, schema = _generate(
        "# -- Routes\npaths:\n  - path: /\n    component: hook\n# -- After\nafter: true\n"
    )
    assert [row.key for row in rows] == ["paths", "after"]
    assert schema["properties"]["paths"]["type"] == "array"


def test_bad_schema_note_names_its_line() -> None:
    with pytest.raises(chartdocs.DocsError, match="values.yaml:2"):
        chartdocs.parse_notes("# -- x\n# @schema {not json}\nkey: 1\n")
