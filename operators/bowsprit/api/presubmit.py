"""Presubmit: an optional presubmit; its result is reported but never blocks a merge."""

from __future__ import annotations

from typing import ClassVar, Literal

from bowsprit.api.base import AGE_COLUMN, KindInfo, PrinterColumn, Resource, cel_rules
from bowsprit.api.jobbase import PRESUBMIT_RULES, PresubmitCommon


class PresubmitSpec(PresubmitCommon):
    """A non-blocking presubmit (Prow's `optional: true`)."""

    model_config = cel_rules(*PRESUBMIT_RULES)

    skip_report: bool | None = None
    """Do not report a GitHub status for this job."""


class Presubmit(Resource):
    """An optional presubmit job definition, run on pull requests by hook's trigger plugin."""

    KIND: ClassVar[KindInfo] = KindInfo(
        kind="Presubmit",
        plural="presubmits",
        singular="presubmit",
        short_names=("pre",),
        printer_columns=(
            PrinterColumn("Org", ".spec.org"),
            PrinterColumn("Repo", ".spec.repo"),
            PrinterColumn("Context", ".spec.context"),
            PrinterColumn("Always-Run", ".spec.always_run", "boolean"),
            PrinterColumn("Run-If-Changed", ".spec.run_if_changed", priority=1),
            AGE_COLUMN,
        ),
    )

    kind: Literal["Presubmit"] = "Presubmit"
    """Presubmit."""
    spec: PresubmitSpec
    """The job."""
