"""ghproxy's HTTP side: every path but /healthz goes to the cache and on to GitHub."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import Counter, Gauge

from bowsprit.ghproxy.cache import MODE_HEADER, GitHubCache, partition_of
from bowsprit.ghproxy.upstream import simplified_path

RESPONSES = Counter(
    "ghcache_responses",
    "Answers by how they were served",
    ["mode", "path", "user_agent", "token_hash"],
)
CACHE_SIZE = Gauge("ghcache_cache_size_bytes", "Bytes the cache holds")


async def healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok")


def health_app() -> web.Application:
    """/healthz alone, for a health port apart from the proxy's."""
    app = web.Application()
    app.router.add_get("/healthz", healthz)
    return app


def build_app(cache: GitHubCache) -> web.Application:
    async def proxy(request: web.Request) -> web.Response:
        body = await request.read() if request.can_read_body else None
        url = request.rel_url.raw_path_qs
        reply = await cache.handle(request.method, url, request.headers, body)
        authorization = request.headers.get("Authorization", "")
        RESPONSES.labels(
            reply.mode,
            simplified_path(request.path),
            request.headers.get("User-Agent", ""),
            partition_of(authorization)[:12],
        ).inc()
        CACHE_SIZE.set(cache.store.size())
        response = web.Response(status=reply.status, body=reply.body)
        for name, value in reply.headers:
            response.headers.add(name, value)
        response.headers[MODE_HEADER] = reply.mode
        return response

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_get("/healthz", healthz)
    app.router.add_route("*", "/{tail:.*}", proxy)
    return app
