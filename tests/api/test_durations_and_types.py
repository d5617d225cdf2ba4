from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from bowsprit.api import ProwConfigSpec, ProwJob
from bowsprit.api.core import ResourceRequirements
from bowsprit.lib.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", timedelta(0)),
        ("10m", timedelta(minutes=10)),
        ("48h", timedelta(hours=48)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1.5h", timedelta(minutes=90)),
        ("90s", timedelta(seconds=90)),
        ("300ms", timedelta(milliseconds=300)),
        ("2h45m30s", timedelta(hours=2, minutes=45, seconds=30)),
    ],
)
def test_parse_go_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "10", "10 minutes", "7d", "-5m", "1h 30m", "m"])
def test_reject_what_go_rejects(text: str) -> None:
    # The message quotes what was wrong (or says it is empty).
    expected = "empty duration" if not text else f"invalid duration '{re.escape(text)}'"
    with pytest.raises(ValueError, match=expected):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=48), "48h"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(seconds=1.5), "1.5s"),
        (timedelta(hours=1, seconds=5), "1h5s"),
    ],
)
def test_format_round_trips(value: timedelta, text: str) -> None:
    assert format_duration(value) == text
    assert parse_duration(text) == value


def test_prow_defaults_hold_without_a_prowconfig() -> None:
    spec = ProwConfigSpec()
    assert spec.pod_namespace == "default"
    assert spec.prowjob_namespace == "default"
    assert spec.plank.pod_pending_timeout == timedelta(minutes=10)
    assert spec.plank.pod_running_timeout == timedelta(hours=48)
    assert spec.plank.pod_unscheduled_timeout == timedelta(minutes=5)
    assert spec.plank.max_revivals == 3
    assert spec.sinker.resync_period == timedelta(hours=1)
    assert spec.sinker.max_prowjob_age == timedelta(days=7)
    assert spec.sinker.max_pod_age == timedelta(days=1)
    assert spec.sinker.terminated_pod_ttl is None
    assert spec.tide.sync_period == timedelta(minutes=1)
    assert spec.crier.github_reporter.job_types_to_report == ["presubmit", "postsubmit"]
    assert spec.deck.spyglass.size_limit == 100_000_000


def test_durations_serialise_in_go_syntax() -> None:
    spec = ProwConfigSpec.model_validate({"plank": {"pod_pending_timeout": "60m"}})
    dumped = spec.model_dump(mode="json")
    assert dumped["plank"]["pod_pending_timeout"] == "1h"
    assert dumped["sinker"]["max_prowjob_age"] == "168h"


def test_float_quantities_become_strings() -> None:
    # Falco writes `cpu: 1.5`; Kubernetes quantities are int-or-string.
    resources = ResourceRequirements.model_validate({"requests": {"cpu": 1.5, "memory": "3Gi"}})
    assert resources.requests == {"cpu": "1.5", "memory": "3Gi"}
    assert ResourceRequirements.model_validate({"requests": {"cpu": 2.0}}).requests == {"cpu": "2"}


def test_unknown_fields_are_errors() -> None:
    with pytest.raises(ValidationError) as caught:
        ProwConfigSpec.model_validate({"plank": {"pod_pendng_timeout": "1m"}})
    assert caught.value.errors()[0]["loc"] == ("plank", "pod_pendng_timeout")


def test_prowjob_keeps_prows_json_names() -> None:
    manifest = {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "ProwJob",
        "metadata": {"name": "abc"},
        "spec": {
            "type": "presubmit",
            "agent": "kubernetes",
            "job": "pull-unit",
            "refs": {
                "org": "o",
                "repo": "r",
                "base_ref": "main",
                "base_sha": "b" * 40,
                "pulls": [{"number": 1, "author": "a", "sha": "c" * 40, "head_ref": "f"}],
            },
            "rerun_command": "/test pull-unit",
            "error_on_eviction": True,
            "pod_spec": {"containers": [{"image": "busybox", "terminationMessagePath": "/x"}]},
        },
        "status": {
            "state": "success",
            "startTime": "2026-11-24T10:00:00Z",
            "pendingTime": "2026-11-24T10:00:05Z",
            "completionTime": "2026-11-24T10:05:00Z",
            "pod_name": "abc",
            "build_id": "1861234567890123456",
            "prev_report_states": {"github-reporter": "success"},
        },
    }
    job = ProwJob.model_validate(manifest)
    assert job.status.completionTime == datetime(2026, 11, 24, 10, 5, tzinfo=UTC)
    assert job.status.complete
    # Round trip: the same JSON comes back, unknown pod fields included.
    assert job.to_manifest() == manifest
