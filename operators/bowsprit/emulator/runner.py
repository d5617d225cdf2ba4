"""Run the emulator on 127.0.0.1 in its own thread and event loop.

kopf treats every task created in its loop as its own, so the emulator must never run
inside an operator's loop (../shared/DEPENDENCIES.md §3): it gets a thread of its own.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

import yaml
from aiohttp import web

from bowsprit.emulator.server import Api, build_app
from bowsprit.emulator.store import Store
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
        self.port = port
        self.snapshot = snapshot
        self.store = Store(clock)
        self.bookmark_interval = bookmark_interval
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.api: Api | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Emulator:
        if self.snapshot is not None and self.snapshot.exists():
            load_snapshot(self.store, self.snapshot)
        ready: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name="k8s-emulator", daemon=True
        )
        self._thread.start()
        ready.result(timeout=30)
        return self

    def _serve(self, ready: Future[None]) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._open())
        except BaseException as error:  # noqa: BLE001 - handed to the starting thread
            ready.set_exception(error)
            return
        ready.set_result(None)
        self._loop.run_forever()

    async def _open(self) -> None:
        app, self.api = build_app(self.store, self.bookmark_interval)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        # With port 0 the OS picks the port; aiohttp has no public way to ask which.
        server = cast(asyncio.Server, site._server)  # noqa: SLF001
        self.port = server.sockets[0].getsockname()[1]

    def call(self, function: Callable[[], T]) -> T:
        """Run `function` on the emulator's loop (the store is not thread-safe)."""

        async def run() -> T:
            return function()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=30)

    def stop(self) -> None:
        if self._thread is None:
            return
        if self.snapshot is not None:
            self.call(lambda: save_snapshot(self.store, self.snapshot))  # type: ignore[arg-type]
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()
        self._thread = None

    async def _close(self) -> None:
        for watchers in self.store.watchers.values():
            for watcher in watchers:
                watcher.queue.put_nowait(None)
        if self._runner is not None:
            await self._runner.cleanup()

    def set_pod_log(self, namespace: str, pod: str, container: str, text: str) -> None:
        """What `GET .../pods/<pod>/log` returns (a test kubelet writes it)."""
        assert self.api is not None
        api = self.api
        self.call(lambda: api.pod_logs.__setitem__((namespace, pod, container), text))

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
