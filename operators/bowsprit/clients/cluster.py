"""The Kubernetes calls components make, through the official client, as plain JSON.

Components never import the client library themselves (the layering contract): they
use these methods, which return the objects as the API server sent them.

Core API calls (pods, events) go through `request` on the client's connection pool, not
through `CoreV1Api`: importing that generated class loads about 250 model modules, 20 MB
of every operator's memory, for calls whose answers are read as JSON anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import kubernetes
from kubernetes.client.exceptions import ApiException
from kubernetes.client.rest import RESTResponse

from bowsprit.api import GROUP, VERSION

ApiError = ApiException


def request(
    api: kubernetes.client.ApiClient,
    method: str,
    path: str,
    *,
    query: Mapping[str, str | int | bool | None] | None = None,
    body: Any = None,
    content_type: str = "application/json",
    stream: bool = False,
    timeout: float | None = None,
    accept: str = "application/json",
) -> Any:
    """One call on the client's own connection pool (same host, CA, client certificates
    and token as every other call), without the generated client's per-call machinery
    (argument validation, serialisation passes, response type lookup, model imports).
    Returns urllib3's response: read (`.data`), or unread when `stream` (the caller
    releases it). Errors are the client's own ApiException (status, reason, body)."""
    headers: dict[str, str] = {**api.default_headers, "Accept": accept}
    if body is not None:
        headers["Content-Type"] = content_type
    # The token as the generated client sets it (an exec plugin's is refreshed).
    api.update_params_for_auth(headers, [], ["BearerToken"], path, method, None)
    pairs = {k: str(v).lower() if isinstance(v, bool) else v for k, v in (query or {}).items()}
    encoded = urlencode({k: v for k, v in pairs.items() if v is not None})
    response = api.rest_client.pool_manager.urlopen(
        method,
        api.configuration.host + path + (f"?{encoded}" if encoded else ""),
        body=json.dumps(body).encode() if body is not None else None,
        headers=headers,
        preload_content=not stream,
        timeout=timeout,
    )
    if not 200 <= response.status <= 299:
        failed = RESTResponse(response)
        failed.read()  # the API server's Status body, for error_message
        raise ApiException(http_resp=failed)
    return response


@dataclass
class Cluster:
    api: kubernetes.client.ApiClient

    @staticmethod
    def _json(response: Any) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(response.data)
        return data

    def _write(self, method: str, path: str, body: dict[str, Any], content_type: str) -> Any:
        """One write by `request`: on plank's hot path the generated client's per-call
        machinery cost more CPU than the request."""
        response = request(self.api, method, path, body=body, content_type=content_type)
        return json.loads(response.data)

    def list_custom(
        self, namespace: str, plural: str, label_selector: str = ""
    ) -> list[dict[str, Any]]:
        objects = kubernetes.client.CustomObjectsApi(self.api)
        listed: Any = objects.list_namespaced_custom_object(
            GROUP, VERSION, namespace, plural, label_selector=label_selector
        )
        items: list[dict[str, Any]] = listed["items"]
        return items

    def iter_custom(
        self, namespace: str, plural: str, label_selector: str = "", page: int = 500
    ) -> Iterator[dict[str, Any]]:
        """The objects of list_custom, read `page` at a time: a caller that keeps a compact
        form of each never holds 10,000 parsed objects at once (the process would keep
        that peak of memory)."""
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{plural}"
        return self._pages(path, label_selector, page)

    def iter_pods(
        self, namespace: str, label_selector: str, page: int = 500
    ) -> Iterator[dict[str, Any]]:
        """The pods of list_pods, read `page` at a time (see iter_custom)."""
        return self._pages(f"/api/v1/namespaces/{namespace}/pods", label_selector, page)

    def _pages(self, path: str, label_selector: str, page: int) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            query = {"labelSelector": label_selector or None, "limit": page, "continue": token}
            listed = self._json(request(self.api, "GET", path, query=query))
            yield from listed.get("items") or []
            token = (listed.get("metadata") or {}).get("continue")
            if not token:
                return

    def list_custom_everywhere(self, plural: str) -> list[dict[str, Any]]:
        """Objects of a kind in every namespace."""
        objects = kubernetes.client.CustomObjectsApi(self.api)
        listed: Any = objects.list_cluster_custom_object(GROUP, VERSION, plural)
        items: list[dict[str, Any]] = listed["items"]
        return items

    def get_custom(self, namespace: str, plural: str, name: str) -> dict[str, Any] | None:
        objects = kubernetes.client.CustomObjectsApi(self.api)
        try:
            found: Any = objects.get_namespaced_custom_object(
                GROUP, VERSION, namespace, plural, name
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return dict(found)

    def create_custom(self, namespace: str, plural: str, body: dict[str, Any]) -> dict[str, Any]:
        objects = kubernetes.client.CustomObjectsApi(self.api)
        created: Any = objects.create_namespaced_custom_object(
            GROUP, VERSION, namespace, plural, body
        )
        return dict(created)

    def patch_custom_status(
        self,
        namespace: str,
        plural: str,
        name: str,
        status: dict[str, Any],
        resource_version: str | None = None,
    ) -> dict[str, Any]:
        """Merge-patch the status subresource; with `resource_version`, only if the object
        is still at that version (409 Conflict otherwise)."""
        body: dict[str, Any] = {"status": status}
        if resource_version is not None:
            body["metadata"] = {"resourceVersion": resource_version}
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{plural}/{name}/status"
        patched: dict[str, Any] = self._write("PATCH", path, body, "application/merge-patch+json")
        return patched

    def delete_custom(self, namespace: str, plural: str, name: str, uid: str) -> None:
        """Delete only the object with this uid, never a namesake created since."""
        request(
            self.api,
            "DELETE",
            f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{plural}/{name}",
            body={"preconditions": {"uid": uid}},
        )

    def list_pods(self, namespace: str, label_selector: str) -> list[dict[str, Any]]:
        response = request(
            self.api,
            "GET",
            f"/api/v1/namespaces/{namespace}/pods",
            query={"labelSelector": label_selector or None},
        )
        items: list[dict[str, Any]] = self._json(response)["items"]
        return items

    def create_pod(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self._write(
            "POST", f"/api/v1/namespaces/{namespace}/pods", body, "application/json"
        )
        return created

    def post_event(self, body: dict[str, Any]) -> None:
        namespace = body["metadata"]["namespace"]
        self._write("POST", f"/api/v1/namespaces/{namespace}/events", body, "application/json")

    def get_pod(self, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            response = request(self.api, "GET", f"/api/v1/namespaces/{namespace}/pods/{name}")
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return self._json(response)

    def delete_pod(self, namespace: str, name: str, uid: str | None = None) -> None:
        """Delete a pod (only the one with `uid`, when given)."""
        request(
            self.api,
            "DELETE",
            f"/api/v1/namespaces/{namespace}/pods/{name}",
            body={"preconditions": {"uid": uid}} if uid else None,
        )

    def pod_log(self, namespace: str, name: str, container: str) -> LogStream:
        """A container's log, followed while it runs (deck's /log); raises ApiError when
        there is no such pod or container."""
        response = request(
            self.api,
            "GET",
            f"/api/v1/namespaces/{namespace}/pods/{name}/log",
            query={"container": container, "follow": True},
            stream=True,
            accept="text/plain, */*",
        )
        return LogStream(response)

    def list_events(self, namespace: str, involved_name: str) -> list[dict[str, Any]]:
        """Events about the object named `involved_name` (a job's pod, for podinfo.json)."""
        response = request(
            self.api,
            "GET",
            f"/api/v1/namespaces/{namespace}/events",
            query={"fieldSelector": f"involvedObject.name={involved_name}"},
        )
        items: list[dict[str, Any]] = self._json(response)["items"]
        return items

    def patch_custom(
        self, namespace: str, plural: str, name: str, patch: dict[str, Any]
    ) -> dict[str, Any]:
        """Merge-patch an object (its metadata, spec); a `metadata.resourceVersion` in the
        patch makes it apply only at that version (409 Conflict otherwise)."""
        patched: Any = kubernetes.client.CustomObjectsApi(self.api).patch_namespaced_custom_object(
            GROUP,
            VERSION,
            namespace,
            plural,
            name,
            patch,
            _content_type="application/merge-patch+json",
        )
        return dict(patched)


class LogStream:
    """Chunks of a followed log as they come; close() ends it from any thread."""

    def __init__(self, response: Any) -> None:
        self._response = response

    def chunks(self) -> Iterator[bytes]:
        yield from self._response.stream(64 * 1024, decode_content=True)

    def close(self) -> None:
        self._response.close()
        self._response.release_conn()


def event_body(
    involved: dict[str, Any], kind: str, reason: str, message: str, component: str, now: str
) -> dict[str, Any]:
    """A core/v1 Event about `involved` (apiVersion, kind, metadata name/namespace/uid)."""
    metadata = involved["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": f"{metadata['name']}.", "namespace": metadata["namespace"]},
        "involvedObject": {
            "apiVersion": involved["apiVersion"],
            "kind": involved["kind"],
            "name": metadata["name"],
            "namespace": metadata["namespace"],
            "uid": metadata["uid"],
        },
        "type": kind,
        "reason": reason,
        "message": message[:1024],
        "source": {"component": component},
        "reportingComponent": component,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
    }


def error_message(error: ApiException) -> str:
    """The API server's own message from an error response (its Status body)."""
    try:
        message: str = json.loads(error.body or "")["message"]
    except (TypeError, ValueError, KeyError):
        return f"{error.status} {error.reason}"
    return message
