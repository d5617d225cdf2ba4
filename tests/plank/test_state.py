"""plank's picture never goes back in time, and keeps only what it runs."""

from __future__ import annotations

from typing import Any

from bowsprit.plank.state import ClusterState


def prowjob(version: str, state: str = "triggered", **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "ProwJob",
        "metadata": {
            "name": "run",
            "namespace": "default",
            "uid": "u",
            "resourceVersion": version,
            "creationTimestamp": "2026-11-25T12:00:00Z",
        },
        "spec": {"type": "periodic", "job": "j", "pod_spec": {"containers": [{"image": "x"}]}},
        "status": {"state": state, **status},
    }


def test_an_event_older_than_plank_s_own_write_is_ignored() -> None:
    state = ClusterState()
    assert state.saw_job(prowjob("10"))
    assert state.saw_job(prowjob("12", "pending"))  # plank's write
    assert not state.saw_job(prowjob("11"))  # the event of someone's earlier change
    tracked, _, entry = state.observe("run")
    assert tracked is not None and tracked.job.status.state == "pending"
    assert entry is not None and state.index.pending == 1


def test_finished_jobs_leave_the_picture_and_stay_out() -> None:
    state = ClusterState()
    state.saw_job(prowjob("10", "pending"))
    state.saw_job(prowjob("12", "success", completionTime="2026-11-25T12:05:00Z"))
    assert state.observe("run") == (None, None, None) and state.index.pending == 0
    assert not state.saw_job(prowjob("11", "pending"))
    state.saw_job(prowjob("13", "success"), deleted=True)
    assert state.finished == {}


def test_other_agents_are_not_plank_s() -> None:
    state = ClusterState()
    body = prowjob("1")
    body["spec"]["agent"] = "jenkins"
    state.saw_job(body)
    assert state.jobs == {}


def test_a_freed_slot_releases_only_the_runs_waiting_for_it() -> None:
    state = ClusterState()
    specs = {
        "a1": {"job": "a", "max_concurrency": 1},
        "a2": {"job": "a", "max_concurrency": 1},
        "q1": {"job": "b", "job_queue_name": "q"},
        "other": {"job": "c", "max_concurrency": 1},
    }
    for version, (name, spec) in enumerate(specs.items(), start=1):
        body = prowjob(str(version))
        body["metadata"]["name"] = name
        body["spec"].update(spec)
        assert state.saw_job(body)
    waiting = ["a2", "q1", "other"]
    freed_a, freed_q = state.entry("a1"), state.entry("q1")
    assert freed_a is not None and freed_q is not None
    assert state.waiting_for(waiting, freed_a) == ["a2"]
    assert state.waiting_for(waiting, freed_q) == ["q1"]
    assert state.waiting_for(waiting, None) == waiting  # nothing known: everyone tries
