"""What status-reconciler remembers on each job definition, and what it compares: CR
bodies in, the repository's old and new jobs and the metadata patches out."""

from __future__ import annotations

import json
from typing import Any

from bowsprit.jobpod.jobs import Job
from bowsprit.statusreconciler import decide
from bowsprit.statusreconciler.records import (
    ANNOTATION,
    FINALIZER,
    definition,
    picture,
    record_of,
    record_writes,
    status_writes,
)

REPO = "org/repo"


def body(
    name: str,
    spec: dict[str, Any],
    records: dict[str, Any] | None = None,
    deleting: bool = False,
    finalizers: tuple[str, ...] = (),
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": "ns", "resourceVersion": "7"}
    if records is not None:
        metadata["annotations"] = {ANNOTATION: json.dumps(records)}
    if deleting:
        metadata["deletionTimestamp"] = "2026-12-05T00:00:00Z"
    if finalizers:
        metadata["finalizers"] = list(finalizers)
    return {"metadata": metadata, "spec": {"org": "org", "repo": "repo", **spec}}


def recorded(kind: str, name: str, **spec: Any) -> dict[str, Any]:
    item = definition(kind, body(name, spec))  # type: ignore[arg-type]
    assert item.current is not None
    return {REPO: record_of(item.current)}


def names(jobs: list[Job]) -> list[tuple[str, str, str]]:
    return [(job.kind, job.name, job.context) for job in jobs]


def test_a_new_job_in_a_known_repository_is_added_and_recorded() -> None:
    old = body(
        "lint",
        {"always_run": True},
        recorded("BlockingPresubmit", "lint", always_run=True),
        finalizers=(FINALIZER,),
    )
    new = body("unit", {"always_run": True})
    defs = [definition("BlockingPresubmit", old), definition("BlockingPresubmit", new)]
    seen = picture(defs, REPO)
    assert seen.known
    assert names(seen.old) == [("BlockingPresubmit", "lint", "lint")]
    change = decide.delta(seen.old, seen.new, seen.known)
    assert [item.job.name for item in change.added] == ["unit"]
    (write,) = record_writes(defs, REPO)
    assert write.name == "unit"
    metadata = write.patch["metadata"]
    assert metadata["resourceVersion"] == "7"
    assert metadata["finalizers"] == [FINALIZER]
    assert json.loads(metadata["annotations"][ANNOTATION])[REPO]["spec"]["name"] == "unit"


def test_first_sight_of_a_repository_records_without_acting() -> None:
    defs = [definition("BlockingPresubmit", body("unit", {"always_run": True}))]
    seen = picture(defs, REPO)
    assert not seen.known and not decide.delta(seen.old, seen.new, seen.known)
    assert [w.name for w in record_writes(defs, REPO)] == ["unit"]


def test_unchanged_objects_are_not_written() -> None:
    item = body(
        "unit",
        {"always_run": True},
        recorded("BlockingPresubmit", "unit", always_run=True),
        finalizers=("other", FINALIZER),
    )
    assert record_writes([definition("BlockingPresubmit", item)], REPO) == []


def test_a_deleted_job_is_removed_and_lets_go_of_its_finalizer() -> None:
    item = body(
        "unit",
        {"always_run": True},
        recorded("BlockingPresubmit", "unit", always_run=True),
        deleting=True,
        finalizers=("other", FINALIZER),
    )
    defs = [definition("BlockingPresubmit", item)]
    seen = picture(defs, REPO)
    assert [job.name for job in decide.delta(seen.old, seen.new, seen.known).removed] == ["unit"]
    (write,) = record_writes(defs, REPO)
    assert write.patch["metadata"]["finalizers"] == ["other"]
    assert write.patch["metadata"]["annotations"] == {ANNOTATION: None}


def test_a_renamed_context_is_a_migration() -> None:
    item = body(
        "unit",
        {"always_run": True, "context": "ci/unit"},
        recorded("BlockingPresubmit", "unit", always_run=True),
        finalizers=(FINALIZER,),
    )
    seen = picture([definition("BlockingPresubmit", item)], REPO)
    (migration,) = decide.delta(seen.old, seen.new, seen.known).migrated
    assert (migration.old.context, migration.new.context) == ("unit", "ci/unit")


def test_a_presubmit_replaced_by_a_blocking_presubmit_of_the_same_name() -> None:
    # GitOps makes an optional job required: one CR deleted, the other created. As in
    # Prow, the context is neither retired nor run again (it is on the pulls already).
    gone = body(
        "unit",
        {"always_run": True},
        recorded("Presubmit", "unit", always_run=True),
        deleting=True,
        finalizers=(FINALIZER,),
    )
    made = body("unit", {"always_run": True})
    defs = [definition("Presubmit", gone), definition("BlockingPresubmit", made)]
    seen = picture(defs, REPO)
    assert not decide.delta(seen.old, seen.new, seen.known)
    writes = {w.kind: w.patch["metadata"] for w in record_writes(defs, REPO)}
    assert writes["Presubmit"]["finalizers"] == []
    assert writes["BlockingPresubmit"]["finalizers"] == [FINALIZER]


def test_a_job_moved_to_another_repository() -> None:
    item = body(
        "unit",
        {"always_run": True, "repo": "other"},
        recorded("BlockingPresubmit", "unit", always_run=True),
        finalizers=(FINALIZER,),
    )
    defs = [definition("BlockingPresubmit", item)]
    assert defs[0].repos == {REPO, "org/other"}
    seen = picture(defs, REPO)
    assert [job.name for job in decide.delta(seen.old, seen.new, seen.known).removed] == ["unit"]
    (write,) = record_writes(defs, REPO)
    assert write.patch["metadata"]["annotations"] == {ANNOTATION: None}
    assert write.patch["metadata"]["finalizers"] == []
    other = picture(defs, "org/other")
    assert not other.known  # org/other was never reconciled: a baseline there


def test_a_bad_spec_or_record_is_left_out() -> None:
    broken = definition(
        "BlockingPresubmit", {"metadata": {"name": "x", "namespace": "ns"}, "spec": {"org": ""}}
    )
    assert broken.current is None
    odd = body("unit", {"always_run": True}, {REPO: {"kind": "BlockingPresubmit", "spec": {}}})
    item = definition("BlockingPresubmit", odd)
    assert item.recorded_in(REPO) is None
    not_json = body("unit", {"always_run": True})
    not_json["metadata"]["annotations"] = {ANNOTATION: "{not json"}
    assert definition("BlockingPresubmit", not_json).records == {}


def test_blocking_presubmits_show_what_was_reconciled_in_their_status() -> None:
    item = body("unit", {"always_run": True, "context": "ci/unit"})
    item["metadata"]["generation"] = 3
    defs = [definition("BlockingPresubmit", item)]
    (write,) = status_writes(defs, REPO)
    assert write.patch == {"observedGeneration": 3, "reconciledContext": "ci/unit"}
    item["status"] = write.patch
    assert status_writes([definition("BlockingPresubmit", item)], REPO) == []
    optional = body("lint", {"always_run": True})
    optional["metadata"]["generation"] = 1
    assert status_writes([definition("Presubmit", optional)], REPO) == []  # no status there


def test_an_unreadable_definition_retires_nothing() -> None:
    item = body(
        "unit",
        {"always_run": True},
        recorded("BlockingPresubmit", "unit", always_run=True),
        finalizers=(FINALIZER,),
    )
    item["spec"]["run_if_changed"] = "("  # not a regular expression
    defs = [definition("BlockingPresubmit", item)]
    assert defs[0].unreadable
    seen = picture(defs, REPO)
    assert seen.known and not decide.delta(seen.old, seen.new, seen.known)
    assert record_writes(defs, REPO) == []
