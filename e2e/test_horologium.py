"""`bowsprit horologium` as it runs in a cluster, against every target."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import kubernetes
import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.cluster import Cluster
from bowsprit.horologium.registry import Deps, _start
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, prow_config, running

pytestmark = pytest.mark.usefixtures("crds")


def periodic(name: str, **schedule: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Periodic",
        "metadata": {"name": name},
        "spec": {
            **schedule,
            "labels": {"team": "ci"},
            "pod_spec": {"containers": [{"image": "busybox"}]},
        },
    }


def runs_of(objects: Any, namespace: str, periodic_name: str) -> list[dict[str, Any]]:
    """The runs of a Periodic, oldest first."""
    listed = objects.list_namespaced_custom_object(
        GROUP,
        VERSION,
        namespace,
        "prowjobs",
        label_selector=f"bowsprit.dev/periodic={periodic_name}",
    )
    return sorted(listed["items"], key=lambda item: item["metadata"]["creationTimestamp"])


def succeed(objects: Any, namespace: str, run: str) -> None:
    """Complete a run as plank would once its pod succeeded."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    objects.patch_namespaced_custom_object_status(
        GROUP,
        VERSION,
        namespace,
        "prowjobs",
        run,
        {"status": {"state": "success", "completionTime": now}},
    )


def start_periodic(
    kube: Kube, namespace: str, name: str, **schedule: Any
) -> tuple[Any, Callable[[], list[dict[str, Any]]]]:
    """A ProwConfig and a Periodic in `namespace`; returns the API and a way to list runs."""
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    prow_config(kube, namespace)
    objects.create_namespaced_custom_object(
        GROUP, VERSION, namespace, "periodics", periodic(name, **schedule)
    )
    return objects, lambda: runs_of(objects, namespace, name)


def test_runs_start_on_schedule_once_each(kube: Kube, namespace: str) -> None:
    objects, runs = start_periodic(kube, namespace, "tick", minimum_interval="2s")

    with running(kube, "horologium", namespace):
        first = wait_for(lambda: runs(), what="the first run, at once")[0]
        assert first["spec"]["type"] == "periodic" and first["spec"]["job"] == "tick"
        assert first["spec"]["report"] is True
        assert first["metadata"]["labels"]["team"] == "ci"
        assert first["metadata"]["labels"]["prow.k8s.io/type"] == "periodic"
        wait_for(lambda: (runs()[0].get("status") or {}).get("startTime"), what="its start time")
        status = wait_for(
            lambda: (
                objects.get_namespaced_custom_object(
                    GROUP, VERSION, namespace, "periodics", "tick"
                ).get("status")
                or {}
            ).get("lastProwJobName"),
            what="the Periodic's status",
        )
        assert status == first["metadata"]["name"]

    # Restarted while the run is going: no second run. The spec changes while horologium
    # is down, so the new generation in the status is a sign the new process evaluated.
    changed = objects.patch_namespaced_custom_object(
        GROUP, VERSION, namespace, "periodics", "tick", {"spec": {"labels": {"team": "infra"}}}
    )
    generation = changed["metadata"]["generation"]
    with running(kube, "horologium", namespace):
        wait_for(
            lambda: (
                objects.get_namespaced_custom_object(
                    GROUP, VERSION, namespace, "periodics", "tick"
                )["status"].get("observedGeneration")
                == generation
            ),
            what="the restarted horologium's first evaluation",
        )
        assert len(runs()) == 1
        succeed(objects, namespace, first["metadata"]["name"])
        # minimum_interval counts from the completion: the next run follows 2 s later.
        second = wait_for(lambda: len(runs()) == 2 and runs()[1], what="the next run")
        assert second["metadata"]["name"] != first["metadata"]["name"]
    assert len(runs()) == 2


def test_after_an_outage_one_catch_up_run_and_no_burst(kube: Kube, namespace: str) -> None:
    objects, runs = start_periodic(kube, namespace, "every", cron="@every 1s")

    with running(kube, "horologium", namespace):
        first = wait_for(lambda: runs(), what="the run @every starts when added")[0]
    succeed(objects, namespace, first["metadata"]["name"])

    def fired_since(moment: str) -> bool:
        status = (
            objects.get_namespaced_custom_object(
                GROUP, VERSION, namespace, "periodics", "every"
            ).get("status")
            or {}
        )
        return status.get("lastFiringTime", "") > moment

    # Down while several firings pass; back, it starts exactly one run for all of them.
    time.sleep(3.5)  # the outage itself: real time passes, several firings are missed
    with running(kube, "horologium", namespace):
        wait_for(lambda: len(runs()) >= 2, what="the catch-up run")
        # The catch-up run is still going, so the next firings are dropped, not queued.
        mark = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        wait_for(lambda: fired_since(mark), what="a later firing to be handled")
        assert len(runs()) == 2


def test_namesakes_in_two_namespaces_both_run(kube: Kube, namespace: str) -> None:
    """Two `namesake` Periodics, one per namespace, runs in one ProwJob namespace: each gets
    its own run, named and labelled apart."""
    core = kubernetes.client.CoreV1Api(kube.api)
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    other = f"{namespace}-b"
    core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": other}})
    try:
        _, runs = start_periodic(kube, namespace, "namesake", interval="1h")
        objects.create_namespaced_custom_object(
            GROUP, VERSION, other, "periodics", periodic("namesake", interval="1h")
        )
        with running(kube, "horologium", namespace):
            both = wait_for(lambda: len(runs()) == 2 and runs(), what="a run of each")
            for source in (namespace, other):
                status = wait_for(
                    lambda source=source: (
                        objects.get_namespaced_custom_object(
                            GROUP, VERSION, source, "periodics", "namesake"
                        ).get("status")
                        or {}
                    ).get("lastProwJobName"),
                    what=f"the status of {source}/namesake",
                )
                (mine,) = [
                    run
                    for run in both
                    if run["metadata"]["labels"]["bowsprit.dev/periodic-namespace"] == source
                ]
                assert status == mine["metadata"]["name"]
        assert len(runs()) == 2
    finally:
        # envtest has no namespace controller: delete the Periodics themselves, or a
        # cluster-wide horologium of a later test would go on starting their runs.
        for source in (namespace, other):
            with contextlib.suppress(kubernetes.client.ApiException):
                objects.delete_namespaced_custom_object(
                    GROUP, VERSION, source, "periodics", "namesake"
                )
        core.delete_namespace(other)


class PlankFirst(Cluster):
    """The API as horologium sees it when plank makes a new run pending between
    horologium's create and its status patch (the race of a busy installation)."""

    def create_custom(self, namespace: str, plural: str, body: dict[str, Any]) -> dict[str, Any]:
        created = super().create_custom(namespace, plural, body)
        self.patch_custom_status(namespace, plural, body["metadata"]["name"], {"state": "pending"})
        return created


@pytest.mark.parametrize("retried", [False, True], ids=["first-try", "after-a-crash"])
def test_a_run_plank_made_pending_stays_pending(kube: Kube, namespace: str, retried: bool) -> None:
    """horologium records the start time without sending the run back to triggered, which
    the API server refuses for a pending job, whether plank won the race on the first try
    or the run was already there when horologium retried after a crash."""
    deps = Deps(PlankFirst(kube.api), namespace, "config", dry_run=False)
    run = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": "nightly-race"},
        "spec": {
            "type": "periodic",
            "job": "nightly",
            "pod_spec": {"containers": [{"image": "busybox"}]},
        },
    }
    if retried:
        deps.cluster.create_custom(namespace, "prowjobs", run)
    started = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)

    _start(deps, namespace, run, started)
    _start(deps, namespace, run, datetime(2026, 12, 5, 8, 0, tzinfo=UTC))  # a later retry

    status = kubernetes.client.CustomObjectsApi(kube.api).get_namespaced_custom_object(
        GROUP, VERSION, namespace, "prowjobs", "nightly-race"
    )["status"]
    assert status["state"] == "pending"
    assert status["startTime"] == "2026-12-05T07:00:00Z"
