"""What a change of a repository's presubmits means for its open pull requests: Prow's
status-reconciler rules (pkg/statusreconciler/controller.go and migrator/migrator.go),
pure. `old` is what status-reconciler last reconciled of the repository's job
definitions, `new` what they are now; jobs are matched by name, as Prow matches them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bowsprit.jobpod.jobs import Job

RETIRED = "Context retired without replacement."
SUCCESS = "success"


def moved_description(new_context: str) -> str:
    """Prow's description of a context whose status moved to another one."""
    return f'Context retired. Status moved to "{new_context}".'


@dataclass(frozen=True)
class Added:
    """A job whose context open pull requests must now get. `before` is set when only its
    branches changed: then only pull requests whose base it did not run on before need
    it (the others have the context already)."""

    job: Job
    before: Job | None = None


@dataclass(frozen=True)
class Migration:
    """A job whose context was renamed: statuses move from `old` to `new`."""

    old: Job
    new: Job


@dataclass(frozen=True)
class Delta:
    added: tuple[Added, ...] = ()
    removed: tuple[Job, ...] = ()
    migrated: tuple[Migration, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.migrated)


def _first_named(jobs: Iterable[Job], name: str) -> Job | None:
    return next((job for job in jobs if job.name == name), None)


def _branches(job: Job) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(job.spec.branches or ()), tuple(job.spec.skip_branches or ())


def _runs_anew(before: Job, job: Job) -> bool:
    return (
        (before.skip_report and not job.skip_report)
        or before.spec.run_if_changed != job.spec.run_if_changed
        or before.spec.skip_if_only_changed != job.spec.skip_if_only_changed
        or before.needs_explicit_trigger
    )


def added_blocking(old: Sequence[Job], new: Sequence[Job]) -> list[Added]:
    """Prow's addedBlockingPresubmits: required, automatic jobs that are new, that start
    reporting (skip_report → reporting), or that run over different files. Beyond Prow (its
    cases all still hold): a job that only ran when asked for and now runs by itself, and a
    job whose branches changed (for the newly covered branches), are added too, since open
    pull requests would otherwise wait for their context forever."""
    added: list[Added] = []
    for job in new:
        if not job.required or job.needs_explicit_trigger:
            continue
        before = _first_named(old, job.name)
        if before is None or _runs_anew(before, job):
            added.append(Added(job))
        elif _branches(before) != _branches(job):
            added.append(Added(job, before=before))
    return added


def removed_presubmits(old: Sequence[Job], new: Sequence[Job]) -> list[Job]:
    """Prow's removedPresubmits: every job whose name is gone, required or not."""
    names = {job.name for job in new}
    return [job for job in old if job.name not in names]


def migrated_blocking(old: Sequence[Job], new: Sequence[Job]) -> list[Migration]:
    """Prow's migratedBlockingPresubmits: a required job whose context changed."""
    return [
        Migration(before, job)
        for job in new
        if job.required
        for before in old
        if before.name == job.name and before.context != job.context
    ]


def delta(old: Sequence[Job], new: Sequence[Job], known: bool) -> Delta:
    """The whole change. A repository status-reconciler has no record of (`known` false)
    gets none: as in Prow, whose deltas cover only the repositories of the old config, a
    first sight is a baseline, never a reason to run every job on every pull request."""
    if not known:
        return Delta()
    return Delta(
        tuple(added_blocking(old, new)),
        tuple(removed_presubmits(old, new)),
        tuple(migrated_blocking(old, new)),
    )


def denied(
    change: Delta, org: str, repo: str, denylist: Iterable[str], denylist_all: Iterable[str]
) -> Delta:
    """Prow's --denylist (org or org/repo: start no jobs there) and --denylist-all (do
    nothing there at all)."""
    names = {org, f"{org}/{repo}"}
    if names & set(denylist_all):
        return Delta()
    if names & set(denylist):
        return Delta((), change.removed, change.migrated)
    return change


# One pull request ---------------------------------------------------------------------


@dataclass(frozen=True)
class Pull:
    """What the rules read of an open pull request."""

    number: int
    base_ref: str
    draft: bool = False
    mergeable: bool | None = None


def trigger_candidates(pull: Pull, added: Iterable[Added]) -> list[Added]:
    """The added jobs that may run on this pull request before its files are known: not a
    draft, not known unmergeable (Prow leaves those to the author's next push), and on a
    branch the job runs on (and did not before, for a branches-only change)."""
    if pull.draft or pull.mergeable is False:
        return []
    return [
        item
        for item in added
        if item.job.runs_on_branch(pull.base_ref)
        and (item.before is None or not item.before.runs_on_branch(pull.base_ref))
    ]


def needs_files(candidates: Iterable[Added]) -> bool:
    return any(item.job.has_file_filter for item in candidates)


def to_trigger(pull: Pull, candidates: Iterable[Added], changed: Sequence[str]) -> list[Job]:
    """Prow's FilterPresubmits with a filter whose default is false: always_run jobs, and
    jobs whose file filter matches the changed files."""
    return [item.job for item in candidates if item.job.runs_automatically(pull.base_ref, changed)]


# Statuses (Prow's migrator modes) -----------------------------------------------------


@dataclass(frozen=True)
class Status:
    context: str
    state: str
    description: str = ""
    target_url: str = ""

    @classmethod
    def from_api(cls, item: Mapping[str, object]) -> Status:
        return cls(
            str(item.get("context") or ""),
            str(item.get("state") or ""),
            str(item.get("description") or ""),
            str(item.get("target_url") or ""),
        )


def _find(statuses: Sequence[Status], context: str) -> Status | None:
    # Prow skips statuses without a context; the first of a context is the newest.
    return next((s for s in statuses if s.context and s.context == context), None)


def copy_mode(statuses: Sequence[Status], old: str, new: str) -> list[Status]:
    """Prow's CopyMode: `new` gets `old`'s state, description and URL, where `old` exists
    and `new` does not."""
    found = _find(statuses, old)
    if found is None or _find(statuses, new) is not None:
        return []
    return [Status(new, found.state, found.description, found.target_url)]


def retire_mode(statuses: Sequence[Status], old: str, new: str = "") -> list[Status]:
    """Prow's RetireMode: `old` set to success saying it is retired (and where its status
    went, with a replacement, which must exist then)."""
    if _find(statuses, old) is None or (new and _find(statuses, new) is None):
        return []
    return [Status(old, SUCCESS, moved_description(new) if new else RETIRED)]


def move_mode(statuses: Sequence[Status], old: str, new: str) -> list[Status]:
    """Prow's MoveMode: copy `old` to `new`, then retire `old`, where `new` does not exist."""
    if _find(statuses, old) is None or _find(statuses, new) is not None:
        return []
    return copy_mode(statuses, old, new) + [Status(old, SUCCESS, moved_description(new))]


def _already(statuses: Sequence[Status], wanted: Status) -> bool:
    found = _find(statuses, wanted.context)
    return (
        found is not None
        and found.state == wanted.state
        and found.description == wanted.description
    )


def status_updates(
    statuses: Sequence[Status],
    base_ref: str,
    retired: Iterable[Job],
    migrations: Iterable[Migration],
) -> list[Status]:
    """Every status to write on a pull request's head for retired and migrated contexts
    (each job's branch filter as it was, as Prow applies it). A write that is already
    there is left out, so doing this twice writes nothing the second time; and a
    migration whose copy is there but whose retirement is not (a crash between the two)
    is finished, where Prow's MoveMode alone would leave the old context as it was."""
    writes: list[Status] = []
    for job in retired:
        if job.runs_on_branch(base_ref):
            writes += retire_mode(statuses, job.context)
    for item in migrations:
        if not item.old.runs_on_branch(base_ref):
            continue
        moved = move_mode(statuses, item.old.context, item.new.context)
        writes += moved or retire_mode(statuses, item.old.context, item.new.context)
    return [each for each in writes if not _already(statuses, each)]
