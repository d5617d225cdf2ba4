"""deck's HTTP app: Prow's paths. Handlers are thin: they read the caches or the bucket,
call the pure functions of jobs/spyglass/history, and render a template."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bowsprit.api.tidepool import TidePoolStatus
from bowsprit.deck import actions, jobs, views
from bowsprit.deck.context import Deck, LogChunks

STATIC = Path(__file__).parent / "static"
PAGE_LIMIT = 500  # rows on the job list (Prow's UI pages through what /prowjobs.js gives)
NO_CACHE = {"Cache-Control": "no-cache, no-store, must-revalidate"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: https:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", headers=NO_CACHE)


@web.middleware
async def security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response: web.StreamResponse = await handler(request)
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


def app(deck: Deck) -> web.Application:
    application = web.Application(middlewares=[security_headers, views.errors(deck)])
    routes = JobList(deck)
    application.router.add_get("/", routes.index)
    application.router.add_get("/joblist.json", routes.joblist_json)
    application.router.add_get("/prowjobs.js", routes.prowjobs_js)
    application.router.add_get("/badge.svg", routes.badge)
    application.router.add_get("/prowjob", routes.prowjob_yaml)
    application.router.add_get("/tide", routes.tide)
    application.router.add_get("/tide-history", routes.tide_history)
    application.router.add_get("/tide.js", routes.tide_js)
    application.router.add_get("/command-help", routes.command_help)
    application.router.add_get("/plugin-help", _plugin_help)
    application.router.add_get("/log", routes.log)
    application.router.add_get("/healthz", _healthz)
    application.router.add_get("/metrics", _metrics)
    views.add_routes(application, deck)
    actions.add_routes(application, deck)
    if deck.extensions_dir is not None:
        # Prow's /static/extensions: logos and favicons of the branding (Falco's config
        # points there); registered first so it wins over the built-in files.
        application.router.add_static("/static/extensions", deck.extensions_dir)
    application.router.add_static("/static", STATIC, show_index=False)
    return application


async def _metrics(_: web.Request) -> web.Response:
    response = web.Response(body=generate_latest())
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    return response


async def _healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _plugin_help(_: web.Request) -> web.Response:
    raise web.HTTPFound("/command-help")


class JobList:
    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        # Derived from the whole cache, so computed once per change, not per request.
        self._choices: tuple[int, dict[str, list[str]]] = (-1, {})
        self._prowjobs_js: tuple[tuple[int, str], str] = ((-1, ""), "")

    def choices(self) -> dict[str, list[str]]:
        version, newest = self.deck.prowjobs.newest_first()
        if self._choices[0] != version:
            self._choices = (version, jobs.choices(newest, self.deck.visibility()))
        return self._choices[1]

    def _rows(self, request: web.Request) -> tuple[int, jobs.Filters, list[dict[str, Any]]]:
        filters = jobs.Filters.from_query(request.query)
        version, newest = self.deck.prowjobs.newest_first()
        found = jobs.listed(newest, self.deck.visibility(), filters, PAGE_LIMIT)
        now = self.deck.now()
        return version, filters, [jobs.row(pj, now) for pj in found]

    async def index(self, request: web.Request) -> web.Response:
        version, filters, rows = self._rows(request)
        return html(
            self.deck.render(
                "index.html",
                title="Jobs",
                rows=rows,
                filters=filters,
                choices=self.choices(),
                version=version,
                limit=PAGE_LIMIT,
                user=actions.current_user(self.deck, request),
            )
        )

    async def joblist_json(self, request: web.Request) -> web.Response:
        """What the job list polls: just the version when nothing changed, else the
        rendered rows (escaped here, so the page's script only swaps them in)."""
        seen = request.query.get("v", "")
        if seen == str(self.deck.prowjobs.version):
            return web.json_response({"version": seen}, headers=NO_CACHE)
        version, _, rows = self._rows(request)
        body = self.deck.env.get_template("rows.html").render(rows=rows)
        return web.json_response(
            {"version": str(version), "rows": body, "count": len(rows)}, headers=NO_CACHE
        )

    async def prowjobs_js(self, request: web.Request) -> web.Response:
        version, newest = self.deck.prowjobs.newest_first()
        # Scripts poll the same query again and again: the last answer is kept until the
        # jobs change.
        key = (version, request.query_string)
        if self._prowjobs_js[0] != key:
            visibility, query = self.deck.visibility(), dict(request.query)

            def serialise() -> str:
                data = jobs.prowjobs_js(newest, visibility, query)
                return json.dumps(data, separators=(",", ":"))

            # Seconds of work for tens of thousands of jobs: off the event loop.
            text = await asyncio.to_thread(serialise)
            self._prowjobs_js = (key, text)
        return web.Response(
            text=self._prowjobs_js[1],
            content_type="application/json",
            headers=NO_CACHE,
        )

    async def badge(self, request: web.Request) -> web.Response:
        wanted = request.query.get("jobs", "")
        if not wanted:
            raise web.HTTPBadRequest(text="missing jobs query parameter")
        _, newest = self.deck.prowjobs.newest_first()
        visible = [pj for pj in newest if self.deck.visibility().shows(pj)]
        status, colour = jobs.badge(jobs.pick_latest(visible, wanted))
        colour = {"brightgreen": "#4c1", "red": "#e05d44"}.get(colour, colour)
        svg = self.deck.env.get_template("badge.svg").render(
            subject="build", status=status, colour=colour, **jobs.badge_geometry("build", status)
        )
        return web.Response(text=svg, content_type="image/svg+xml", headers=NO_CACHE)

    def visible_job(self, name: str) -> dict[str, Any]:
        pj = self.deck.prowjobs.find(name) if name else None
        if pj is None or not self.deck.visibility().shows(pj):
            raise web.HTTPNotFound(text=f"no ProwJob named {name!r}")
        return pj

    async def prowjob_yaml(self, request: web.Request) -> web.Response:
        pj = self.visible_job(request.query.get("prowjob", ""))
        return web.Response(
            text=yaml.safe_dump(pj, sort_keys=False), content_type="text/plain", headers=NO_CACHE
        )

    def _pools(self) -> list[dict[str, Any]]:
        pools: list[dict[str, Any]] = []
        for item in self.deck.tidepools.newest_first()[1]:
            try:
                status = TidePoolStatus.model_validate(item.get("status") or {})
            except ValueError:
                continue
            for pool in status.pools or []:
                pools.append(
                    {"tidepool": item["metadata"]["name"], **pool.model_dump(exclude_none=True)}
                )
        return sorted(pools, key=lambda p: (p["org"], p["repo"], p["branch"]))

    async def tide(self, request: web.Request) -> web.Response:
        return html(self.deck.render("tide.html", title="Tide", pools=self._pools(), user=None))

    async def tide_js(self, request: web.Request) -> web.Response:
        return web.json_response({"Pools": self._pools()}, headers=NO_CACHE)

    async def tide_history(self, request: web.Request) -> web.Response:
        # Tide's action history lives in TidePool status: the last action of each pool and
        # the conditions' transitions (Bowsprit keeps no separate history record).
        entries: list[dict[str, Any]] = []
        for item in self.deck.tidepools.newest_first()[1]:
            status = item.get("status") or {}
            for condition in status.get("conditions") or []:
                entries.append({"tidepool": item["metadata"]["name"], **condition})
        entries.sort(key=lambda e: str(e.get("lastTransitionTime", "")), reverse=True)
        return html(
            self.deck.render(
                "tide_history.html",
                title="Tide history",
                pools=self._pools(),
                entries=entries,
                user=None,
            )
        )

    async def command_help(self, request: web.Request) -> web.Response:
        error, plugins = "", {}
        if self.deck.plugin_help is None:
            error = "deck was started without --hook-url"
        else:
            try:
                plugins = await self.deck.plugin_help()
            except Exception as failure:  # noqa: BLE001 - hook may be down; say so
                error = f"hook's /plugin-help is not reachable: {failure}"
        commands = [
            {"plugin": name, **command}
            for name, help in sorted((plugins.get("PluginHelp") or {}).items())
            for command in help.get("Commands") or []
        ]
        return html(
            self.deck.render(
                "command_help.html",
                title="Command help",
                commands=commands,
                plugins=plugins,
                error=error,
                user=None,
            )
        )

    async def log(self, request: web.Request) -> web.StreamResponse:
        """The pod's log while the job runs (Prow's /log?job=&id=); finished jobs' logs are
        in the bucket."""
        job, build = request.query.get("job", ""), request.query.get("id", "")
        container = request.query.get("container", "test")
        _, newest = self.deck.prowjobs.newest_first()
        pj = next(
            (
                p
                for p in newest
                if (p.get("spec") or {}).get("job") == job
                and (p.get("status") or {}).get("build_id") == build
                and self.deck.visibility().shows(p)
            ),
            None,
        )
        if pj is None:
            raise web.HTTPNotFound(text=f"no run {build!r} of job {job!r}")
        namespace = self.deck.config().pod_namespace
        name = (pj.get("status") or {}).get("pod_name") or pj["metadata"]["name"]
        alias = (pj.get("spec") or {}).get("cluster")
        try:
            reader = self.deck.pods_in(alias) if self.deck.pods_in else self.deck.cluster
            stream = await asyncio.to_thread(reader.pod_log, namespace, name, container)
        except Exception as error:  # noqa: BLE001 - the pod may be gone
            raise web.HTTPNotFound(text=f"pod {name}: no log ({error})") from error
        response = web.StreamResponse(headers={**NO_CACHE, "X-Content-Type-Options": "nosniff"})
        response.content_type = "text/plain"
        response.charset = "utf-8"
        await response.prepare(request)
        try:
            await _relay(stream, response)
        finally:
            await asyncio.to_thread(stream.close)
        return response


async def _relay(stream: LogChunks, response: web.StreamResponse) -> None:
    """Copy the followed log to the client as it comes (the blocking client reads in a
    thread); ends when the container does or the client goes."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=64)

    def pump() -> None:
        try:
            for chunk in stream.chunks():
                asyncio.run_coroutine_threadsafe(queue.put(chunk), loop).result()
        except Exception:  # noqa: BLE001 - a closed stream ends the copy
            pass
        finally:
            asyncio.run_coroutine_threadsafe(queue.put(None), loop)

    reader = loop.run_in_executor(None, pump)
    try:
        while (chunk := await queue.get()) is not None:
            await response.write(chunk)
    finally:
        await asyncio.to_thread(stream.close)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(reader, 5)
