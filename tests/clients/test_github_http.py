"""The lean HTTP under GitHubClient builds URLs and queries as githubkit/httpx did."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bowsprit.clients.github.endpoint import LeanHTTP, _query


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://api.github.com", "/repos/o/r", "https://api.github.com/repos/o/r"),
        ("https://ghe.example/api/v3", "/repos/o/r", "https://ghe.example/api/v3/repos/o/r"),
        ("https://ghe.example/api/v3/", "/graphql", "https://ghe.example/api/v3/graphql"),
        # next-page links are absolute and kept as they are
        (
            "http://ghproxy:8888",
            "https://api.github.com/x?page=2",
            "https://api.github.com/x?page=2",
        ),
    ],
)
def test_urls_keep_the_base_path(base: str, path: str, expected: str) -> None:
    assert LeanHTTP(base, "bowsprit", 1.0).url(path) == expected


def test_query_values_are_spelled_as_httpx_did() -> None:
    assert _query({"per_page": 100, "draft": True, "x": False, "gone": None, "q": "is:pr"}) == {
        "per_page": "100",
        "draft": "true",
        "x": "false",
        "q": "is:pr",
    }
    assert _query(None) is None and _query({}) is None


async def test_requests_go_through_the_environment_s_proxy_unless_no_proxy_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HTTP(S)_PROXY and NO_PROXY as httpx honoured them, read once per origin."""
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.json_response({"via": "proxy"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    async with TestServer(app) as server:
        monkeypatch.setenv("HTTP_PROXY", str(server.make_url("")))
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        http = LeanHTTP("http://github.invalid/api/v3", "bowsprit", 5.0)
        try:
            answer = await http.arequest("GET", "/repos/o/r")
            assert answer.raw_response.json() == {"via": "proxy"}
            # Not proxied: NO_PROXY names the host (the proxy itself serves it directly).
            direct = await http.arequest("GET", str(server.make_url("/direct")))
            assert direct.raw_response.json() == {"via": "proxy"}
        finally:
            await http.close_shared()
    assert seen[0] == "http://github.invalid/api/v3/repos/o/r"
    assert seen[1].endswith("/direct") and "github.invalid" not in seen[1]
