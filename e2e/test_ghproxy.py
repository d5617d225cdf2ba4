"""hook and crier through `bowsprit ghproxy` in the pull-request loop, against every
target: a pull request opened → hook's presubmits → plank's pods → crier's statuses and
failure comment, every GitHub call of hook and crier going through ghproxy (its metrics
show what it served, and how)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bowsprit.testing.envtest import free_port
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import CommentCreated
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, operator_process, prow_config, running
from e2e.test_crier import crier_argv
from e2e.test_hook import (
    FULL,
    HEAD,
    ORG,
    POD,
    REPO,
    SAMPLES,
    create,
    hook_running,
    jobs_of,
    opened_body,
)
from e2e.test_pull_request_loop import run_pods, statuses

pytestmark = [
    pytest.mark.usefixtures("crds"),
    pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures"),
]


@dataclass(frozen=True)
class Endpoint:
    """What hook_running and crier_argv read of a GitHub: its URL (here ghproxy's)."""

    url: str


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo(ORG, REPO, {"master": "f" * 40})
        fake.add_pull(FULL, 2, "Codertocat", HEAD, base="master", head="changes")
        fake.add_member(ORG, "Codertocat")
        yield fake


@pytest.fixture
def ghproxy(github: FakeGitHub, tmp_path: Path) -> Iterator[tuple[Endpoint, str]]:
    port, health, metrics = free_port(), free_port(), free_port()
    argv = [
        sys.executable,
        "-m",
        "bowsprit",
        "ghproxy",
        f"--upstream={github.url}",
        f"--cache-dir={tmp_path / 'ghcache'}",
        f"--port={port}",
        f"--health-port={health}",
        f"--metrics-port={metrics}",
    ]
    with operator_process(argv):
        wait_for(lambda: _answers(f"http://127.0.0.1:{health}/healthz"), what="ghproxy to serve")
        yield Endpoint(f"http://127.0.0.1:{port}"), f"http://127.0.0.1:{metrics}/metrics"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.TransportError:
        return False


def served(metrics: str) -> dict[str, float]:
    """ghproxy's answers so far, by X-Cache-Mode."""
    found: dict[str, float] = {}
    for line in httpx.get(metrics).text.splitlines():
        matched = re.match(r'ghcache_responses_total\{mode="([^"]+)".*\} (\S+)', line)
        if matched:
            found[matched[1]] = found.get(matched[1], 0) + float(matched[2])
    return found


def test_hook_and_crier_through_ghproxy(
    kube: Kube,
    namespace: str,
    github: FakeGitHub,
    ghproxy: tuple[Endpoint, str],
    tmp_path: Path,
) -> None:
    endpoint, metrics = ghproxy
    prow_config(kube, namespace)
    create(
        kube,
        namespace,
        "pluginconfigs",
        "PluginConfig",
        "org",
        {"repos": [ORG], "plugins": ["trigger"]},
    )
    for job in ("unit", "lint"):
        spec = {"org": ORG, "repo": REPO, "pod_spec": POD, "always_run": True}
        create(kube, namespace, "blockingpresubmits", "BlockingPresubmit", job, spec)
    proxied = endpoint  # hook_running and crier_argv only read `.url`
    with (
        running(kube, "plank", namespace),
        operator_process(crier_argv(kube, namespace, proxied, tmp_path)),  # type: ignore[arg-type]
        hook_running(kube, namespace, proxied, tmp_path) as hook,  # type: ignore[arg-type]
    ):
        opened = hook.post_and_wait("pull_request", opened_body())
        assert jobs_of(kube, namespace, opened) == ["lint", "unit"]
        wait_for(lambda: statuses(github) == {"unit": "pending", "lint": "pending"}, what="pending")
        run_pods(kube, namespace, {"unit": 1, "lint": 0})
        wait_for(lambda: statuses(github) == {"unit": "failure", "lint": "success"}, what="results")
        wait_for(
            lambda: [a for a in github.actions if isinstance(a, CommentCreated)],
            what="the failure comment",
        )
    modes = served(metrics)
    # Reads were cached (and later ones revalidated), writes passed through.
    assert modes.get("MISS", 0) >= 1 and modes.get("SKIP", 0) >= 4, modes
    assert FULL in {
        f"{r.path.split('/')[2]}/{r.path.split('/')[3]}"
        for r in github.requests
        if r.path.startswith("/repos/")
    }
