"""Follow one kind of custom resource (or pods): list, then watch from that list's
resourceVersion, telling a store about every change; re-list when the watch expires (410)
or breaks.

Runs in a daemon thread (the official client is blocking), so a component's event loop
only ever reads the store the thread keeps current; no restart is needed for changes.
Watch events are read as raw JSON lines: no client model is built per event.

A component must stop and join its informers before its interpreter exits (`stop_all`):
a daemon thread still inside pydantic-core (the official client validates every call
with it, our stores parse with it) when Python finalises is killed by pthread_exit
unwinding through Rust frames, and the process dies with SIGABRT or SIGSEGV instead of
exiting 0. stop() therefore interrupts a watch's blocking read instead of waiting for
the next event or the watch's timeout.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

import kubernetes
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.cluster import request

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
        self._lock = threading.Lock()
        self._response: Any = None  # the watch being read, so stop() can interrupt it

    def start(self) -> Informer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop soon: a watch being read is interrupted (its socket shut for reading), a
        list ends after its current page."""
        self._stopping.set()
        with self._lock:
            response, self._response = self._response, None
        if response is not None:
            _interrupt(response)

    def join(self, timeout: float) -> bool:
        """Wait for the thread to end; whether it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _call(self, **kwargs: Any) -> Any:
        if self.label_selector:
            kwargs["label_selector"] = self.label_selector
        if self.plural == "pods":  # not CoreV1Api: see clients.cluster
            return self._pods(**kwargs)
        objects = kubernetes.client.CustomObjectsApi(self.api)
        if self.namespace:
            return objects.list_namespaced_custom_object(
                GROUP, VERSION, self.namespace, self.plural, **kwargs
            )
        return objects.list_cluster_custom_object(GROUP, VERSION, self.plural, **kwargs)

    def _pods(
        self,
        _preload_content: bool,
        _continue: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """List or watch pods, as CoreV1Api's list calls with the same arguments would."""
        path = f"/api/v1/namespaces/{self.namespace}/pods" if self.namespace else "/api/v1/pods"
        names = {
            "label_selector": "labelSelector",
            "limit": "limit",
            "watch": "watch",
            "resource_version": "resourceVersion",
            "allow_watch_bookmarks": "allowWatchBookmarks",
            "timeout_seconds": "timeoutSeconds",
        }
        query = {names[key]: value for key, value in kwargs.items()}
        query["continue"] = _continue
        return request(self.api, "GET", path, query=query, stream=not _preload_content)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                version: str | None = self._list()
                self.synced.set()
                while not self._stopping.is_set() and version is not None:
                    version = self._watch(version)
            except Exception as error:  # noqa: BLE001 - the API server may come and go
                if self._stopping.is_set():
                    return  # the interrupted read of stop(), not a failure
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
        with self._lock:
            self._response = response
        if self._stopping.is_set():  # stop() came between the request and the line above
            _interrupt(response)
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
            with self._lock:
                self._response = None
            response.close()  # unread rest (stopping, or an error): never back to the pool
            response.release_conn()
        return version


def _interrupt(response: Any) -> None:
    """End a blocking read of `response` from another thread (urllib3 >= 2.3)."""
    # Already released or closed: there is no read to end.
    with contextlib.suppress(OSError, RuntimeError, ValueError):
        response.shutdown()


def stop_all(informers: Sequence[Informer], timeout: float) -> list[str]:
    """Stop every informer and wait for their threads (`timeout` seconds for all); the
    plurals of those still running."""
    for informer in informers:
        informer.stop()
    deadline = time.monotonic() + timeout
    return [
        informer.plural
        for informer in informers
        if not informer.join(max(0.0, deadline - time.monotonic()))
    ]
