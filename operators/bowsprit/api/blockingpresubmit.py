"""BlockingPresubmit: a presubmit whose context must be green before Tide merges."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from bowsprit.api.base import (
    CONDITIONS_LIST,
    ApiModel,
    Condition,
    KindInfo,
    Resource,
    cel_rules,
)
from bowsprit.api.jobbase import PRESUBMIT_COLUMNS, PRESUBMIT_RULES, PresubmitCommon


class BlockingPresubmitSpec(PresubmitCommon):
    """A required presubmit: it always reports, and its context blocks merging."""

    model_config = cel_rules(*PRESUBMIT_RULES)


class BlockingPresubmitStatus(ApiModel):
    """What status-reconciler last did with this job on open pull requests."""

    observedGeneration: int | None = None
    """The metadata.generation last reconciled."""
    reconciledContext: str | None = None
    """The status context last reconciled, so a renamed context can be migrated."""
    conditions: list[Condition] | None = Field(default=None, json_schema_extra=CONDITIONS_LIST)
    """Standard conditions."""


class BlockingPresubmit(Resource):
    """A required presubmit job definition, run on pull requests by hook's trigger plugin."""

    KIND: ClassVar[KindInfo] = KindInfo(
        kind="BlockingPresubmit",
        plural="blockingpresubmits",
        singular="blockingpresubmit",
        short_names=("bpre",),
        printer_columns=PRESUBMIT_COLUMNS,
    )

    kind: Literal["BlockingPresubmit"] = "BlockingPresubmit"
    """BlockingPresubmit."""
    spec: BlockingPresubmitSpec
    """The job."""
    status: BlockingPresubmitStatus = Field(default_factory=BlockingPresubmitStatus)
    """Reconciliation state."""
