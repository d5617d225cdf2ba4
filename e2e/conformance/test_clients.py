"""The clients Bowsprit and its users rely on: kubectl, pykube-ng, and a kopf operator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pykube
import pytest

from e2e.conformance.conftest import GROUP, raw, wait_for, widget, widgets_path
from e2e.conftest import Kube, kubectl, operator_process

pytestmark = pytest.mark.usefixtures("widget_crd")


def test_kubectl_apply_get_and_delete(kube: Kube, namespace: str) -> None:
    manifest = f"apiVersion: {GROUP}/v1\nkind: Widget\nmetadata:\n  name: k1\nspec:\n  size: 3\n"
    kubectl(kube, "apply", "-n", namespace, "-f", "-", stdin=manifest)
    kubectl(kube, "apply", "-n", namespace, "-f", "-", stdin=manifest.replace("3", "4"))
    table = kubectl(kube, "get", "wdg", "-n", namespace)
    header, row = table.splitlines()
    assert header.split() == ["NAME", "SIZE", "PHASE"]
    assert row.split() == ["k1", "4"]  # a missing value prints as an empty cell
    assert "k1" in kubectl(kube, "get", "conformance", "-n", namespace, "-o", "name")
    kubectl(kube, "label", "-n", namespace, "widget", "k1", "team=x")
    assert (
        kubectl(
            kube,
            "get",
            "widgets",
            "-n",
            namespace,
            "-l",
            "team=x",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        )
        == "k1"
    )
    kubectl(kube, "delete", "-n", namespace, "widget", "k1")
    assert raw(kube, "GET", widgets_path(namespace, "k1"))[0] == 404


def test_kubectl_rejects_invalid_objects_at_apply(kube: Kube, namespace: str) -> None:
    if kube.kubectl is None:
        pytest.skip("no kubectl")
    result = subprocess.run(
        [
            str(kube.kubectl),
            "--kubeconfig",
            str(kube.kubeconfig),
            "apply",
            "-n",
            namespace,
            "-f",
            "-",
        ],
        input=f"apiVersion: {GROUP}/v1\nkind: Widget\nmetadata:\n  name: bad\nspec:\n  size: -1\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "spec.size" in result.stderr


def test_pykube(kube: Kube, namespace: str) -> None:
    api = pykube.HTTPClient(pykube.KubeConfig.from_file(str(kube.kubeconfig)))
    widgets = pykube.object_factory(api, f"{GROUP}/v1", "Widget")
    widgets(api, {**widget("py"), "metadata": {"name": "py", "namespace": namespace}}).create()
    found = widgets.objects(api).filter(namespace=namespace).get(name="py")
    found.obj["spec"]["size"] = 7
    found.update()
    assert raw(kube, "GET", widgets_path(namespace, "py"))[1]["spec"]["size"] == 7
    found.delete()
    wait_for(lambda: raw(kube, "GET", widgets_path(namespace, "py"))[0] == 404, what="deletion")
    api.session.close()


OPERATOR = """
import kopf

@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_):
    settings.persistence.finalizer = "conformance.bowsprit.dev/test-operator"
    settings.watching.server_timeout = 10

@kopf.on.create("conformance.bowsprit.dev", "v1", "widgets")
def created(spec, patch, **_):
    patch.status["phase"] = "Seen"
    patch.status["observed"] = spec["size"]

@kopf.on.update("conformance.bowsprit.dev", "v1", "widgets", field="spec.size")
def resized(new, patch, **_):
    patch.status["observed"] = new

@kopf.on.delete("conformance.bowsprit.dev", "v1", "widgets")
def deleted(**_):
    pass
"""


def test_a_kopf_operator_reconciles(kube: Kube, namespace: str, tmp_path: Path) -> None:
    operator = tmp_path / "operator.py"
    operator.write_text(OPERATOR)
    argv = [sys.executable, "-m", "kopf", "run", "--standalone", "--namespace", namespace]
    with operator_process([*argv, str(operator)], env={"KUBECONFIG": str(kube.kubeconfig)}):
        raw(kube, "POST", widgets_path(namespace), widget("op", size=2))

        def status() -> dict[str, Any]:
            return raw(kube, "GET", widgets_path(namespace, "op"))[1].get("status") or {}

        wait_for(lambda: status().get("phase") == "Seen", what="the create handler")
        finalizers = raw(kube, "GET", widgets_path(namespace, "op"))[1]["metadata"]["finalizers"]
        assert finalizers == ["conformance.bowsprit.dev/test-operator"]
        raw(
            kube,
            "PATCH",
            widgets_path(namespace, "op"),
            {"spec": {"size": 5}},
            "application/merge-patch+json",
        )
        wait_for(lambda: status().get("observed") == 5, what="the update handler")
        raw(kube, "DELETE", widgets_path(namespace, "op"))
        wait_for(
            lambda: raw(kube, "GET", widgets_path(namespace, "op"))[0] == 404,
            what="the finalizer to be released",
        )
