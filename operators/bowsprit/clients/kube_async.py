"""Custom-resource calls from an event loop, on one kept-alive aiohttp session.

hook creates one ProwJob per webhook. Through the official (blocking) client each create
went to a thread and through the generated client's per-call machinery (argument
validation, serialisation passes): about half of hook's CPU per webhook, and the thread
hand-offs capped its throughput below the API server's. Here a create is one request on
the loop's own session, with the cluster, CA, client certificate and token of the same
kubeconfig (`load_configuration`), so components still never import a client library.

Every call is retried with backoff on 429, 5xx and lost connections. A create retried
after an answer that never came may find its object already made (409 AlreadyExists):
that is the create having worked, not a duplicate (hook's ProwJob names are random).
Errors are the official client's ApiException (status, reason, body), as Cluster's.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any

import aiohttp
import kubernetes
import orjson
from kubernetes.client.exceptions import ApiException

from bowsprit.api import GROUP, VERSION
from bowsprit.lib.clock import jitter

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
ATTEMPTS = 8  # about 25 s of backoff in all: an API server restart, not an outage
FIRST_BACKOFF = 0.1
MAX_BACKOFF = 5.0
TIMEOUT = 60.0
# Seconds the auth headers are reused. Asking the configuration each time runs the
# kubeconfig loader's refresh hook, which re-sets the host and so re-reads the proxy
# environment: 7 % of hook's CPU per webhook. Tokens are refreshed well before they expire
# (kubeconfig: 5 minutes ahead; in-cluster: re-read every minute), and a 401 drops them.
AUTH_REUSE = 10.0


def ssl_context(configuration: kubernetes.client.Configuration) -> ssl.SSLContext | bool:
    """TLS as the official client sets it up from the same configuration."""
    if not configuration.host.startswith("https:"):
        return False
    context = ssl.create_default_context(cafile=configuration.ssl_ca_cert or None)
    if not configuration.verify_ssl:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if configuration.cert_file:
        context.load_cert_chain(configuration.cert_file, configuration.key_file or None)
    return context


def backoff(attempt: int, retry_after: str | None = None) -> float:
    """Seconds before retry `attempt` (1, 2, ...): the server's Retry-After when it says,
    else doubling from FIRST_BACKOFF with jitter, at most MAX_BACKOFF."""
    if retry_after and retry_after.isdigit():
        return min(float(retry_after), MAX_BACKOFF)
    delay: float = min(FIRST_BACKOFF * 2 ** (attempt - 1), MAX_BACKOFF)
    return delay * (0.5 + jitter() / 2)


class AsyncKube:
    """The custom-resource calls hook makes, awaited on one session (made on first use,
    in the running loop; close it with aclose)."""

    def __init__(
        self,
        configuration: kubernetes.client.Configuration,
        connections: int = 16,
        attempts: int = ATTEMPTS,
    ) -> None:
        self.configuration = configuration
        self.connections = connections
        self.attempts = attempts
        self._session: aiohttp.ClientSession | None = None
        self._base = configuration.host.rstrip("/")
        self._auth: dict[str, str] = {}
        self._auth_until = 0.0

    async def create_custom(
        self, namespace: str, plural: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{plural}"
        try:
            created: dict[str, Any] = await self._call("POST", path, body, "application/json")
        except _AlreadyMade:
            # An earlier attempt made it (its answer was lost): the object, as it is now.
            return await self.get_custom(namespace, plural, body["metadata"]["name"])
        return created

    async def get_custom(self, namespace: str, plural: str, name: str) -> dict[str, Any]:
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{plural}/{name}"
        found: dict[str, Any] = await self._call("GET", path)
        return found

    async def list_custom(
        self, namespace: str, plural: str, label_selector: str = ""
    ) -> list[dict[str, Any]]:
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{plural}"
        params = {"labelSelector": label_selector} if label_selector else None
        listed = await self._call("GET", path, params=params)
        items: list[dict[str, Any]] = listed["items"]
        return items

    async def patch_custom_status(
        self,
        namespace: str,
        plural: str,
        name: str,
        status: dict[str, Any],
        resource_version: str | None = None,
    ) -> dict[str, Any]:
        """Merge-patch the status subresource; with `resource_version`, only if the object
        is still at that version (409 Conflict otherwise, for the caller to look again)."""
        body: dict[str, Any] = {"status": status}
        if resource_version is not None:
            body["metadata"] = {"resourceVersion": resource_version}
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{plural}/{name}/status"
        patched: dict[str, Any] = await self._call(
            "PATCH", path, body, "application/merge-patch+json"
        )
        return patched

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.connections, ssl=ssl_context(self.configuration)
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=TIMEOUT),
                cookie_jar=aiohttp.DummyCookieJar(),  # the API server's answers set none
            )
        return self._session

    def _headers(self, content_type: str | None) -> dict[str, str]:
        now = time.monotonic()
        if now >= self._auth_until:
            self._auth, self._auth_until = self.configuration_headers(), now + AUTH_REUSE
        headers = {"Accept": "application/json", **self._auth}
        if content_type:
            headers["Content-Type"] = content_type
        return headers

    def configuration_headers(self) -> dict[str, str]:
        """The token (refreshed by the configuration's hook when it expires: in-cluster
        tokens, exec plugins) or basic auth, as the generated client sends them."""
        headers: dict[str, str] = {}
        settings: Any = self.configuration.auth_settings()
        for setting in settings.values():
            if setting["in"] == "header" and setting["value"]:
                headers[setting["key"]] = setting["value"]
        if self.configuration.username and self.configuration.password:
            headers["Authorization"] = self.configuration.get_basic_auth_token() or ""
        return headers

    async def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        content_type: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        data = orjson.dumps(body) if body is not None else None
        url = self._base + path
        server_name = self.configuration.tls_server_name or None
        maybe_made = False  # an earlier attempt may have been carried out unanswered
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                async with self._open().request(
                    method,
                    url,
                    data=data,
                    params=params,
                    headers=self._headers(content_type),
                    proxy=self.configuration.proxy or None,
                    server_hostname=server_name,
                ) as response:
                    text = await response.read()
                    status = response.status
                    if 200 <= status <= 299:
                        return orjson.loads(text)
                    if status == 401 and attempt == 1 and not last:
                        self._auth_until = 0.0  # a token rotated under us: ask again, once
                        continue
                    if status == 409 and method == "POST" and maybe_made:
                        raise _AlreadyMade()
                    if status not in RETRIED_STATUSES or last:
                        raise _api_error(status, response.reason, text, response.headers)
                    maybe_made |= status != 429  # a 5xx may come after the write was done
                    delay = backoff(attempt, response.headers.get("Retry-After"))
            except (aiohttp.ClientConnectionError, TimeoutError) as error:
                if last:
                    raise ApiException(status=0, reason=f"no answer: {error!r}") from error
                maybe_made = True
                delay = backoff(attempt)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")


class _AlreadyMade(Exception):
    """A retried create met its own earlier attempt's object."""


def _api_error(status: int, reason: str | None, body: bytes, headers: Any) -> ApiException:
    error = ApiException(status=status, reason=reason)
    error.body = body.decode(errors="replace")
    error.headers = headers
    return error
