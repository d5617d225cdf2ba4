from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import yaml

from bowsprit.clients.kube import add_kube_flags, load_configuration

KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
    "users": [{"name": "u", "user": {"token": "secret-token"}}],
    "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
    "current-context": "x",
}


def test_explicit_kubeconfig_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(KUBECONFIG))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "other"))
    configuration = load_configuration(str(path))
    assert configuration.host == "https://127.0.0.1:6443"
    assert configuration.api_key == {"BearerToken": "Bearer secret-token"}


def test_kubeconfig_variable_is_the_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config"
    path.write_text(
        yaml.safe_dump(
            {
                **KUBECONFIG,
                "clusters": [{"name": "c", "cluster": {"server": "https://10.1.2.3:443"}}],
            }
        )
    )
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert load_configuration("").host == "https://10.1.2.3:443"


def test_prow_flag_names() -> None:
    parser = argparse.ArgumentParser()
    add_kube_flags(parser)
    args = parser.parse_args(["--kubeconfig", "/k", "--dry-run"])
    assert args.kubeconfig == "/k"
    assert args.dry_run is True
