"""Trust answers (org membership, repository collaborators) remembered for a while.

Every trusted `pull_request` webhook asks GitHub whether its author is an org member (and
maybe a collaborator) before trigger runs anything: one of the two GitHub requests of a
webhook, answered the same way for the same people all day. Only "yes" is remembered, for
`ttl` seconds: a "no" is asked again each time, so someone just invited is trusted at once
(the `/ok-to-test` loop depends on it), while someone removed stays trusted at most `ttl`
seconds, or not at all when GitHub tells hook (`member`, `membership`, `organization` and
`team` webhooks clear the cache). Everything else goes straight to the wrapped client.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from bowsprit.hook.plugins.base import GitHub

TTL_SECONDS = 300.0
MAX_ENTRIES = 10_000
# Webhooks that may change who is a member or a collaborator.
MEMBERSHIP_EVENTS = frozenset({"member", "membership", "organization", "team"})


class TrustCache:
    def __init__(
        self,
        inner: GitHub,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.inner = inner
        self.ttl = ttl
        self.clock = clock
        self.max_entries = max_entries
        self._trusted: OrderedDict[tuple[str, ...], float] = OrderedDict()  # key -> expiry

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def forget(self) -> None:
        self._trusted.clear()

    def _known(self, key: tuple[str, ...]) -> bool:
        expiry = self._trusted.get(key)
        if expiry is None:
            return False
        if expiry <= self.clock():
            del self._trusted[key]
            return False
        return True

    def _remember(self, key: tuple[str, ...]) -> None:
        self._trusted[key] = self.clock() + self.ttl
        self._trusted.move_to_end(key)
        while len(self._trusted) > self.max_entries:
            self._trusted.popitem(last=False)

    async def is_member(self, org: str, user: str) -> bool:
        key = ("member", org.lower(), user.lower())
        if self._known(key):
            return True
        answer = await self.inner.is_member(org, user)
        if answer:
            self._remember(key)
        return answer

    async def is_collaborator(self, org: str, repo: str, user: str) -> bool:
        key = ("collaborator", org.lower(), repo.lower(), user.lower())
        if self._known(key):
            return True
        answer = await self.inner.is_collaborator(org, repo, user)
        if answer:
            self._remember(key)
        return answer
