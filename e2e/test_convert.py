"""`bowsprit convert` on Falco's real Prow configuration: the output applies with
`kubectl apply -k` and the API server's strict (server-side) field validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bowsprit.cli import main
from e2e.conftest import Kube, kubectl

FALCO = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "prow-config" / "falco"


@pytest.mark.usefixtures("crds")
def test_converted_falco_applies_with_kustomize(
    kube: Kube, namespace: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not FALCO.is_dir():
        pytest.skip("Falco's Prow configuration is not in ../shared/fixtures")
    config = FALCO / "config"
    out = tmp_path / "out"
    argv = [
        "convert",
        "--config", str(config / "prow/aws/config.yaml"),
        "--plugins", str(config / "prow/aws/plugins.yaml"),
        "--jobs", str(config / "jobs"),
        "--namespace", namespace,
        "-o", str(out),
    ]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    applied = kubectl(kube, "apply", "-k", str(out), "--validate=strict")
    assert applied.count("created") == 11 + 50 + 4 + 1 + 50 + 48, applied
    listed = json.loads(kubectl(kube, "get", "postsubmits", "-n", namespace, "-o", "json"))
    assert len(listed["items"]) == 50
    # Applying the same output again changes nothing.
    again = kubectl(kube, "apply", "-k", str(out), "--validate=strict")
    assert "created" not in again and "configured" not in again, again
