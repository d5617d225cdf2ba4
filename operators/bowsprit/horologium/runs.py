"""horologium's watch of the Periodics' runs (a clients.informer thread) instead of kopf's
per-object handlers: horologium keeps nothing of a run, it only needs to hear that one
finished, and kopf's worker and memories per ProwJob cost tens of MB at 10,000 of them.

Only ProwJobs with the Periodic label are listed and watched (a server-side selector).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bowsprit.horologium.build import PERIODIC_LABEL, PERIODIC_NAMESPACE_LABEL
from bowsprit.lib.labels import identifying

Wake = Callable[[str, str], None]
"""Called on the event loop to evaluate one Periodic (namespace, name) again."""


def periodics_of(
    labels: Mapping[str, str], known: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The known Periodics a run's labels name: its Periodic's name (shortened as label
    values are) and namespace."""
    wanted = labels.get(PERIODIC_LABEL)
    namespace = labels.get(PERIODIC_NAMESPACE_LABEL)
    return [(ns, name) for ns, name in known if identifying(name) == wanted and ns == namespace]


def finished(item: dict[str, Any]) -> bool:
    return bool((item.get("status") or {}).get("completionTime"))


class RunStore:
    """A run finishing may let the next one start (interval, minimum_interval, retry): the
    event wakes its Periodic. `known` is read on the event loop only."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        known: Callable[[], Iterable[tuple[str, str]]],
        wake: Wake,
    ) -> None:
        self.loop, self.known, self.wake = loop, known, wake

    def replace(self, items: Iterable[dict[str, Any]]) -> None:
        """A (re-)list: runs may have finished while no watch ran, so every known Periodic
        is looked at again once (at start-up none is known yet: each is evaluated when
        its own event comes)."""
        for _ in items:  # read every page; nothing is kept
            pass
        self.loop.call_soon_threadsafe(self._wake_all)

    def upsert(self, item: dict[str, Any]) -> None:
        if finished(item):
            labels = dict((item.get("metadata") or {}).get("labels") or {})
            self.loop.call_soon_threadsafe(self._wake_run, labels)

    def delete(self, item: dict[str, Any]) -> None:
        self.upsert(item)  # as kopf's handler did: a finished run deleted is one finished

    def _wake_all(self) -> None:
        for namespace, name in list(self.known()):
            self.wake(namespace, name)

    def _wake_run(self, labels: dict[str, str]) -> None:
        for namespace, name in periodics_of(labels, list(self.known())):
            self.wake(namespace, name)
