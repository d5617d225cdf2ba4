"""The Kubernetes calls components make, through the official client, as plain JSON.

Components never import the client library themselves (the layering contract): they
use these methods, which return the objects as the API server sent them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import kubernetes
from kubernetes.client.exceptions import ApiException

from bowsprit.api import GROUP, VERSION

ApiError = ApiException


@dataclass
class Cluster:
    api: kubernetes.client.ApiClient

    @staticmethod
    def _json(response: Any) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(response.data)
        return data

    def list_custom(
        self, namespace: str, plural: str, label_selector: str = ""
    ) -> list[dict[str, Any]]:
        objects = kubernetes.client.CustomObjectsApi(self.api)
        listed: Any = objects.list_namespaced_custom_object(
            GROUP, VERSION, namespace, plural, label_selector=label_selector
        )
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
        self, namespace: str, plural: str, name: str, status: dict[str, Any]
    ) -> None:
        """Merge-patch the status subresource."""
        kubernetes.client.CustomObjectsApi(self.api).patch_namespaced_custom_object_status(
            GROUP,
            VERSION,
            namespace,
            plural,
            name,
            {"status": status},
            _content_type="application/merge-patch+json",
        )

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

    def delete_pod(self, namespace: str, name: str, uid: str) -> None:
        kubernetes.client.CoreV1Api(self.api).delete_namespaced_pod(
            name, namespace, body=_preconditioned(uid)
        )


def _preconditioned(uid: str) -> kubernetes.client.V1DeleteOptions:
    """Delete only the object with this uid, never a namesake created since."""
    return kubernetes.client.V1DeleteOptions(
        preconditions=kubernetes.client.V1Preconditions(uid=uid)
    )
