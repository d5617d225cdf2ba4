"""Presubmit: an optional presubmit; its result is reported but never blocks a merge."""

from __future__ import annotations

from typing import ClassVar, Literal

from bowsprit.api.base import KindInfo, Resource, cel_rules
from bowsprit.api.jobbase import PRESUBMIT_COLUMNS, PRESUBMIT_RULES, PresubmitCommon


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
        printer_columns=PRESUBMIT_COLUMNS,
    )

    kind: Literal["Presubmit"] = "Presubmit"
    """Presubmit."""
    spec: PresubmitSpec
    """The job."""
