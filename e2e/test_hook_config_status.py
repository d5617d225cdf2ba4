"""A running `bowsprit hook` keeps the `Accepted` condition of each PluginConfig: False
(UnknownPlugin) while it names a plugin hook does not have, True once fixed, on every
target (the status subresource and generations as the real API server has them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.testing.fakegithub import FakeGitHub
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, prow_config
from e2e.test_hook import FULL, create, hook_running

pytestmark = pytest.mark.usefixtures("crds")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


def accepted(kube: Kube, namespace: str, generation: int) -> dict[str, Any] | None:
    """The Accepted condition once hook judged this generation."""
    found = kubernetes.client.CustomObjectsApi(kube.api).get_namespaced_custom_object(
        GROUP, VERSION, namespace, "pluginconfigs", "typo"
    )
    for condition in (found.get("status") or {}).get("conditions") or []:
        if condition["type"] == "Accepted" and condition.get("observedGeneration") == generation:
            return dict(condition)
    return None


def test_unknown_plugin_condition_set_then_cleared(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    prow_config(kube, namespace)
    create(
        kube,
        namespace,
        "pluginconfigs",
        "PluginConfig",
        "typo",
        {"repos": [FULL], "plugins": ["trigger", "tirgger"]},
    )
    with hook_running(kube, namespace, github, tmp_path):
        wrong = wait_for(lambda: accepted(kube, namespace, 1), what="Accepted on generation 1")
        assert (wrong["status"], wrong["reason"]) == ("False", "UnknownPlugin")
        assert "spec.plugins[1]: unknown plugin 'tirgger'" in wrong["message"]

        kubernetes.client.CustomObjectsApi(kube.api).patch_namespaced_custom_object(
            GROUP, VERSION, namespace, "pluginconfigs", "typo", {"spec": {"plugins": ["trigger"]}}
        )
        fixed = wait_for(lambda: accepted(kube, namespace, 2), what="Accepted on generation 2")
        assert (fixed["status"], fixed["reason"]) == ("True", "Accepted")
        assert fixed["lastTransitionTime"] >= wrong["lastTransitionTime"]

    # One Warning Event for the refused generation: hook's own status write (a new
    # resourceVersion, the same generation) did not post another.
    events = kubernetes.client.CoreV1Api(kube.api).list_namespaced_event(namespace).items
    refusals = [e for e in events if e.involved_object.name == "typo" and e.reason == "Refused"]
    assert len(refusals) == 1
