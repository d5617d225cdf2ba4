"""The Kubernetes calls components make, through the official client, as plain JSON.

Components never import the client library themselves (the layering contract): they
use these methods, which return the objects as the API server sent them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import kubernetes
from kubernetes.client.exceptions import ApiException
from kubernetes.client.rest import RESTResponse

from bowsprit.api import GROUP, VERSION

ApiError = ApiException


@dataclass
class Cluster:
    api: kubernetes.client.ApiClient

    @staticmethod
    def _json(response: Any) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(response.data)
        return data

    def _write(self, method: str, path: str, body: dict[str, Any], content_type: str) -> Any:
        """One write on the client's own connection pool (same host, CA, client
        certificates and token as every other call), without the generated client's
        per-call machinery (argument validation, serialisation passes, response type
        lookup): on plank's hot path that machinery cost more CPU than the request.
        Errors are the client's own ApiException (status, reason, body, headers)."""
        headers: dict[str, str] = {
            **self.api.default_headers,
            "Accept": "application/json",
            "Content-Type": content_type,
        }
        # The token as the generated client sets it (an exec plugin's is refreshed).
        self.api.update_params_for_auth(headers, [], ["BearerToken"], path, method, None)
        response = self.api.rest_client.pool_manager.urlopen(
            method,
            self.api.configuration.host + path,
            body=json.dumps(body).encode(),
            headers=headers,
            preload_content=True,
        )
        if not 200 <= response.status <= 299:
            failed = RESTResponse(response)
            failed.read()  # the API server's Status body, for error_message
            raise ApiException(http_resp=failed)
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
        kubernetes.client.CustomObjectsApi(self.api).delete_namespaced_custom_object(
            GROUP, VERSION, namespace, plural, name, body=_preconditioned(uid)
        )

    def list_pods(self, namespace: str, label_selector: str) -> list[dict[str, Any]]:
        core = kubernetes.client.CoreV1Api(self.api)
        response = core.list_namespaced_pod(
            namespace, label_selector=label_selector, _preload_content=False
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
        core = kubernetes.client.CoreV1Api(self.api)
        try:
            response = core.read_namespaced_pod(name, namespace, _preload_content=False)
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return self._json(response)

    def delete_pod(self, namespace: str, name: str, uid: str | None = None) -> None:
        """Delete a pod (only the one with `uid`, when given)."""
        kubernetes.client.CoreV1Api(self.api).delete_namespaced_pod(
            name, namespace, body=_preconditioned(uid) if uid else None, _preload_content=False
        )

    def pod_log(self, namespace: str, name: str, container: str) -> LogStream:
        """A container's log, followed while it runs (deck's /log); raises ApiError when
        there is no such pod or container."""
        core = kubernetes.client.CoreV1Api(self.api)
        response = core.read_namespaced_pod_log(
            name, namespace, container=container, follow=True, _preload_content=False
        )
        return LogStream(response)

    def list_events(self, namespace: str, involved_name: str) -> list[dict[str, Any]]:
        """Events about the object named `involved_name` (a job's pod, for podinfo.json)."""
        core = kubernetes.client.CoreV1Api(self.api)
        response = core.list_namespaced_event(
            namespace,
            field_selector=f"involvedObject.name={involved_name}",
            _preload_content=False,
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


def _preconditioned(uid: str) -> kubernetes.client.V1DeleteOptions:
    """Delete only the object with this uid, never a namesake created since."""
    return kubernetes.client.V1DeleteOptions(
        preconditions=kubernetes.client.V1Preconditions(uid=uid)
    )
