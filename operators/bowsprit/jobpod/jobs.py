"""Job definitions as trigger, status-reconciler and tide see them, and Prow's rules for
when each runs (pkg/config/jobs.go: Brancher, RegexpChangeMatcher, ShouldRun, the default
trigger)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.jobbase import RepoJobDefinition
from bowsprit.api.postsubmit import PostsubmitSpec
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.lib import goregex
from bowsprit.lib.goregex import GoRegex

JobKind = Literal["BlockingPresubmit", "Presubmit", "Postsubmit"]
PLURALS: dict[JobKind, str] = {
    "BlockingPresubmit": "blockingpresubmits",
    "Presubmit": "presubmits",
    "Postsubmit": "postsubmits",
}


def default_trigger(name: str) -> str:
    """Prow's DefaultTriggerFor: `/test <name>` anywhere in a line of `/test` names."""
    return rf"(?m)^/test( | .* ){goregex.quote_meta(name)},?($|\s.*)"


@dataclass(frozen=True, eq=False)
class Job:
    """One job definition CR: its kind, where it lives, and its spec."""

    kind: JobKind
    namespace: str
    object_name: str
    spec: RepoJobDefinition = field(repr=False)

    @property
    def name(self) -> str:
        return self.spec.name or self.object_name

    @property
    def context(self) -> str:
        return self.spec.context or self.name

    @property
    def presubmit(self) -> bool:
        return self.kind != "Postsubmit"

    @property
    def optional(self) -> bool:
        """Prow's `optional`: a Presubmit never blocks a merge; a BlockingPresubmit does."""
        return self.kind == "Presubmit"

    @property
    def skip_report(self) -> bool:
        spec = self.spec
        return isinstance(spec, PresubmitSpec | PostsubmitSpec) and bool(spec.skip_report)

    @property
    def required(self) -> bool:
        """Prow's ContextRequired: neither optional nor skip_report."""
        return not self.optional and not self.skip_report

    @property
    def always_run(self) -> bool | None:
        spec = self.spec
        if isinstance(spec, BlockingPresubmitSpec | PresubmitSpec | PostsubmitSpec):
            return spec.always_run
        return None

    @property
    def has_file_filter(self) -> bool:
        return bool(self.spec.run_if_changed or self.spec.skip_if_only_changed)

    @property
    def needs_explicit_trigger(self) -> bool:
        """Prow's NeedsExplicitTrigger: runs only when asked for by name."""
        return not self.always_run and not self.has_file_filter

    @property
    def rerun_command(self) -> str:
        spec = self.spec
        command = getattr(spec, "rerun_command", None)
        return str(command) if command else f"/test {self.name}"

    @cached_property
    def trigger_re(self) -> GoRegex:
        trigger = getattr(self.spec, "trigger", None)
        return goregex.compile(str(trigger) if trigger else default_trigger(self.name))

    @cached_property
    def _branches(self) -> GoRegex | None:
        patterns = self.spec.branches or []
        return goregex.compile("|".join(patterns)) if patterns else None

    @cached_property
    def _skip_branches(self) -> GoRegex | None:
        patterns = self.spec.skip_branches or []
        return goregex.compile("|".join(patterns)) if patterns else None

    @cached_property
    def _changes(self) -> GoRegex | None:
        # Compiled once per job: an installation can have more patterns than the
        # module-wide compile cache holds.
        pattern = self.spec.run_if_changed or self.spec.skip_if_only_changed
        return goregex.compile(pattern) if pattern else None

    def runs_on_branch(self, branch: str) -> bool:
        """Prow's Brancher.ShouldRun: skip_branches win, no branches means all."""
        if self._skip_branches is not None and self._skip_branches.search(branch):
            return False
        return self._branches is None or bool(self._branches.search(branch))

    def changes_match(self, changed: Iterable[str]) -> bool | None:
        """Prow's RegexpChangeMatcher.ShouldRun: None when the job has no file filter;
        run_if_changed runs when any file matches, skip_if_only_changed when any does not."""
        pattern = self._changes
        if pattern is None:
            return None
        if self.spec.run_if_changed:
            return any(pattern.search(path) for path in changed)
        return any(not pattern.search(path) for path in changed)

    def triggered_by(self, comment: str) -> bool:
        return bool(self.trigger_re.search(comment))

    def runs_automatically(self, branch: str, changed: Iterable[str]) -> bool:
        """Whether a presubmit runs on its own for a PR (Prow's ShouldRun with
        forced=false, defaults=true): branch filter, then always_run or file filter."""
        if not self.runs_on_branch(branch):
            return False
        if self.always_run:
            return True
        matched = self.changes_match(changed)
        return bool(matched)

    def runs_on_push(self, branch: str, changed: Iterable[str]) -> bool:
        """Whether a postsubmit runs for a push: branch filter, then the file filter;
        without a filter it runs unless always_run is explicitly false."""
        if not self.runs_on_branch(branch):
            return False
        matched = self.changes_match(changed)
        if matched is not None:
            return matched
        return self.always_run is not False
