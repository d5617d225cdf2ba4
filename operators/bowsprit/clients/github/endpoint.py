"""One GitHub endpoint: a kept-alive aiohttp session; and trying several in turn.

githubkit's request path (httpx, httpcore, anyio) cost about 1 ms of the caller's CPU per
revalidated GET here, against 0.07 ms for the same request on a bare aiohttp session
(`hack/bench/github_client.py`, same run): in hook that was most of a webhook's CPU. This
sends what githubkit sent (its Accept, User-Agent and no-cache headers, the base URL's
path kept, redirects followed) and hands back what githubkit's did (an answer around an
httpx.Response; RequestFailed for any 4xx/5xx, RequestError when no answer came), so
the retries, rate-limit handling, ETag cache and App auth above it (`transport`) kept
their shape.
githubkit itself is no longer imported (21 MB and 0.6 s in every component using GitHub).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import httpx
import orjson
import yarl
from aiohttp.helpers import get_env_proxy_for_url

logger = logging.getLogger("bowsprit.github")

ACCEPT = "application/vnd.github+json"
# aiohttp has already undone these: httpx must not decode the body a second time.
_DROPPED = frozenset({"content-encoding", "transfer-encoding", "content-length"})


class ReadResponse(httpx.Response):
    """An httpx.Response around a body aiohttp has already read: the same object as
    `httpx.Response(status, headers=..., content=body)`, in half the CPU (that one streams
    the bytes through httpx's decoders and chunker again, a fiftieth of hook's CPU per
    webhook), and `.json()` by orjson (a tenth of json's CPU; json's where orjson is
    stricter, so what parses is unchanged; integers past 64 bits come out as floats, as
    in hook's webhook parse: GitHub's ids are far below)."""

    def __init__(
        self,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        request: httpx.Request | None = None,
    ) -> None:
        self._content = body  # read() finds the content there and does not stream it
        if body:  # httpx adds the length of a non-empty content
            headers = [*headers, (b"Content-Length", str(len(body)).encode())]
        super().__init__(status, headers=headers, stream=httpx.ByteStream(body), request=request)
        self.is_stream_consumed = True  # as httpx's read to the end leaves it
        self.close()

    def json(self, **kwargs: Any) -> Any:
        if kwargs:
            return super().json(**kwargs)
        try:
            return orjson.loads(self._content)
        except orjson.JSONDecodeError:
            return super().json()


class Answer:
    """An HTTP answer (githubkit's Response had the same two fields we read). The
    httpx.Response is built on first use: a revalidated GET answered 304 is served from
    the ETag cache and never needs one (its status and headers are all it is asked)."""

    __slots__ = ("_raw", "_read", "headers", "status_code")

    def __init__(self, raw_response: httpx.Response) -> None:
        self._raw: httpx.Response | None = raw_response
        self._read: tuple[list[tuple[bytes, bytes]], bytes, httpx.Request | None] | None = None
        self.status_code = raw_response.status_code
        self.headers: Mapping[str, str] = raw_response.headers

    @classmethod
    def of(
        cls,
        status: int,
        headers: Mapping[str, str],
        raw_headers: list[tuple[bytes, bytes]],
        body: bytes,
        request: httpx.Request | None,
    ) -> Answer:
        """An answer as aiohttp read it: `headers` its case-insensitive view of
        `raw_headers`."""
        answer = cls.__new__(cls)
        answer._raw, answer._read = None, (raw_headers, body, request)
        answer.status_code, answer.headers = status, headers
        return answer

    @property
    def raw_response(self) -> httpx.Response:
        if self._raw is None:
            assert self._read is not None
            raw_headers, body, request = self._read
            kept = [(n, v) for n, v in raw_headers if n.decode("latin-1").lower() not in _DROPPED]
            self._raw = ReadResponse(self.status_code, kept, body, request)
        return self._raw


class RequestFailed(Exception):
    """GitHub answered with a 4xx or 5xx."""

    def __init__(self, response: Answer) -> None:
        super().__init__(f"{response.status_code} {response.raw_response.request.url}")
        self.response = response


class RequestError(Exception):
    """No answer: the connection failed or timed out."""

    def __init__(self, error: Exception) -> None:
        super().__init__(repr(error))
        self.exc = error


def _query(params: dict[str, Any] | None) -> dict[str, str] | None:
    """httpx's spelling of query values (aiohttp refuses booleans)."""
    if not params:
        return None
    return {
        key: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for key, value in params.items()
        if value is not None
    }


class LeanHTTP:
    def __init__(self, base_url: str, user_agent: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.headers = {"User-Agent": user_agent, "Accept": ACCEPT, "Cache-Control": "no-cache"}
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[yarl.URL | None, aiohttp.BasicAuth | None]] = {}

    def url(self, path: str) -> str:
        """An absolute URL as is (next-page links); a path below the base URL's path."""
        if "://" in path:
            return path
        return self.base_url + path.lstrip("/")

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # Made on first use, inside the running loop. Not trust_env: with it aiohttp
            # looks proxies (and ~/.netrc) up in a thread on every request, two thread
            # hand-offs that were a tenth of hook's CPU per webhook; _proxy does it once.
            # No cookie jar: GitHub's API sets none we send back, and the jar is
            # consulted on every request and answer.
            self._session = aiohttp.ClientSession(
                timeout=self.timeout, cookie_jar=aiohttp.DummyCookieJar()
            )
        return self._session

    def _proxy(self, url: str) -> tuple[yarl.URL | None, aiohttp.BasicAuth | None]:
        """The environment's proxy for a URL's origin (HTTPS_PROXY, NO_PROXY, ... as
        httpx took them), looked up once per origin: the environment is fixed at start."""
        origin = "/".join(url.split("/", 3)[:3])
        if origin not in self._proxies:
            try:
                self._proxies[origin] = get_env_proxy_for_url(yarl.URL(origin))
            except LookupError:  # none for this origin
                self._proxies[origin] = (None, None)
        return self._proxies[origin]

    async def arequest(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        full = self.url(url)
        proxy, proxy_auth = self._proxy(full)
        try:
            async with self._client().request(
                method,
                full,
                json=json,
                params=_query(params),
                headers={**self.headers, **(headers or {})},
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as answer:
                body = await answer.read()
                status = answer.status
        except (TimeoutError, aiohttp.ClientError) as error:
            raise RequestError(error) from error
        # The request (a URL parse and header pass in httpx, a twelfth of hook's CPU per
        # webhook) only where it is read: RequestFailed's message.
        request = httpx.Request(method, full) if status >= 400 else None
        response = Answer.of(status, answer.headers, list(answer.raw_headers), body, request)
        if status >= 400:
            raise RequestFailed(response)
        return response

    async def close_shared(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def request_any(
    endpoints: Sequence[LeanHTTP], method: str, url: str, **kwargs: Any
) -> Answer:
    """One try against each endpoint in turn until one answers below 500 (Prow's
    clients do the same with several --github-endpoints); the first one's failure is
    raised when none does."""
    first: Exception | None = None
    for github in endpoints:
        try:
            return await github.arequest(method, url, **kwargs)
        except RequestFailed as failed:
            if failed.response.status_code < 500:
                raise
            first = first or failed
        except RequestError as error:
            first = first or error
        if len(endpoints) > 1:
            logger.warning("GitHub endpoint %s failed for %s %s", github.base_url, method, url)
    assert first is not None
    raise first
