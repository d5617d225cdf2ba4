"""Postsubmit: a job run on commits pushed to matching branches."""

from __future__ import annotations

from typing import ClassVar, Literal

from bowsprit.api.base import AGE_COLUMN, KindInfo, PrinterColumn, Resource, cel, cel_rules
from bowsprit.api.jobbase import REPO_JOB_RULES, RepoJobDefinition


class PostsubmitSpec(RepoJobDefinition):
    """A job run after pushes (merges) to matching branches."""

    model_config = cel_rules(
        *REPO_JOB_RULES,
        cel(
            "!(has(self.always_run) && self.always_run)"
            " || !has(self.run_if_changed) && !has(self.skip_if_only_changed)",
            "always_run cannot be combined with run_if_changed or skip_if_only_changed",
        ),
    )

    always_run: bool | None = None
    """Run on every push; unset means run unless a file filter excludes the push."""
    skip_report: bool | None = None
    """Do not report a GitHub status for this job."""


class Postsubmit(Resource):
    """A postsubmit job definition, run on pushes by hook's trigger plugin."""

    KIND: ClassVar[KindInfo] = KindInfo(
        kind="Postsubmit",
        plural="postsubmits",
        singular="postsubmit",
        short_names=("post",),
        printer_columns=(
            PrinterColumn("Org", ".spec.org"),
            PrinterColumn("Repo", ".spec.repo"),
            PrinterColumn("Branches", ".spec.branches"),
            PrinterColumn("Run-If-Changed", ".spec.run_if_changed", priority=1),
            AGE_COLUMN,
        ),
    )

    kind: Literal["Postsubmit"] = "Postsubmit"
    """Postsubmit."""
    spec: PostsubmitSpec
    """The job."""
