"""plank across build clusters: unknown aliases, per-cluster capacity counted with the
overall limit, pods recorded per server."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.api.prowjob import ProwJobSpec, ProwJobStatus
from bowsprit.plank.concurrency import Entry, JobIndex, entry_for
from bowsprit.plank.decide import decide, limits_for
from bowsprit.plank.observe import Job, Pod
from bowsprit.plank.state import ClusterState

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CONFIGURED = frozenset({"default", "build"})


def job(state: str = "triggered", cluster: str | None = None) -> Job:
    spec = ProwJobSpec.model_validate(
        {
            "type": "periodic",
            "job": "nightly",
            "cluster": cluster,
            "pod_spec": {"containers": [{"image": "busybox"}]},
        }
    )
    return Job("run", "ns", NOW, spec, ProwJobStatus(state=state))  # type: ignore[arg-type]


def act(j: Job, pod: Pod | None = None, clusters: frozenset[str] | None = CONFIGURED) -> Any:
    limits = replace(limits_for(j, PlankConfig()), clusters=clusters)
    return decide(j, pod, limits, None, NOW)


@pytest.mark.parametrize(
    ("state", "cluster", "clusters", "kind"),
    [
        ("triggered", None, CONFIGURED, "start"),
        ("triggered", "default", CONFIGURED, "start"),
        ("triggered", "build", CONFIGURED, "start"),
        ("triggered", "gpu", CONFIGURED, "finish"),
        ("pending", "gpu", CONFIGURED, "finish"),  # its alias was removed meanwhile
        ("triggered", "gpu", None, "start"),  # one cluster, nothing to check
        ("aborted", "gpu", CONFIGURED, "abort"),
    ],
)
def test_unknown_alias_errs_never_falls_back(
    state: str, cluster: str | None, clusters: frozenset[str] | None, kind: str
) -> None:
    action = act(job(state, cluster), clusters=clusters)
    assert action.kind == kind
    if kind == "finish":
        assert action.status["state"] == "error"
        assert action.status["description"] == (
            "Build cluster gpu is not configured (configured: build, default)."
        )


def entry(name: str, state: str, cluster: str, at: int = 0) -> Entry:
    moment = NOW + timedelta(seconds=at)
    return Entry(name, name, state, moment, moment, None, 0, None, at, cluster)


def index(*entries: Entry) -> JobIndex:
    built = JobIndex()
    for item in entries:
        built.put(item)
    return built


@pytest.mark.parametrize(
    ("capacity", "overall", "blocked"),
    [
        (None, 0, None),
        ({"build": 2}, 0, None),
        ({"build": 1}, 0, "1 jobs are pending in build cluster build, its capacity is 1"),
        ({"build": 0}, 0, "1 jobs are pending in build cluster build, its capacity is 0"),
        ({"build": -1}, 0, None),
        ({"default": 1}, 0, None),  # a full default cluster does not block build's jobs
        (None, 2, "2 jobs are pending, plank's max_concurrency is 2"),  # across clusters
        (None, 3, None),
    ],
)
def test_cluster_capacity_and_the_overall_limit(
    capacity: dict[str, int] | None, overall: int, blocked: str | None
) -> None:
    jobs = index(
        entry("b1", "pending", "build"),
        entry("d1", "pending", "default"),
        entry("b2", "triggered", "build", 1),
    )
    plank = PlankConfig(cluster_capacity=capacity, max_concurrency=overall)
    assert jobs.blocked(jobs.entries["b2"], plank) == blocked


def test_a_finished_job_frees_its_clusters_slot() -> None:
    jobs = index(entry("b1", "pending", "build"), entry("b2", "triggered", "build", 1))
    plank = PlankConfig(cluster_capacity={"build": 1})
    assert jobs.blocked(jobs.entries["b2"], plank)
    jobs.remove("b1")
    assert jobs.blocked(jobs.entries["b2"], plank) is None


def test_entry_records_the_alias() -> None:
    assert entry_for(job(cluster="build")).cluster == "build"
    assert entry_for(job()).cluster == "default"


def _pod(name: str, version: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "uid": f"u{version}",
            "resourceVersion": version,
            "creationTimestamp": "2026-11-25T12:00:00Z",
        },
        "status": {"phase": "Running"},
    }


def test_pods_of_different_servers_never_mix() -> None:
    """A namesake in another cluster (a stray) is not the job's pod, and resourceVersions
    of two API servers are never compared."""
    state = ClusterState()
    state.server_of = {"default": "https://home", "build": "https://build"}.get
    body = {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "ProwJob",
        "metadata": {
            "name": "run",
            "namespace": "ns",
            "resourceVersion": "5",
            "creationTimestamp": "2026-11-25T12:00:00Z",
        },
        "spec": {"type": "periodic", "job": "nightly", "cluster": "build"},
        "status": {"state": "pending"},
    }
    state.saw_job(body)
    assert state.saw_pod(_pod("run", "900"), server="https://home")
    assert state.observe("run")[1] is None
    assert state.saw_pod(_pod("run", "3"), server="https://build")  # older than 900: other server
    pod = state.observe("run")[1]
    assert pod is not None and pod.uid == "u3"
    assert state.pod_names("https://build") == {"run"}
    assert state.forget_pod("run", "https://build")
    assert state.observe("run")[1] is None
    state.server_of = lambda alias: None  # the alias was removed
    assert state.observe("run")[1] is None
