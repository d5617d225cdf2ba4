"""plank's workers and watch handlers together, against an in-memory cluster: many jobs
under concurrency limits while watch events arrive, dry runs, and failures outside a
reconcile. Workers run in threads (as in production) and the switch interval is made
tiny so that the threads interleave as much as they can."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.plank import registry
from bowsprit.plank.apply import Applier
from bowsprit.plank.buildid import BuildIds
from bowsprit.plank.registry import Deps
from tests.plank.fakecluster import FakeCluster


async def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


@pytest.fixture
async def plank(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Deps, FakeCluster]]:
    dry_run: bool = getattr(request, "param", False)
    cluster = FakeCluster(asyncio.get_running_loop())
    deps = Deps(cluster, "default", "bowsprit", dry_run)  # type: ignore[arg-type]
    cluster.watch(deps)
    deps.config = ProwConfigSpec.model_validate(
        {"prowjob_namespace": "default", "pod_namespace": "default"}
    )
    deps.applier = Applier(cluster, deps.state, BuildIds(deps.clock), dry_run)  # type: ignore[arg-type]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield deps, cluster
    finally:
        sys.setswitchinterval(interval)
        for task in deps.tasks:
            task.cancel()
        await asyncio.gather(*deps.tasks, return_exceptions=True)
        deps.executor.shutdown(wait=False)


def start(deps: Deps) -> None:
    deps.tasks = [asyncio.create_task(registry.worker(deps)) for _ in range(registry.WORKERS)]


async def test_many_jobs_under_limits_while_events_arrive(
    plank: tuple[Deps, FakeCluster], caplog: pytest.LogCaptureFixture
) -> None:
    deps, cluster = plank
    deps.config = ProwConfigSpec.model_validate(
        {
            "prowjob_namespace": "default",
            "pod_namespace": "default",
            "plank": {"job_queue_capacities": {"q": 3}},
        }
    )
    cluster.limits = {f"limited-{i}": 2 for i in range(4)} | {"queue:q": 3}
    for i in range(300):
        if i % 3 == 0:
            spec: dict[str, Any] = {"job": f"limited-{i % 4}", "max_concurrency": 2}
        elif i % 3 == 1:
            spec = {"job": f"queued-{i % 7}", "job_queue_name": "q"}
        else:
            spec = {"job": f"free-{i}"}
        deps.state.saw_job(cluster.add_job(f"job-{i}", spec))
        deps.enqueue(f"job-{i}")
    start(deps)

    async def kubelet() -> None:
        while not cluster.complete():
            for name in list(cluster.pods):
                if cluster.finish_pod(name):
                    await asyncio.sleep(0)
            await asyncio.sleep(0.001)

    with caplog.at_level(logging.WARNING, "bowsprit.plank"):
        await asyncio.wait_for(kubelet(), 60)
        await wait_until(deps.work.idle, "plank to settle")

    assert cluster.violations == []
    assert sorted(cluster.created) == sorted(cluster.jobs)  # one pod per job, never two
    assert all(not task.done() for task in deps.tasks), "a worker died"
    assert [r.getMessage() for r in caplog.records] == []
    assert deps.state.jobs == {} and deps.blocked == set()


async def test_reconciles_read_the_index_safely_while_events_change_it(
    plank: tuple[Deps, FakeCluster],
) -> None:
    """A worker thread deciding whether a limited job may start, while the event loop's
    watch events add and remove other runs of the same job."""
    deps, cluster = plank
    limited = {"job": "limited", "max_concurrency": 1}
    ahead = cluster.add_job("ahead", limited)
    ahead["status"] = {"state": "pending"}
    deps.state.saw_job(ahead)
    deps.state.saw_job(cluster.add_job("waiting", limited))
    churn = [cluster.add_job(f"churn-{i}", limited) for i in range(200)]
    stop = threading.Event()

    def decide_again_and_again() -> list[str]:
        seen = []
        while not stop.is_set():
            try:
                seen.append(registry.reconcile(deps, "waiting").action.kind)
            except Exception as error:  # noqa: BLE001 - what the test looks for
                seen.append(repr(error))
        return seen

    reading = asyncio.create_task(asyncio.to_thread(decide_again_and_again))
    for round in range(20):
        for body in churn:
            version = int(body["metadata"]["resourceVersion"]) + 1000
            body["metadata"]["resourceVersion"] = str(version)
            deps.state.saw_job(body, deleted=round % 2 == 1)
            await asyncio.sleep(0)
    stop.set()
    seen = await reading
    assert seen and set(seen) == {"blocked"}


async def test_a_failure_after_a_reconcile_is_logged_and_survived(
    plank: tuple[Deps, FakeCluster],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deps, cluster = plank
    failures = [RuntimeError("boom")]
    after = registry._after

    def failing_once(deps: Deps, name: str, action: Any, entry: Any = None) -> None:
        if failures:
            raise failures.pop()
        after(deps, name, action, entry)

    monkeypatch.setattr(registry, "_after", failing_once)
    deps.state.saw_job(cluster.add_job("one", {"job": "j"}))
    deps.enqueue("one")
    start(deps)
    with caplog.at_level(logging.ERROR, "bowsprit.plank"):
        await wait_until(lambda: "boom" in caplog.text, "the failure to be logged")
    await wait_until(lambda: cluster.jobs["one"]["status"]["state"] == "pending", "the start")
    assert all(not task.done() for task in deps.tasks), "a worker died"
    assert cluster.created == ["one"]


@pytest.mark.parametrize("plank", [True], indirect=True)
async def test_a_dry_run_decides_once_per_change_and_logs_it(
    plank: tuple[Deps, FakeCluster], caplog: pytest.LogCaptureFixture
) -> None:
    deps, cluster = plank
    deps.state.saw_job(cluster.add_job("one", {"job": "j"}))
    deps.enqueue("one")
    with caplog.at_level(logging.INFO, "bowsprit.plank"):
        start(deps)
        await wait_until(deps.work.idle, "a dry run to settle", timeout=5)
        deps.enqueue("one")  # an event that changes nothing: the decision stands
        await wait_until(deps.work.idle, "a dry run to settle", timeout=5)
    creates = [r for r in caplog.records if r.getMessage() == "dry run: create pod default/one"]
    assert len(creates) == 1
    assert cluster.created == [] and cluster.jobs["one"]["status"] == {"state": "triggered"}
