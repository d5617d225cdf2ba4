"""Emulator features a test harness needs beyond the conformance suite: pod logs set by a
test kubelet, periodic bookmarks, and provoking 410 Gone by compacting the history."""

from __future__ import annotations

import json
from collections.abc import Iterator

import kubernetes
import pytest

from bowsprit.emulator import Emulator


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(bookmark_interval=0.2) as running:
        yield running


@pytest.fixture
def core(emulator: Emulator) -> Iterator[kubernetes.client.CoreV1Api]:
    configuration = kubernetes.client.Configuration()
    configuration.host = emulator.url
    api = kubernetes.client.ApiClient(configuration)
    yield kubernetes.client.CoreV1Api(api)
    api.close()


POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p"},
    "spec": {"containers": [{"name": "test", "image": "busybox"}]},
}


def test_pod_logs(emulator: Emulator, core: kubernetes.client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", POD)
    emulator.set_pod_log("default", "p", "test", "hello\nworld\n")
    assert core.read_namespaced_pod_log("p", "default") == "hello\nworld\n"
    with pytest.raises(kubernetes.client.exceptions.ApiException) as caught:
        core.read_namespaced_pod_log("missing", "default")
    assert caught.value.status == 404


def _watch_lines(core: kubernetes.client.CoreV1Api, **query: str) -> list[dict[str, object]]:
    response = core.list_namespaced_config_map(
        "default", watch=True, _preload_content=False, **query
    )
    lines = [json.loads(line) for line in response.data.splitlines() if line.strip()]
    response.release_conn()
    return lines


def test_periodic_bookmarks(core: kubernetes.client.CoreV1Api) -> None:
    events = _watch_lines(core, allow_watch_bookmarks=True, timeout_seconds=1)
    bookmarks = [event for event in events if event["type"] == "BOOKMARK"]
    assert len(bookmarks) >= 2
    assert all(event["object"]["kind"] == "ConfigMap" for event in bookmarks)  # type: ignore[index]


def test_compacted_history_answers_gone(
    emulator: Emulator, core: kubernetes.client.CoreV1Api
) -> None:
    created = core.create_namespaced_config_map(
        "default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    )
    core.create_namespaced_config_map(
        "default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}}
    )
    emulator.call(emulator.store.history.compact)  # as etcd compacts: older versions are gone
    events = _watch_lines(
        core, resource_version=created.metadata.resource_version, timeout_seconds=1
    )
    assert events[0]["type"] == "ERROR"
    assert events[0]["object"]["code"] == 410  # type: ignore[index]
