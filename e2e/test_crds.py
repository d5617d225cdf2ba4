"""The generated CRDs on every target: accepted, served, and validating.

The same invalid objects that `bowsprit check` rejects offline (tests/api/invalid-objects.yaml)
must be rejected here at admission with an error naming the same field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml
from kubernetes.client.exceptions import ApiException

from bowsprit.api import BY_KIND, GROUP, KINDS, VERSION
from bowsprit.api.prowimport import import_jobs, import_prow_config
from bowsprit.api.prowplugins import import_plugin_config
from e2e.conftest import REPO, Kube, kubectl

INVALID = [
    case
    for case in yaml.safe_load((REPO / "tests" / "api" / "invalid-objects.yaml").read_text())
    if "offline_only" not in case
]
FALCO = REPO.parent / "shared" / "fixtures" / "prow-config" / "falco" / "config"


def create(kube: Kube, namespace: str, manifest: dict[str, Any]) -> dict[str, Any]:
    plural = BY_KIND[manifest["kind"]].KIND.plural
    objects = kubernetes.client.CustomObjectsApi(kube.api)
    result: dict[str, Any] = objects.create_namespaced_custom_object(
        GROUP, VERSION, namespace, plural, manifest, field_validation="Strict"
    )
    return result


@pytest.mark.usefixtures("crds")
def test_examples_are_accepted(kube: Kube, namespace: str) -> None:
    for path in sorted((REPO / "e2e" / "examples").glob("*.yaml")):
        for manifest in yaml.safe_load_all(path.read_text()):
            created = create(kube, namespace, manifest)
            assert created["metadata"]["uid"], path


@pytest.mark.usefixtures("crds")
def test_falco_configuration_is_accepted(kube: Kube, namespace: str) -> None:
    if not FALCO.is_dir():
        pytest.skip("Falco's Prow configuration is not in ../shared/fixtures")
    objects = []
    for path in sorted((FALCO / "jobs").rglob("*.yaml")):
        imported = import_jobs(yaml.safe_load(path.read_text()))
        assert not imported.problems, path
        objects.extend(imported.objects)
    imported = import_prow_config(yaml.safe_load((FALCO / "prow/aws/config.yaml").read_text()))
    objects.extend(imported.objects)
    plugins = import_plugin_config(yaml.safe_load((FALCO / "prow/aws/plugins.yaml").read_text()))
    objects.extend(plugins.objects)
    for obj in objects:
        create(kube, namespace, obj.to_manifest())
    assert len(objects) == 65 + 1 + 50 + 48


@pytest.mark.usefixtures("crds")
@pytest.mark.parametrize("case", INVALID, ids=[case["name"] for case in INVALID])
def test_invalid_objects_are_rejected_at_admission(
    kube: Kube, namespace: str, case: dict[str, Any]
) -> None:
    manifest = {"apiVersion": f"{GROUP}/{VERSION}", "metadata": {"name": case["name"]}}
    manifest.update(case["object"])
    with pytest.raises(ApiException) as caught:
        create(kube, namespace, manifest)
    assert caught.value.status == 422, caught.value.body
    body = yaml.safe_load(caught.value.body)
    fields = [cause.get("field") for cause in body["details"].get("causes", [])]
    assert case["field"] in fields, body["message"]
    if "message" in case:
        assert case["message"] in body["message"]


@pytest.mark.usefixtures("crds")
def test_prowjob_state_transitions_are_enforced(kube: Kube, namespace: str) -> None:
    manifest = yaml.safe_load((REPO / "e2e" / "examples" / "prowjob.yaml").read_text())
    name = manifest["metadata"]["name"]
    created = create(kube, namespace, {**manifest, "status": {"state": "pending"}})
    # The status subresource drops the status sent on create; the CRD default fills it in.
    assert created["status"] == {"state": "triggered"}
    objects = kubernetes.client.CustomObjectsApi(kube.api)

    def set_status(status: dict[str, Any]) -> None:
        objects.patch_namespaced_custom_object_status(
            GROUP, VERSION, namespace, "prowjobs", name, {"status": status}
        )

    set_status({"state": "pending", "pendingTime": "2026-11-24T10:00:00Z", "build_id": "1"})
    with pytest.raises(ApiException) as caught:
        set_status({"state": "triggered"})
    assert "a pending job cannot go back to triggered" in caught.value.body
    set_status({"state": "success", "completionTime": "2026-11-24T10:05:00Z"})
    with pytest.raises(ApiException) as caught:
        set_status({"state": "failure"})
    assert "a finished job's state cannot change" in caught.value.body
    stored = objects.get_namespaced_custom_object(GROUP, VERSION, namespace, "prowjobs", name)
    assert stored["status"]["state"] == "success"


@pytest.mark.usefixtures("crds")
def test_kubectl_shows_prowjob_columns_and_explains_fields(kube: Kube, namespace: str) -> None:
    kubectl(kube, "apply", "-n", namespace, "-f", str(REPO / "e2e" / "examples"))
    table = kubectl(kube, "get", "pj", "-n", namespace)
    header, row = table.splitlines()[:2]
    assert header.split() == [
        "NAME",
        "JOB",
        "TYPE",
        "STATE",
        "BUILD",
        "ORG",
        "REPO",
        "PULLS",
        "STARTED",
        "COMPLETED",
        "AGE",
    ]
    assert "pull-example-repo-unit" in row and "example-org" in row and "42" in row
    everything = kubectl(kube, "get", "bowsprit", "-n", namespace, "-o", "name")
    kinds = {line.split("/")[0].split(".")[0] for line in everything.splitlines()}
    assert kinds == {model.KIND.singular for model in KINDS}
    explained = kubectl(kube, "explain", "prowjob.spec.refs.pulls")
    assert "Pull requests merged into the base" in explained
    assert "head_ref" in explained


@pytest.mark.usefixtures("crds")
def test_crds_can_be_applied_client_side(kube: Kube) -> None:
    # Client-side apply stores the whole CRD in an annotation: Prow's 697 KB CRD fails here.
    output = kubectl(kube, "apply", "-f", str(REPO / "crds"))
    assert output.count("customresourcedefinition") == len(KINDS)


def test_crd_folder_is_complete() -> None:
    assert len(list(Path(REPO / "crds").glob("*.yaml"))) == len(KINDS)
