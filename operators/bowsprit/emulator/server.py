"""The HTTP face of the emulator: Kubernetes API paths, verbs, watches and discovery."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bowsprit.emulator import openapi, tables
from bowsprit.emulator.errors import ApiError, bad_request, method_not_allowed, not_found
from bowsprit.emulator.faults import Faults
from bowsprit.emulator.resources import ResourceInfo
from bowsprit.emulator.selectors import combine, field_matcher, label_matcher
from bowsprit.emulator.store import Store

logger = logging.getLogger(__name__)
VERSION_INFO = {
    "major": "1",
    "minor": "36",
    "gitVersion": "v1.36.0-bowsprit",
    "gitCommit": "",
    "gitTreeState": "clean",
    "buildDate": "2026-11-24T00:00:00Z",
    "goVersion": "none",
    "compiler": "python",
    "platform": "linux/amd64",
}


@dataclass(frozen=True)
class Target:
    """What a resource path names."""

    info: ResourceInfo
    namespace: str | None
    name: str | None
    subresource: str | None


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def deleted_status(info: ResourceInfo, obj: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {"name": obj["metadata"]["name"]}
    if info.group:
        details["group"] = info.group
    details.update(kind=info.plural, uid=obj["metadata"]["uid"])
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    }


class Api:
    """Request handling on top of a Store."""

    def __init__(self, store: Store, bookmark_interval: float) -> None:
        self.store = store
        self.bookmark_interval = bookmark_interval
        self.pod_logs: dict[tuple[str, str, str], str] = {}
        self.faults = Faults([])

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            fault = self.faults.take(request.method, request.path)
            if fault is not None:
                raise fault
            return await self._route(request)
        except ApiError as error:
            return json_response(error.status(), error.code)
        except json.JSONDecodeError as error:
            return json_response(
                bad_request(f"invalid JSON in the request body: {error}").status(), 400
            )

    async def _route(self, request: web.Request) -> web.StreamResponse:
        parts = [part for part in request.path.split("/") if part]
        fixed = self._fixed(parts)
        if fixed is not None:
            if request.method != "GET":
                raise method_not_allowed()
            return json_response(fixed)
        if parts[:1] == ["openapi"]:
            return json_response(self._openapi(parts))
        if parts[:1] in (["healthz"], ["readyz"], ["livez"]):
            return web.Response(text="ok")
        target = self._target(parts)
        return await self._verb(request, target)

    # Discovery ---------------------------------------------------------------------------

    def _fixed(self, parts: list[str]) -> dict[str, Any] | None:
        registry = self.store.registry
        versions = registry.group_versions()
        if parts == ["version"]:
            return VERSION_INFO
        if parts == ["api"]:
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
        if parts == ["apis"]:
            groups = [self._group(group, gv) for group, gv in versions.items() if group]
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        if len(parts) == 2 and parts[0] == "apis" and parts[1] in versions:
            return {
                "kind": "APIGroup",
                "apiVersion": "v1",
                **self._group(parts[1], versions[parts[1]]),
            }
        if parts == ["api", "v1"] or (len(parts) == 3 and parts[0] == "apis"):
            group, version = ("", "v1") if parts[0] == "api" else (parts[1], parts[2])
            if version not in versions.get(group, []):
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return {
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": f"{group}/{version}" if group else version,
                "resources": [
                    entry
                    for info in sorted(registry.resources(group, version), key=lambda i: i.plural)
                    for entry in info.discovery_entries()
                ],
            }
        return None

    def _group(self, group: str, versions: list[str]) -> dict[str, Any]:
        preferred = self.store.registry.preferred_version(group)
        return {
            "name": group,
            "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
            "preferredVersion": {"groupVersion": f"{group}/{preferred}", "version": preferred},
        }

    def _openapi(self, parts: list[str]) -> dict[str, Any]:
        registry = self.store.registry
        if parts == ["openapi", "v2"]:
            return openapi.v2_document(registry)
        if parts == ["openapi", "v3"]:
            return openapi.v3_index(registry)
        if parts[:3] == ["openapi", "v3", "api"] and len(parts) == 4:
            return openapi.v3_document(registry, "", parts[3])
        if parts[:3] == ["openapi", "v3", "apis"] and len(parts) == 5:
            return openapi.v3_document(registry, parts[3], parts[4])
        raise ApiError(404, "NotFound", "the server could not find the requested resource")

    # Resource paths ----------------------------------------------------------------------

    def _target(self, parts: list[str]) -> Target:
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        registry = self.store.registry
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces" and registry.lookup(group, version, rest[2]):
            namespace, rest = rest[1], rest[2:]
        info = registry.lookup(group, version, rest[0]) if rest else None
        if info is None or len(rest) > 3:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if namespace is not None and not info.namespaced:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        subresource = rest[2] if len(rest) == 3 else None
        if subresource is not None and subresource not in info.subresources:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return Target(info, namespace, rest[1] if len(rest) >= 2 else None, subresource)

    async def _verb(self, request: web.Request, target: Target) -> web.StreamResponse:
        if target.name is None:
            return await self._collection_verb(request, target)
        if target.subresource == "log":
            if request.method != "GET":
                raise method_not_allowed()
            return self._log(target, request)
        return await self._object_verb(request, target, target.name)

    async def _collection_verb(self, request: web.Request, target: Target) -> web.StreamResponse:
        method = request.method
        if method == "GET":
            if request.query.get("watch") in ("true", "1"):
                return await self._watch(request, target)
            return self._list(request, target)
        if method == "POST":
            return await self._create(request, target)
        if method == "DELETE":
            return self._delete_collection(request, target)
        raise method_not_allowed()

    async def _create(self, request: web.Request, target: Target) -> web.Response:
        body = await request.json()
        dry_run, strict = self._write_options(request)
        created = self.store.create(target.info, target.namespace, body, dry_run, strict)
        return json_response(created, 201)

    @staticmethod
    def _write_options(request: web.Request) -> tuple[bool, bool]:
        return request.query.get("dryRun") == "All", request.query.get(
            "fieldValidation"
        ) == "Strict"

    async def _object_verb(self, request: web.Request, target: Target, name: str) -> web.Response:
        info, namespace, sub = target.info, target.namespace, target.subresource
        method = request.method
        dry_run, strict = self._write_options(request)
        if method == "GET":
            return json_response(self.store.get(info, namespace, name))
        if method == "POST" and sub is None:
            # The API server treats a POST to an object's path as a create of that object.
            return await self._create(request, target)
        if method == "PUT":
            body = await request.json()
            return json_response(
                self.store.update(info, namespace, name, body, sub, dry_run, strict)
            )
        if method == "PATCH":
            patch = json.loads(await request.read())
            content_type = request.headers.get("Content-Type", "")
            return json_response(
                self.store.patch(info, namespace, name, content_type, patch, sub, dry_run, strict)
            )
        if method == "DELETE" and sub is None:
            options = await self._delete_options(request)
            obj, gone = self.store.delete(info, namespace, name, options, dry_run)
            if gone and info.key != ("", "pods"):
                # Most kinds answer a finished delete with a Status; pods return the pod.
                return json_response(deleted_status(info, obj))
            return json_response(obj)
        raise method_not_allowed()

    async def _delete_options(self, request: web.Request) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if request.can_read_body:
            raw = await request.read()
            if raw.strip():
                options = json.loads(raw)
        for key in ("propagationPolicy", "gracePeriodSeconds"):
            if key in request.query:
                options[key] = request.query[key]
        return options

    def _matcher(self, request: web.Request, info: ResourceInfo) -> Any:
        return combine(
            label_matcher(request.query.get("labelSelector")),
            field_matcher(request.query.get("fieldSelector"), info.key),
        )

    def _list(self, request: web.Request, target: Target) -> web.Response:
        info = target.info
        items = self.store.select(info, target.namespace, self._matcher(request, info))
        metadata: dict[str, Any] = {"resourceVersion": str(self.store.rv)}
        items = self._page(request, items, metadata)
        if "as=Table" in request.headers.get("Accept", ""):
            return json_response(tables.table(info, items, metadata, self.store.clock()))
        return json_response(
            {
                "kind": f"{info.kind}List",
                "apiVersion": info.group_version,
                "metadata": metadata,
                "items": items,
            }
        )

    @staticmethod
    def _page(
        request: web.Request, items: list[dict[str, Any]], metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        start = 0
        token = request.query.get("continue")
        if token:
            try:
                start = int(json.loads(base64.urlsafe_b64decode(token))["start"])
            except (ValueError, KeyError, TypeError) as error:
                raise bad_request(f"continue key is not valid: {error}") from error
        limit = int(request.query.get("limit") or 0)
        if limit <= 0:
            return items[start:]
        page = items[start : start + limit]
        if start + limit < len(items):
            metadata["continue"] = base64.urlsafe_b64encode(
                json.dumps({"start": start + limit}).encode()
            ).decode()
            metadata["remainingItemCount"] = len(items) - start - limit
        return page

    def _delete_collection(self, request: web.Request, target: Target) -> web.Response:
        info = target.info
        deleted = []
        for obj in self.store.select(info, target.namespace, self._matcher(request, info)):
            metadata = obj["metadata"]
            result, _ = self.store.delete(info, metadata.get("namespace"), metadata["name"], {})
            deleted.append(result)
        metadata = {"resourceVersion": str(self.store.rv)}
        return json_response(
            {
                "kind": f"{info.kind}List",
                "apiVersion": info.group_version,
                "metadata": metadata,
                "items": deleted,
            }
        )

    def _log(self, target: Target, request: web.Request) -> web.Response:
        assert target.name is not None
        pod = self.store.get(target.info, target.namespace, target.name)
        containers = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
        container = request.query.get("container") or (
            containers[0] if len(containers) == 1 else ""
        )
        if not container:
            raise bad_request(
                f"a container name must be specified for pod {target.name}, "
                f"choose one of: {containers}"
            )
        key = (target.namespace or "", target.name, container)
        return web.Response(text=self.pod_logs.get(key, ""), content_type="text/plain")

    # Watch -------------------------------------------------------------------------------

    async def _watch(self, request: web.Request, target: Target) -> web.StreamResponse:
        info = target.info
        query = request.query
        since = self._watch_start(query)
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        initial_events = query.get("sendInitialEvents") == "true"
        timeout = float(query["timeoutSeconds"]) if query.get("timeoutSeconds") else None
        matcher = self._matcher(request, info)
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        try:
            watcher, replay = self.store.watch(
                info, target.namespace, matcher, None if initial_events else since
            )
        except ApiError as error:
            await self._send(response, {"type": "ERROR", "object": error.status()})
            return response
        try:
            for event in replay:
                seen = (
                    watcher.translate(event)
                    if since is not None and not initial_events
                    else (event.type, event.obj)
                )
                if seen:
                    await self._send(response, {"type": seen[0], "object": seen[1]})
            if initial_events:
                await self._send(response, self._bookmark(info, initial_end=True))
            await self._stream(response, watcher, info, bookmarks, timeout)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.store.unwatch(watcher)
        return response

    @staticmethod
    def _watch_start(query: Any) -> int | None:
        value = query.get("resourceVersion")
        if value in (None, "", "0"):
            return None
        try:
            return int(value)
        except ValueError as error:
            raise bad_request(f"invalid resource version: {value}") from error

    async def _stream(
        self,
        response: web.StreamResponse,
        watcher: Any,
        info: ResourceInfo,
        bookmarks: bool,
        timeout: float | None,
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout if timeout else None
        while True:
            wait = self.bookmark_interval
            if deadline is not None:
                wait = min(wait, deadline - loop.time())
                if wait <= 0:
                    return
            try:
                event = await asyncio.wait_for(watcher.queue.get(), timeout=wait)
            except TimeoutError:
                if bookmarks and (deadline is None or loop.time() < deadline):
                    await self._send(response, self._bookmark(info))
                continue
            if event is None:
                return
            seen = watcher.translate(event)
            if seen:
                await self._send(response, {"type": seen[0], "object": seen[1]})

    def _bookmark(self, info: ResourceInfo, initial_end: bool = False) -> dict[str, Any]:
        metadata: dict[str, Any] = {"resourceVersion": str(self.store.rv)}
        if initial_end:
            metadata["annotations"] = {"k8s.io/initial-events-end": "true"}
        return {
            "type": "BOOKMARK",
            "object": {"kind": info.kind, "apiVersion": info.group_version, "metadata": metadata},
        }

    @staticmethod
    async def _send(response: web.StreamResponse, event: dict[str, Any]) -> None:
        await response.write(json.dumps(event, separators=(",", ":")).encode() + b"\n")


def build_app(store: Store, bookmark_interval: float = 10.0) -> tuple[web.Application, Api]:
    api = Api(store, bookmark_interval)
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", api.handle)
    return app, api


__all__ = ["Api", "build_app", "json_response", "not_found"]
