"""GitHub answers are built as `ReadResponse` (cheaper than httpx's own construction
from content); everything the client and its callers read of one must be what
`httpx.Response(status, headers=..., content=body)` gives."""

from __future__ import annotations

import json

import httpx
import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from bowsprit.clients.github.endpoint import Answer, ReadResponse

HEADERS = [
    (b"Content-Type", b"application/json; charset=utf-8"),
    (b"ETag", b'W/"abc"'),
    (b"X-RateLimit-Remaining", b"4999"),
    (b"X-RateLimit-Reset", b"2000000000"),
    (b"Link", b'<https://api.github.com/x?page=2>; rel="next"'),
]


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"name": "main", "commit": {"sha": "a" * 40}, "protected": False}).encode(),
        json.dumps([{"login": "é", "id": 1}], ensure_ascii=False).encode(),
        b"",  # 204: no Content-Length added
        b'{"title": "\\ud800"}',  # a lone surrogate: orjson refuses it, json takes it
        b"not json",
    ],
)
@pytest.mark.parametrize("status", [200, 404])
def test_a_read_response_reads_as_httpxs_own(status: int, body: bytes) -> None:
    request = httpx.Request("GET", "https://api.github.com/repos/o/r")
    ours = ReadResponse(status, HEADERS, body, request)
    theirs = httpx.Response(status, headers=HEADERS, content=body, request=request)
    assert ours.headers.multi_items() == theirs.headers.multi_items()
    assert (ours.status_code, ours.content, ours.text) == (
        theirs.status_code,
        theirs.content,
        theirs.text,
    )
    assert (
        (ours.is_closed, ours.is_stream_consumed)
        == (True, True)
        == (
            theirs.is_closed,
            theirs.is_stream_consumed,
        )
    )
    assert ours.request.url == theirs.request.url
    assert ours.links == theirs.links
    try:
        expected = theirs.json()
    except json.JSONDecodeError:
        with pytest.raises(json.JSONDecodeError):
            ours.json()
    else:
        assert ours.json() == expected


def test_an_answer_builds_its_response_on_first_use_as_before() -> None:
    """Answer.of keeps what aiohttp read; its raw_response is the ReadResponse arequest
    built before (the headers aiohttp has already undone left out), made once, and its
    status and headers are there without one (a 304 served from the ETag cache)."""
    body = b'{"sha": "abc"}'
    read = [*HEADERS, (b"Content-Encoding", b"gzip"), (b"Transfer-Encoding", b"chunked")]
    view = CIMultiDictProxy(CIMultiDict((n.decode(), v.decode()) for n, v in read))
    answer = Answer.of(304, view, read, body, None)
    assert answer.status_code == 304
    assert answer.headers.get("x-ratelimit-remaining") == "4999"
    assert answer._raw is None  # nothing built yet
    raw = answer.raw_response
    assert raw is answer.raw_response
    expected = ReadResponse(304, HEADERS, body)
    assert raw.headers.multi_items() == expected.headers.multi_items()
    assert (raw.status_code, raw.content) == (304, body)
