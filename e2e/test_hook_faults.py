"""hook's ProwJob writes when the API server refuses for now (503, 429): retried, never
lost, never doubled. The emulator injects the faults (envtest cannot), as for plank."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bowsprit.api import GROUP, VERSION
from bowsprit.testing.fakegithub import FakeGitHub
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube
from e2e.test_hook import (
    FULL,
    SAMPLES,
    github,  # noqa: F401 - the fixture
    hook_running,
    jobs_of,
    prowjobs,
    sample_body,
    scene,  # noqa: F401 - the fixture
)

pytestmark = pytest.mark.usefixtures("crds")


@pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures")
def test_prowjob_creates_and_aborts_are_retried_on_503_and_429(
    kube: Kube,
    scene: str,  # noqa: F811
    github: FakeGitHub,  # noqa: F811
    tmp_path: Path,
) -> None:
    if kube.emulator is None:
        pytest.skip("faults are injected by the emulator")
    creates = f"^/apis/{GROUP}/{VERSION}/namespaces/{scene}/prowjobs$"
    statuses = f"^/apis/{GROUP}/{VERSION}/namespaces/{scene}/prowjobs/[^/]+/status$"
    opened = sample_body("pull_request", "opened.payload")
    with hook_running(kube, scene, github, tmp_path) as hook:
        kube.emulator.inject_fault("POST", creates, 503, times=2)
        kube.emulator.inject_fault("POST", creates, 429, times=1)
        first = hook.post_and_wait("pull_request", json.dumps(opened).encode())
        assert jobs_of(kube, scene, first) == ["unit"]  # one, after three refusals

        # A new head aborts the first run: the status write is refused twice first.
        github.add_pull(FULL, 2, "Codertocat", "d" * 40, base="master", files=["README.md"])
        pushed = {**opened, "action": "synchronize"}
        pushed["pull_request"] = {
            **opened["pull_request"],
            "head": {**opened["pull_request"]["head"], "sha": "d" * 40},
        }
        kube.emulator.inject_fault("PATCH", statuses, 503, times=2)
        second = hook.post_and_wait("pull_request", json.dumps(pushed).encode())
        assert jobs_of(kube, scene, second) == ["unit"]

        def first_aborted() -> bool:
            old = prowjobs(kube, scene, f"event-GUID={first.delivery_id}")
            return (old[0].get("status") or {}).get("state") == "aborted"

        wait_for(first_aborted, what="the first run aborted")
    assert len(prowjobs(kube, scene)) == 2
