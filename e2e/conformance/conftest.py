"""Shared pieces of the conformance suite: the Widget CRD and raw HTTP access."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import kubernetes
import pytest
import yaml
from kubernetes.client.exceptions import ApiException

from e2e.conftest import Kube

WIDGET_CRD = yaml.safe_load((Path(__file__).parent / "widget-crd.yaml").read_text())
GROUP, VERSION, PLURAL = "conformance.bowsprit.dev", "v1", "widgets"
T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float = 30.0, what: str = "condition") -> T:
    """Poll `condition` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def raw(
    kube: Kube,
    method: str,
    path: str,
    body: Any = None,
    content_type: str = "application/json",
    query: dict[str, str] | None = None,
    accept: str = "application/json",
) -> tuple[int, Any]:
    """One HTTP request through the official client's transport: (status, parsed JSON body)."""
    method, url, headers, payload, _ = kube.api.param_serialize(
        method,
        path,
        query_params=list((query or {}).items()),
        header_params={"Content-Type": content_type, "Accept": accept},
        body=body,
        auth_settings=["BearerToken"],
    )
    try:
        response = kube.api.call_api(method, url, headers, payload)
        data = response.read()
        status = response.status
    except ApiException as error:
        status, data = error.status, error.body
    text = data.decode() if isinstance(data, bytes) else data
    try:
        return status, json.loads(text) if text else None
    except json.JSONDecodeError:
        return status, text


def widget(name: str, size: int = 1, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Widget",
        "metadata": {"name": name},
        "spec": {"size": size, **spec},
    }


def widgets_path(namespace: str, name: str = "", sub: str = "") -> str:
    path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{PLURAL}"
    if name:
        path += f"/{name}"
    if sub:
        path += f"/{sub}"
    return path


@pytest.fixture(scope="module")
def widget_crd(kube: Kube) -> Iterator[None]:
    extensions = kubernetes.client.ApiextensionsV1Api(kube.api)
    try:
        extensions.create_custom_resource_definition(WIDGET_CRD)
    except ApiException as error:
        if error.status != 409:
            raise

    def established() -> bool:
        crd = extensions.read_custom_resource_definition(WIDGET_CRD["metadata"]["name"])
        conditions = crd.status.conditions or []
        return any(c.type == "Established" and c.status == "True" for c in conditions)

    wait_for(established, what="the Widget CRD to be established")
    # The CRD is established before every API server handler serves it: wait until listing works.
    wait_for(
        lambda: raw(kube, "GET", f"/apis/{GROUP}/{VERSION}/{PLURAL}")[0] == 200,
        what="widgets to be served",
    )
    yield
