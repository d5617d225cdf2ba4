"""Verbs, metadata, errors, patches, the status subresource and finalizers."""

from __future__ import annotations

import pytest

from e2e.conformance.conftest import raw, widget, widgets_path
from e2e.conftest import Kube

pytestmark = pytest.mark.usefixtures("widget_crd")


def test_create_sets_server_fields_and_defaults(kube: Kube, namespace: str) -> None:
    status, created = raw(kube, "POST", widgets_path(namespace), widget("a", status={"x": 1}))
    assert status == 201, created
    metadata = created["metadata"]
    assert metadata["uid"] and metadata["creationTimestamp"].endswith("Z")
    assert int(metadata["resourceVersion"]) > 0
    assert metadata["generation"] == 1
    assert metadata["namespace"] == namespace
    assert created["spec"]["color"] == "red"  # schema default
    assert "status" not in created  # the status subresource drops status on create


def test_generate_name(kube: Kube, namespace: str) -> None:
    body = widget("")
    body["metadata"] = {"generateName": "gen-"}
    status, created = raw(kube, "POST", widgets_path(namespace), body)
    assert status == 201
    assert created["metadata"]["name"].startswith("gen-")
    assert len(created["metadata"]["name"]) == len("gen-") + 5


def test_errors_are_status_objects(kube: Kube, namespace: str) -> None:
    status, body = raw(kube, "GET", widgets_path(namespace, "missing"))
    assert status == 404
    assert body["kind"] == "Status" and body["reason"] == "NotFound" and body["code"] == 404
    assert body["details"] == {
        "name": "missing",
        "group": "conformance.bowsprit.dev",
        "kind": "widgets",
    }
    assert body["message"] == 'widgets.conformance.bowsprit.dev "missing" not found'
    assert raw(kube, "POST", widgets_path(namespace), widget("dup"))[0] == 201
    status, body = raw(kube, "POST", widgets_path(namespace), widget("dup"))
    assert (status, body["reason"]) == (409, "AlreadyExists")
    status, body = raw(kube, "POST", widgets_path("no-such-namespace"), widget("x"))
    assert (status, body["reason"]) == (404, "NotFound")
    status, body = raw(kube, "PUT", f"/api/v1/namespaces/{namespace}/configmaps", {})
    assert (status, body["reason"]) == (405, "MethodNotAllowed")
    assert body["message"] == "the server does not allow this method on the requested resource"
    status, body = raw(kube, "GET", widgets_path(namespace, "dup", "scale"))
    assert (status, body["reason"]) == (404, "NotFound")


def test_delete_answers(kube: Kube, namespace: str) -> None:
    _, created = raw(kube, "POST", widgets_path(namespace), widget("gone"))
    status, body = raw(kube, "DELETE", widgets_path(namespace, "gone"))
    assert status == 200
    assert body["kind"] == "Status" and body["status"] == "Success"
    assert body["details"] == {
        "name": "gone",
        "group": "conformance.bowsprit.dev",
        "kind": "widgets",
        "uid": created["metadata"]["uid"],
    }
    pods = f"/api/v1/namespaces/{namespace}/pods"
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }
    raw(kube, "POST", pods, pod)
    status, body = raw(kube, "DELETE", f"{pods}/p")
    assert status == 200 and body["kind"] == "Pod"  # an unscheduled pod goes at once
    assert raw(kube, "GET", f"{pods}/p")[0] == 404
    bound = {**pod, "metadata": {"name": "b"}, "spec": {**pod["spec"], "nodeName": "node-1"}}
    raw(kube, "POST", pods, bound)
    status, body = raw(kube, "DELETE", f"{pods}/b")
    # A pod bound to a node waits for its kubelet, for its grace period.
    assert status == 200 and body["metadata"]["deletionGracePeriodSeconds"] == 30
    assert raw(kube, "GET", f"{pods}/b")[0] == 200
    assert raw(kube, "DELETE", f"{pods}/b", query={"gracePeriodSeconds": "0"})[0] == 200
    assert raw(kube, "GET", f"{pods}/b")[0] == 404


def test_invalid_objects_name_the_field(kube: Kube, namespace: str) -> None:
    cases = [
        (widget("neg", size=-1), "spec.size", "should be greater than or equal to 0"),
        (widget("color", color="pink"), "spec.color", 'Unsupported value: "pink"'),
        (widget("rule", size=5, maxSize=3), "spec", "size must not exceed maxSize"),
        (widget("long", tags=["x" * 11]), "spec.tags[0]", "Too long"),
        ({**widget("nospec"), "spec": {}}, "spec.size", "Required value"),
        (widget("BadName"), "metadata.name", "RFC 1123"),
    ]
    for body, field, words in cases:
        status, error = raw(kube, "POST", widgets_path(namespace), body)
        assert (status, error["reason"]) == (422, "Invalid"), error
        causes = error["details"]["causes"]
        assert any(c["field"] == field for c in causes), (field, causes)
        assert words in error["message"], error["message"]


def test_unknown_fields_are_pruned_or_rejected(kube: Kube, namespace: str) -> None:
    body = widget("p", extra={"kept": True}, unknown=1)
    status, created = raw(kube, "POST", widgets_path(namespace), body)
    assert status == 201
    assert "unknown" not in created["spec"] and created["spec"]["extra"] == {"kept": True}
    status, error = raw(
        kube,
        "POST",
        widgets_path(namespace),
        widget("q", unknown=1),
        query={"fieldValidation": "Strict"},
    )
    assert status == 400 and 'unknown field "spec.unknown"' in error["message"]


def test_update_needs_the_current_resource_version(kube: Kube, namespace: str) -> None:
    _, created = raw(kube, "POST", widgets_path(namespace), widget("u"))
    stale = dict(created, spec={"size": 2})
    assert raw(kube, "PUT", widgets_path(namespace, "u"), stale)[0] == 200
    status, error = raw(kube, "PUT", widgets_path(namespace, "u"), dict(stale, spec={"size": 3}))
    assert (status, error["reason"]) == (409, "Conflict")
    assert "the object has been modified" in error["message"]
    unversioned = dict(created, metadata={"name": "u"})
    status, error = raw(kube, "PUT", widgets_path(namespace, "u"), unversioned)
    assert status == 422 and error["details"]["causes"][0]["field"] == "metadata.resourceVersion"


def test_generation_and_status_subresource(kube: Kube, namespace: str) -> None:
    _, created = raw(kube, "POST", widgets_path(namespace), widget("g"))
    merge = "application/merge-patch+json"
    # The main endpoint ignores status.
    _, patched = raw(kube, "PATCH", widgets_path(namespace, "g"), {"status": {"phase": "x"}}, merge)
    assert "status" not in patched and patched["metadata"]["generation"] == 1
    # /status changes status only, and does not bump generation.
    status, patched = raw(
        kube,
        "PATCH",
        widgets_path(namespace, "g", "status"),
        {"spec": {"size": 9}, "status": {"phase": "Ready"}},
        merge,
    )
    assert status == 200
    assert patched["status"] == {"phase": "Ready"} and patched["spec"]["size"] == 1
    assert patched["metadata"]["generation"] == 1
    # A spec change bumps generation; a label change does not.
    _, patched = raw(kube, "PATCH", widgets_path(namespace, "g"), {"spec": {"size": 4}}, merge)
    assert patched["metadata"]["generation"] == 2
    _, labelled = raw(
        kube, "PATCH", widgets_path(namespace, "g"), {"metadata": {"labels": {"a": "b"}}}, merge
    )
    assert labelled["metadata"]["generation"] == 2
    assert int(labelled["metadata"]["resourceVersion"]) > int(
        created["metadata"]["resourceVersion"]
    )


def test_noop_patch_keeps_the_resource_version(kube: Kube, namespace: str) -> None:
    _, created = raw(kube, "POST", widgets_path(namespace), widget("n"))
    _, same = raw(
        kube,
        "PATCH",
        widgets_path(namespace, "n"),
        {"spec": {"size": 1}},
        "application/merge-patch+json",
    )
    assert same["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_json_patch_and_its_test_operation(kube: Kube, namespace: str) -> None:
    _, created = raw(kube, "POST", widgets_path(namespace), widget("j"))
    rv = created["metadata"]["resourceVersion"]
    patch = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": rv},
        {"op": "add", "path": "/metadata/finalizers", "value": ["example.com/keep"]},
    ]
    status, patched = raw(
        kube, "PATCH", widgets_path(namespace, "j"), patch, "application/json-patch+json"
    )
    assert status == 200 and patched["metadata"]["finalizers"] == ["example.com/keep"]
    status, error = raw(
        kube, "PATCH", widgets_path(namespace, "j"), patch, "application/json-patch+json"
    )
    assert status == 422, error
    raw(
        kube,
        "PATCH",
        widgets_path(namespace, "j"),
        {"metadata": {"finalizers": None}},
        "application/merge-patch+json",
    )


def test_strategic_merge_patch(kube: Kube, namespace: str) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "smp", "labels": {"a": "1"}},
        "spec": {
            "containers": [
                {"name": "one", "image": "busybox:1"},
                {"name": "two", "image": "busybox:1"},
            ]
        },
    }
    assert raw(kube, "POST", f"/api/v1/namespaces/{namespace}/pods", pod)[0] == 201
    patch = {
        "metadata": {"labels": {"b": "2"}},
        "spec": {"containers": [{"name": "two", "image": "busybox:2"}]},
    }
    status, patched = raw(
        kube,
        "PATCH",
        f"/api/v1/namespaces/{namespace}/pods/smp",
        patch,
        "application/strategic-merge-patch+json",
    )
    assert status == 200, patched
    assert patched["metadata"]["labels"] == {"a": "1", "b": "2"}
    images = {c["name"]: c["image"] for c in patched["spec"]["containers"]}
    assert images == {"one": "busybox:1", "two": "busybox:2"}
    status, error = raw(
        kube,
        "PATCH",
        widgets_path(namespace, "x"),
        {"spec": {}},
        "application/strategic-merge-patch+json",
    )
    assert status in (404, 415)


def test_finalizers_hold_deletion(kube: Kube, namespace: str) -> None:
    body = widget("f")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    raw(kube, "POST", widgets_path(namespace), body)
    status, deleting = raw(kube, "DELETE", widgets_path(namespace, "f"))
    assert status in (200, 202)
    assert deleting["metadata"]["deletionTimestamp"]
    status, still = raw(kube, "GET", widgets_path(namespace, "f"))
    assert status == 200 and still["metadata"]["deletionTimestamp"]
    status, error = raw(
        kube,
        "PATCH",
        widgets_path(namespace, "f"),
        {"metadata": {"finalizers": ["example.com/hold", "example.com/more"]}},
        "application/merge-patch+json",
    )
    assert status == 422 and "no new finalizers" in error["message"]
    raw(
        kube,
        "PATCH",
        widgets_path(namespace, "f"),
        {"metadata": {"finalizers": None}},
        "application/merge-patch+json",
    )
    assert raw(kube, "GET", widgets_path(namespace, "f"))[0] == 404


def test_delete_preconditions(kube: Kube, namespace: str) -> None:
    _, created = raw(kube, "POST", widgets_path(namespace), widget("d"))
    wrong = {
        "kind": "DeleteOptions",
        "apiVersion": "v1",
        "preconditions": {"uid": "00000000-0000-0000-0000-000000000000"},
    }
    status, error = raw(kube, "DELETE", widgets_path(namespace, "d"), wrong)
    assert (status, error["reason"]) == (409, "Conflict")
    assert error["message"] == (
        'Operation cannot be fulfilled on Widget.conformance.bowsprit.dev "d": the UID in the '
        "precondition (00000000-0000-0000-0000-000000000000) does not match the UID in record "
        f"({created['metadata']['uid']}). The object might have been deleted and then recreated"
    )
    right = dict(wrong, preconditions={"uid": created["metadata"]["uid"]})
    assert raw(kube, "DELETE", widgets_path(namespace, "d"), right)[0] == 200
    assert raw(kube, "GET", widgets_path(namespace, "d"))[0] == 404


def test_label_and_field_selectors(kube: Kube, namespace: str) -> None:
    for name, labels in [("s1", {"tier": "a", "team": "x"}), ("s2", {"tier": "b"}), ("s3", {})]:
        body = widget(name)
        body["metadata"]["labels"] = labels
        raw(kube, "POST", widgets_path(namespace), body)

    def names(**query: str) -> list[str]:
        status, listed = raw(kube, "GET", widgets_path(namespace), query=query)
        assert status == 200, listed
        return sorted(item["metadata"]["name"] for item in listed["items"])

    assert names(labelSelector="tier=a") == ["s1"]
    assert names(labelSelector="tier==b") == ["s2"]
    assert names(labelSelector="tier!=a") == ["s2", "s3"]
    assert names(labelSelector="tier in (a,b)") == ["s1", "s2"]
    assert names(labelSelector="tier notin (a)") == ["s2", "s3"]
    assert names(labelSelector="team") == ["s1"]
    assert names(labelSelector="!team") == ["s2", "s3"]
    assert names(labelSelector="tier,team=x") == ["s1"]
    assert names(fieldSelector="metadata.name=s2") == ["s2"]
    assert names(fieldSelector=f"metadata.namespace={namespace},metadata.name!=s2") == ["s1", "s3"]
    status, _ = raw(kube, "GET", widgets_path(namespace), query={"fieldSelector": "spec.size=1"})
    assert status == 400


def test_pod_field_selectors(kube: Kube, namespace: str) -> None:
    for name, node in [("bound", "node-a"), ("unbound", None)]:
        spec = {"containers": [{"name": "c", "image": "busybox"}]}
        if node:
            spec["nodeName"] = node
        raw(
            kube,
            "POST",
            f"/api/v1/namespaces/{namespace}/pods",
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec},
        )

    def names(selector: str) -> list[str]:
        _, listed = raw(
            kube, "GET", f"/api/v1/namespaces/{namespace}/pods", query={"fieldSelector": selector}
        )
        return sorted(item["metadata"]["name"] for item in listed["items"])

    assert names("spec.nodeName=node-a") == ["bound"]
    assert names("spec.nodeName=") == ["unbound"]
    assert names("status.phase=Pending") == ["bound", "unbound"]
    assert names("status.phase=Running") == []


def test_list_pagination(kube: Kube, namespace: str) -> None:
    for index in range(5):
        raw(kube, "POST", widgets_path(namespace), widget(f"page{index}"))
    seen: list[str] = []
    query = {"limit": "2"}
    while True:
        _, page = raw(kube, "GET", widgets_path(namespace), query=query)
        seen.extend(item["metadata"]["name"] for item in page["items"])
        token = page["metadata"].get("continue")
        if not token:
            break
        query = {"limit": "2", "continue": token}
    assert seen == [f"page{index}" for index in range(5)]


def test_delete_collection(kube: Kube, namespace: str) -> None:
    for name, team in [("c1", "x"), ("c2", "x"), ("c3", "y")]:
        body = widget(name)
        body["metadata"]["labels"] = {"team": team}
        raw(kube, "POST", widgets_path(namespace), body)
    status, _ = raw(kube, "DELETE", widgets_path(namespace), query={"labelSelector": "team=x"})
    assert status == 200
    _, listed = raw(kube, "GET", widgets_path(namespace))
    assert [item["metadata"]["name"] for item in listed["items"]] == ["c3"]


def test_secret_string_data(kube: Kube, namespace: str) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "stringData": {"token": "abc"},
    }
    status, created = raw(kube, "POST", f"/api/v1/namespaces/{namespace}/secrets", body)
    assert status == 201
    assert created["data"] == {"token": "YWJj"} and "stringData" not in created
    assert created["type"] == "Opaque"
