"""The lean HTTP under GitHubClient builds URLs and queries as githubkit/httpx did."""

from __future__ import annotations

import pytest

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
