"""Every decorated pod Bowsprit would build for Falco's real jobs is accepted by the API
server (the real kube-apiserver on the envtest target) exactly as rendered."""

from __future__ import annotations

from pathlib import Path

import kubernetes
import pytest

from bowsprit.jobpod.defaults import with_decoration_defaults
from bowsprit.jobpod.render import prowjob_to_pod
from bowsprit.testing import falco
from e2e.conftest import Kube

FALCO = (
    Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "prow-config" / "falco" / "config"
)


@pytest.mark.skipif(not FALCO.is_dir(), reason="Falco's configuration is not in ../shared")
def test_falcos_decorated_pods_are_accepted(kube: Kube, namespace: str) -> None:
    plank = falco.plank_config(FALCO)
    core = kubernetes.client.CoreV1Api(kube.api)
    pods = []
    for index, (name, spec) in enumerate(sorted(falco.job_specs(FALCO).items())):
        if spec.decoration_config is None:
            continue
        final = with_decoration_defaults(spec, plank)
        pods.append((name, prowjob_to_pod(f"falco-{index}", namespace, final, "1", {}, {})))
    # A real API server's ServiceAccount admission refuses a pod naming an account that
    # does not exist (driver-kit, ...): create what the pods name first, as an install would.
    accounts = {pod["spec"].get("serviceAccountName") for _, pod in pods} - {None, "default"}
    assert accounts, "Falco's jobs name service accounts; this test must create them"
    for account in sorted(accounts):
        body = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account}}
        core.create_namespaced_service_account(namespace, body)
    created = 0
    for name, pod in pods:
        found = core.create_namespaced_pod(namespace, pod)
        assert found.metadata.name == pod["metadata"]["name"], name
        # What the server stored is what plank sent: nothing dropped or rewritten.
        assert [c.name for c in found.spec.init_containers][-2:] == [
            "initupload",
            "place-entrypoint",
        ]
        assert (
            found.spec.termination_grace_period_seconds
            == pod["spec"]["terminationGracePeriodSeconds"]
        )
        # No token unless the job itself names an account (a default one does not count).
        assert found.spec.automount_service_account_token == pod["spec"].get(
            "automountServiceAccountToken"
        ), name
        created += 1
    assert created == 65
