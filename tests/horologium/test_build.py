from __future__ import annotations

from datetime import UTC, datetime

from bowsprit.api import ProwJob
from bowsprit.api.periodic import PeriodicSpec
from bowsprit.horologium.build import changes, last_run_from, prowjob, run_selector, status
from bowsprit.horologium.decide import Decision, LastRun, Run

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SPEC = PeriodicSpec.model_validate(
    {
        "cron": "0 * * * *",
        "decorate": True,
        "labels": {"team": "ci"},
        "annotations": {"owner": "me"},
        "max_concurrency": 1,
        "extra_refs": [{"org": "o", "repo": "r", "base_ref": "main", "workdir": True}],
        "pod_spec": {"containers": [{"image": "busybox"}]},
    }
)


def test_the_prowjob_is_a_valid_periodic_run() -> None:
    body = prowjob("nightly", SPEC, Run(NOW, 2), "prow", "team-a")
    job = ProwJob.model_validate(body)  # a valid ProwJob by our own model
    assert job.spec.type == "periodic" and job.spec.job == "nightly" and job.spec.report
    assert job.spec.extra_refs and job.spec.extra_refs[0].workdir
    assert job.spec.decoration_config is not None and job.spec.max_concurrency == 1
    labels = body["metadata"]["labels"]
    assert labels["bowsprit.dev/periodic"] == "nightly" and labels["team"] == "ci"
    assert labels["prow.k8s.io/re-run"] == "2" and labels["created-by-prow"] == "true"
    assert body["metadata"]["annotations"] == {"owner": "me", "prow.k8s.io/job": "nightly"}
    assert body["metadata"]["namespace"] == "prow"
    assert labels["bowsprit.dev/periodic-namespace"] == "team-a"


def test_namesakes_in_two_namespaces_get_distinct_runs() -> None:
    first = prowjob("nightly", SPEC, Run(NOW), "prow", "team-a")["metadata"]
    second = prowjob("nightly", SPEC, Run(NOW), "prow", "team-b")["metadata"]
    assert first["name"] != second["name"]
    assert run_selector("nightly", "team-a") == (
        "bowsprit.dev/periodic=nightly,bowsprit.dev/periodic-namespace=team-a"
    )


def test_an_unchanged_condition_keeps_its_time_and_an_unchanged_status_is_not_written() -> None:
    earlier = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    decision = Decision(wake_at=NOW)
    first = status(decision, None, None, earlier, 3)
    again = status(decision, None, None, NOW, 3, current=first)
    assert (
        again["conditions"][0]["lastTransitionTime"] == first["conditions"][0]["lastTransitionTime"]
    )
    assert not changes(again, first)
    skipped = status(Decision(skipped="dropped", wake_at=NOW), None, None, NOW, 3, current=first)
    assert skipped["conditions"][0]["lastTransitionTime"] == "2026-11-24T09:00:00Z"
    assert changes(skipped, first)


def test_status_records_the_run_or_the_skip() -> None:
    started = status(Decision(run=Run(NOW), wake_at=NOW, fired=NOW), "nightly-1", None, NOW, 3)
    assert started["lastProwJobName"] == "nightly-1" and started["lastFiringTime"]
    assert started["conditions"][0]["status"] == "False"
    running = LastRun("nightly-1", NOW, None, "pending")
    skipped = status(Decision(skipped="dropped", wake_at=NOW, fired=NOW), None, running, NOW, 3)
    assert skipped["lastProwJobState"] == "pending"
    assert skipped["conditions"][0]["reason"] == "PreviousRunIncomplete"


def test_the_newest_run_is_the_last_one() -> None:
    items = [
        {
            "metadata": {"name": "a", "creationTimestamp": "2026-11-24T07:00:00Z"},
            "status": {
                "state": "success",
                "startTime": "2026-11-24T07:00:00Z",
                "completionTime": "2026-11-24T07:05:00Z",
            },
        },
        {
            "metadata": {
                "name": "b",
                "creationTimestamp": "2026-11-24T08:00:00Z",
                "labels": {"prow.k8s.io/re-run": "1"},
            }
        },
    ]
    last = last_run_from(items)
    assert last is not None and last.name == "b" and not last.complete and last.attempt == 1
    assert last_run_from([]) is None
