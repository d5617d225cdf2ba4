"""values.schema.json rejects typos and wrong types, with both Helm majors; good values
pass it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.chart.helmtools import CHART, MAJORS, SCENARIOS, Helm

BAD = sorted((Path(__file__).parent / "bad-values").glob("*.yaml"))
SCHEMA = json.loads((CHART / "values.schema.json").read_text())


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("bad", BAD, ids=lambda path: path.stem)
def test_helm_rejects_bad_values(helm_of: Callable[[str], Helm], major: str, bad: Path) -> None:
    result = helm_of(major).run("template", "rel", str(CHART), "--values", str(bad), check=False)
    assert result.returncode != 0
    assert "values don't meet the specifications of the schema" in result.stderr


@pytest.mark.parametrize("bad", BAD, ids=lambda path: path.stem)
def test_each_bad_file_breaks_exactly_one_rule(bad: Path) -> None:
    """Each file is bad for the reason its comment gives, not by accident."""
    values = yaml.safe_load(bad.read_text())
    errors = list(jsonschema.Draft7Validator(SCHEMA).iter_errors(values))
    assert len(errors) == 1, [error.message for error in errors]


@pytest.mark.parametrize(
    "good",
    [CHART / "values.yaml", *SCENARIOS],
    ids=lambda path: path.stem,
)
def test_good_values_pass(good: Path) -> None:
    jsonschema.Draft7Validator(SCHEMA).validate(yaml.safe_load(good.read_text()) or {})
