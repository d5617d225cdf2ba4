"""Periodic: a job run on a cron schedule or an interval by horologium."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from bowsprit.api.base import (
    AGE_COLUMN,
    CONDITIONS_LIST,
    ApiModel,
    Condition,
    KindInfo,
    PrinterColumn,
    Resource,
    cel,
    cel_rules,
)
from bowsprit.api.jobbase import AGENT_NEEDS_POD, JobDefinition
from bowsprit.api.states import ProwJobState
from bowsprit.api.types import Duration, Timestamp
from bowsprit.lib.cron import parse as parse_cron


class Retry(ApiModel):
    """Extra attempts of a periodic run, as Prow's periodic retry."""

    attempts: int | None = Field(default=None, ge=0)
    """Re-runs after the first run, as Prow counts them (at most 10 are made)."""
    interval: Duration
    """Time between the start of one run and the next attempt (required, as in Prow)."""
    run_all: bool | None = None
    """Make every re-run even after a success."""


class PeriodicSpec(JobDefinition):
    """When to run the job (exactly one of cron, interval, minimum_interval) and what."""

    model_config = cel_rules(
        AGENT_NEEDS_POD,
        cel(
            "[has(self.cron), has(self.interval), has(self.minimum_interval)]"
            ".filter(x, x).size() == 1",
            "exactly one of cron, interval and minimum_interval must be set",
        ),
    )

    cron: str | None = Field(default=None, min_length=1)
    """Cron schedule in UTC: 5 fields, optional leading seconds, @daily-style descriptors,
    `@every <duration>`, or a CRON_TZ=<zone> prefix."""
    interval: Duration | None = None
    """Run this long after the last run started."""
    minimum_interval: Duration | None = None
    """Run this long after the last run completed."""
    tags: list[str] | None = None
    """Free-form tags."""
    retry: Retry | None = None
    """Extra attempts after a failed run."""

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None:
            parse_cron(value)
        return value


class PeriodicStatus(ApiModel):
    """What horologium last did and will do next."""

    observedGeneration: int | None = None
    """The metadata.generation last scheduled from."""
    lastScheduleTime: Timestamp | None = None
    """When the last run was started."""
    lastFiringTime: Timestamp | None = None
    """The last cron firing handled, whether it started a run or was dropped."""
    lastProwJobName: str | None = None
    """Name of the ProwJob of the last run."""
    lastProwJobState: ProwJobState | None = None
    """State of the last run."""
    nextScheduleTime: Timestamp | None = None
    """When the next run is due."""
    conditions: list[Condition] | None = Field(default=None, json_schema_extra=CONDITIONS_LIST)
    """Standard conditions; a skipped run explains itself here."""


class Periodic(Resource):
    """A periodic job definition."""

    KIND: ClassVar[KindInfo] = KindInfo(
        kind="Periodic",
        plural="periodics",
        singular="periodic",
        short_names=("per",),
        printer_columns=(
            PrinterColumn("Cron", ".spec.cron"),
            PrinterColumn("Interval", ".spec.interval"),
            PrinterColumn("Min-Interval", ".spec.minimum_interval", priority=1),
            PrinterColumn("Last-Run", ".status.lastScheduleTime", "date"),
            PrinterColumn("Last-State", ".status.lastProwJobState"),
            PrinterColumn("Next-Run", ".status.nextScheduleTime", "date", priority=1),
            AGE_COLUMN,
        ),
    )

    kind: Literal["Periodic"] = "Periodic"
    """Periodic."""
    spec: PeriodicSpec
    """The job and its schedule."""
    status: PeriodicStatus = Field(default_factory=PeriodicStatus)
    """Scheduling state."""
