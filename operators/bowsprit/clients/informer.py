"""Follow one kind of custom resource (or pods): list, then watch from that list's
resourceVersion, telling a store about every change; re-list when the watch expires (410)
or breaks.

Runs in a daemon thread (the official client is blocking), so a component's event loop
only ever reads the store the thread keeps current; no restart is needed for changes.
Watch events are read as raw JSON lines: no client model is built per event.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import kubernetes
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from bowsprit.api import GROUP, VERSION

logger = logging.getLogger("bowsprit.informer")

RETRY_SECONDS = 1.0
WATCH_SECONDS = 30  # a watch is renewed this often, so stop() is noticed
PAGE = 500  # objects per list request (client-go's informers list 500 at a time too)


class Store(Protocol):
    def replace(self, items: Iterable[dict[str, Any]]) -> None:
        """Everything there is now (read once, page by page)."""

    def upsert(self, item: dict[str, Any]) -> None: ...
    def delete(self, item: dict[str, Any]) -> None: ...


class Informer:
    def __init__(
        self,
        api: kubernetes.client.ApiClient,
        plural: str,
        store: Store,
        namespace: str | None = None,
        label_selector: str = "",
    ) -> None:
        self.api = api
        self.plural = plural
        self.store = store
        self.namespace = namespace
        self.label_selector = label_selector
        self.synced = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"informer-{plural}", daemon=True)

    def start(self) -> Informer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the current watch event or the watch's timeout, whichever is first."""
        self._stopping.set()

    def join(self, timeout: float) -> bool:
        """Wait for the thread to end; whether it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _call(self, **kwargs: Any) -> Any:
        if self.label_selector:
            kwargs["label_selector"] = self.label_selector
        if self.plural == "pods":
            core = kubernetes.client.CoreV1Api(self.api)
            if self.namespace:
                return core.list_namespaced_pod(self.namespace, **kwargs)
            return core.list_pod_for_all_namespaces(**kwargs)
        objects = kubernetes.client.CustomObjectsApi(self.api)
        if self.namespace:
            return objects.list_namespaced_custom_object(
                GROUP, VERSION, self.namespace, self.plural, **kwargs
            )
        return objects.list_cluster_custom_object(GROUP, VERSION, self.plural, **kwargs)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                version: str | None = self._list()
                self.synced.set()
                while not self._stopping.is_set() and version is not None:
                    version = self._watch(version)
            except Exception as error:  # noqa: BLE001 - the API server may come and go
                logger.warning("following %s failed, listing again: %s", self.plural, error)
                self._stopping.wait(RETRY_SECONDS)

    def _list(self) -> str:
        """List in pages, handing the store one page at a time: 10,000 objects parsed at
        once would raise the process's memory for good (freed memory stays with it)."""
        first = self._page(None)

        def items() -> Iterator[dict[str, Any]]:
            page = first
            while True:
                yield from page.get("items") or []
                token = (page.get("metadata") or {}).get("continue")
                if not token:
                    return
                page = self._page(token)

        self.store.replace(items())
        return str(first["metadata"]["resourceVersion"])

    def _page(self, token: str | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"limit": PAGE, "_preload_content": False}
        if token:
            kwargs["_continue"] = token
        page: dict[str, Any] = json.loads(self._call(**kwargs).data)
        return page

    def _watch(self, version: str) -> str | None:
        """Follow changes from `version`; the version to go on from, None to re-list."""
        try:
            response = self._call(
                watch=True,
                resource_version=version,
                allow_watch_bookmarks=True,
                timeout_seconds=WATCH_SECONDS,
                _preload_content=False,
            )
        except ApiException as error:
            if error.status == 410:
                return None
            raise
        try:
            for line in iter_resp_lines(response):
                if self._stopping.is_set():
                    break
                event = json.loads(line)
                kind, item = event["type"], event["object"]
                if kind == "ERROR":
                    return None  # 410 Expired and friends: start again from a list
                version = str((item.get("metadata") or {}).get("resourceVersion") or version)
                if kind in ("ADDED", "MODIFIED"):
                    self.store.upsert(item)
                elif kind == "DELETED":
                    self.store.delete(item)
        finally:
            response.close()  # unread rest (stopping, or an error): never back to the pool
            response.release_conn()
        return version
