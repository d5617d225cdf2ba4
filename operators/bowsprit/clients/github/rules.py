"""The transport's pure rules (unit-tested): rate-limit waits, backoff, pagination links,
error messages."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

# GitHub's advice when a secondary rate limit names no Retry-After.
SECONDARY_LIMIT_WAIT = 60.0


def rate_limit_wait(
    status: int, headers: Mapping[str, str], message: str, now: float
) -> float | None:
    """Seconds GitHub asks to wait before retrying, or None when the response is not a
    rate limit (then a 403/429 is a plain refusal)."""
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after")
    if retry_after is not None and retry_after.strip().isdigit():
        return float(retry_after)
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return max(int(reset) - now, 0.0) + 1.0
    if status == 429 or "secondary rate limit" in message.lower():
        return SECONDARY_LIMIT_WAIT
    return None


def backoff(attempt: int, base: float, cap: float, fraction: float) -> float:
    """Exponential backoff with jitter: between half and all of base*2^attempt (capped),
    so clients that failed together do not retry together."""
    step: float = min(cap, base * 2.0**attempt)
    return step / 2 + step / 2 * fraction


def next_link(link_header: str) -> str | None:
    """The rel="next" URL of a Link header, as GitHub paginates."""
    for part in link_header.split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", ""):
            return url.strip().removeprefix("<").removesuffix(">")
    return None


def error_message(response: httpx.Response) -> str:
    """GitHub's `message` of an error answer (the start of the body when not JSON)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message", ""))
    return ""
