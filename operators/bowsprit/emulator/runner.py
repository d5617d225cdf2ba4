"""Run the emulator on 127.0.0.1 in its own thread and event loop.

kopf treats every task created in its loop as its own, so the emulator must never run
inside an operator's loop (../shared/DEPENDENCIES.md §3): it gets a thread of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import yaml
from aiohttp import web

from bowsprit.emulator.server import Api, build_app
from bowsprit.emulator.store import Store
from bowsprit.emulator.threaded import ThreadedApp
from bowsprit.lib.clock import Clock, utc_now

T = TypeVar("T")


class Emulator:
    """A Kubernetes API emulator serving over real HTTP on loopback."""

    def __init__(
        self,
        port: int = 0,
        bookmark_interval: float = 10.0,
        snapshot: Path | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.snapshot = snapshot
        self.store = Store(clock)
        self.bookmark_interval = bookmark_interval
        self._server = ThreadedApp("k8s-emulator", port)
        self.api: Api | None = None

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> Emulator:
        if self.snapshot is not None and self.snapshot.exists():
            load_snapshot(self.store, self.snapshot)
        self._server.start(self._make_app)
        return self

    def _make_app(self) -> web.Application:
        app, self.api = build_app(self.store, self.bookmark_interval)
        return app

    def call(self, function: Callable[[], T]) -> T:
        """Run `function` on the emulator's loop (the store is not thread-safe)."""
        return self._server.call(function)

    def stop(self) -> None:
        snapshot = self.snapshot
        if snapshot is not None and self.api is not None:
            self.call(lambda: save_snapshot(self.store, snapshot))
        self._server.stop(before=self._end_watches)

    async def _end_watches(self) -> None:
        for watchers in self.store.watchers.values():
            for watcher in watchers:
                watcher.queue.put_nowait(None)

    def set_pod_log(self, namespace: str, pod: str, container: str, text: str) -> None:
        """What `GET .../pods/<pod>/log` returns (a test kubelet writes it)."""
        assert self.api is not None
        api = self.api
        self.call(lambda: api.pod_logs.__setitem__((namespace, pod, container), text))

    def inject_fault(self, method: str, path: str, code: int, times: int = 1) -> None:
        """Fail the next `times` requests of `method` whose path matches the regular
        expression `path` with HTTP `code` (a Status body, as the real server sends)."""
        assert self.api is not None
        api = self.api
        self.call(lambda: api.faults.add(method, path, code, times))

    def kubeconfig(self) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "bowsprit-emulator", "cluster": {"server": self.url}}],
            "users": [{"name": "bowsprit-emulator", "user": {"token": "emulator"}}],
            "contexts": [
                {
                    "name": "bowsprit-emulator",
                    "context": {
                        "cluster": "bowsprit-emulator",
                        "user": "bowsprit-emulator",
                        "namespace": "default",
                    },
                }
            ],
            "current-context": "bowsprit-emulator",
        }

    def write_kubeconfig(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(self.kubeconfig()))
        return path

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def save_snapshot(store: Store, path: Path) -> None:
    """Every object and the resourceVersion counter, written atomically."""
    objects = [
        {"group": group, "plural": plural, "object": obj}
        for (group, plural), by_name in store.objects.items()
        for obj in by_name.values()
    ]
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps({"resourceVersion": store.rv, "objects": objects}))
    temporary.replace(path)


def load_snapshot(store: Store, path: Path) -> None:
    data = json.loads(path.read_text())
    store.objects.clear()
    store.by_uid.clear()
    store.dependents.clear()
    pending = data["objects"]
    # CRDs first, so their resources are served before their objects come back.
    pending.sort(key=lambda entry: entry["plural"] != "customresourcedefinitions")
    for entry in pending:
        obj = entry["object"]
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        store.objects.setdefault((entry["group"], entry["plural"]), {})[key] = obj
        store.by_uid[obj["metadata"]["uid"]] = ((entry["group"], entry["plural"]), key)
        for ref in obj["metadata"].get("ownerReferences", []):
            store.dependents.setdefault(ref.get("uid", ""), set()).add(
                ((entry["group"], entry["plural"]), key)
            )
        if entry["plural"] == "customresourcedefinitions":
            store.registry.serve_crd(obj)
    store.rv = int(data["resourceVersion"])
    store.history.compacted_rv = store.rv
