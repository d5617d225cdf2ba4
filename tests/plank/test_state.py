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
