"""CPU of the per-webhook steps the fourth hook pass changed, old way against new, in one
process (best of several repeats, so far steadier on a loaded machine than hook.py's
CPU per webhook, which moves with the load both ways). Asserts nothing.

    python hack/bench/hook_steps.py
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing  # noqa: F401 - hook has it (the kubernetes client), records ask it
import timeit
from collections.abc import Callable
from typing import Any

import aiohttp
import httpx
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bowsprit.clients.github.endpoint import Answer, ReadResponse
from bowsprit.hook import events, quickparse
from bowsprit.hook.server import HANDLE_SECONDS, _counted, parse_json
from bowsprit.testing.fakegithub import webhook_samples


def best(step: Callable[[], Any], number: int = 2000) -> float:
    """Microseconds per call, the best of 7 repeats."""
    step()
    return min(timeit.repeat(step, number=number, repeat=7)) / number * 1e6


def body() -> bytes:
    """hook.py's webhook: the octokit `pull_request opened` sample, ~25 kB."""
    sample = next(s for s in webhook_samples() if s.event == "pull_request" and "opened" in s.name)
    payload = json.loads(sample.body)
    payload["repository"].update(name="rocket", full_name="acme/rocket")
    return json.dumps(payload).encode()


def main() -> None:
    webhook = body()
    rows: list[tuple[str, float, float]] = []

    def full() -> Any:
        payload = parse_json(webhook)
        return events.repo_of(payload), events.parse("pull_request", "g", payload)

    rows.append(
        (
            "webhook read (orjson + events.parse | quickparse)",
            best(full),
            best(lambda: quickparse.pull_request("g", webhook)),
        )
    )

    raw = [
        (b"Content-Type", b"application/json; charset=utf-8"),
        (b"ETag", b'W/"abc"'),
        (b"X-RateLimit-Remaining", b"4999"),
        (b"X-RateLimit-Reset", b"2000000000"),
        (b"Content-Length", b"0"),
    ]
    view = CIMultiDictProxy(CIMultiDict((n.decode(), v.decode()) for n, v in raw))

    def old_answer() -> Any:
        kept = [(n, v) for n, v in raw if n.decode("latin-1").lower() != "content-length"]
        response = ReadResponse(304, kept, b"")
        return response.headers.get("x-ratelimit-remaining"), response.headers.get(
            "x-ratelimit-reset"
        )

    def new_answer() -> Any:
        answer = Answer.of(304, view, list(raw), b"", None)
        return answer.headers.get("x-ratelimit-remaining"), answer.headers.get("x-ratelimit-reset")

    rows.append(("GitHub 304 answer (httpx response | lazy)", best(old_answer), best(new_answer)))

    rows.append(
        (
            "metric child (labels() | remembered)",
            best(lambda: HANDLE_SECONDS.labels("trigger", "pull_request"), 20000),
            best(lambda: _counted(HANDLE_SECONDS, "trigger", "pull_request"), 20000),
        )
    )

    async def plugin() -> None:
        return None

    async def gathered() -> None:
        await asyncio.gather(plugin())

    async def awaited() -> None:
        await plugin()

    loop = asyncio.new_event_loop()
    rows.append(
        (
            "one plugin (gather | await)",
            best(lambda: loop.run_until_complete(gathered()), 5000),
            best(lambda: loop.run_until_complete(awaited()), 5000),
        )
    )
    loop.close()

    async def jars() -> tuple[float, float]:
        url = URL("https://127.0.0.1:6443/apis/x")
        real, dummy = aiohttp.CookieJar(), aiohttp.DummyCookieJar()
        return (
            best(lambda: real.filter_cookies(url), 20000),
            best(lambda: dummy.filter_cookies(url), 20000),
        )

    rows.append(("cookie jar per request (CookieJar | Dummy)", *asyncio.run(jars())))

    logger = logging.getLogger("bench")

    def record() -> logging.LogRecord:
        return logger.makeRecord("bench", logging.INFO, __file__, 1, "created %s", ("x",), None)

    before = best(record, 20000)
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    rows.append(("log record (every field | no thread/process)", before, best(record, 20000)))

    print(f"{'step':52s} {'before':>9s} {'after':>9s}")
    for name, old, new in rows:
        print(f"{name:52s} {old:7.2f} µs {new:7.2f} µs")
    print(
        f"{'sum':52s} {sum(r[1] for r in rows):7.2f} µs {sum(r[2] for r in rows):7.2f} µs "
        f"(httpx {httpx.__version__}, aiohttp {aiohttp.__version__})"
    )


if __name__ == "__main__":
    main()
