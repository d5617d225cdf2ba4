"""Posting to Slack through an incoming webhook, whose URL is a secret read from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp


class SlackError(Exception):
    """A post Slack refused or that did not arrive; `retryable` says whether to try again."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def read_webhook_url(path: Path) -> str:
    try:
        url = path.read_text().strip()
    except OSError as error:
        raise SlackError(f"cannot read the Slack webhook URL at {path}: {error}", False) from error
    if not url.startswith(("https://", "http://")):
        raise SlackError(f"{path} does not hold a webhook URL", False)
    return url


class SlackWebhook:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def post(self, text: str, channel: str | None) -> None:
        """Slack answers 200 "ok"; 429 and 5xx are worth retrying, other refusals are not
        (a revoked webhook or a bad channel stays bad)."""
        body: dict[str, Any] = {"text": text}
        if channel:
            body["channel"] = channel  # honoured by legacy webhooks, ignored by app ones
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.post(self.url, json=body) as response:
                answer = await response.text()
                if response.status == 200:
                    return
                retryable = response.status == 429 or response.status >= 500
                raise SlackError(f"Slack answered {response.status}: {answer[:200]}", retryable)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SlackError(f"posting to Slack failed: {error!r}", True) from error

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
