"""What hook made of each PluginConfig, where `kubectl get -o yaml` and GitOps tools show
it: the `Accepted` condition on its status (Kubernetes' style, as Gateway API's
Accepted). False with reason `UnknownPlugin` when it names a plugin hook does not have
(Prow refuses such a plugins.yaml) or `Invalid` for another fault, the message naming
the field; True again once it is fixed. The Warning Event hook posts as well is kept
(`kubectl describe`, alerting on Events)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bowsprit.clients.cluster import ApiError, Cluster
from bowsprit.hook.caches import UnknownPlugins
from bowsprit.lib.clock import rfc3339, utc_now

logger = logging.getLogger("bowsprit.hook")

CONDITION = "Accepted"


def accepted(error: Exception | None) -> tuple[str, str, str]:
    """The condition's status, reason and message for a PluginConfig hook took (no error)
    or refused."""
    if error is None:
        return "True", "Accepted", "hook runs the plugins this PluginConfig names"
    reason = "UnknownPlugin" if isinstance(error, UnknownPlugins) else "Invalid"
    return "False", reason, f"hook ignores this PluginConfig: {error}"


def conditions_to_write(
    item: dict[str, Any], error: Exception | None, now: datetime
) -> list[dict[str, Any]] | None:
    """The PluginConfig's conditions with `Accepted` brought up to date, or None when its
    status already says so (every write is a watch event for each hook: an unchanged
    verdict writes nothing, so hook's own write does not come back as a new one). Other
    conditions are kept; the transition time moves only when the status does."""
    status, reason, message = accepted(error)
    wanted: dict[str, Any] = {"type": CONDITION, "status": status, "reason": reason}
    wanted["message"] = message
    generation = (item.get("metadata") or {}).get("generation")
    if generation is not None:
        wanted["observedGeneration"] = generation
    previous: list[dict[str, Any]] = (item.get("status") or {}).get("conditions") or []
    old = next((c for c in previous if c.get("type") == CONDITION), None)
    if old is not None and all(old.get(key) == value for key, value in wanted.items()):
        return None
    same = old is not None and old.get("status") == status and old.get("lastTransitionTime")
    since = old["lastTransitionTime"] if same and old else rfc3339(now)
    others = [c for c in previous if c.get("type") != CONDITION]
    return [*others, {**wanted, "lastTransitionTime": since}]


class AcceptedStatus:
    """Writes the `Accepted` condition as hook's PluginConfig store takes or refuses each
    version (called from the informer's thread: blocking calls are fine there)."""

    def __init__(self, cluster: Cluster, clock: Callable[[], datetime] = utc_now) -> None:
        self.cluster = cluster
        self.clock = clock

    def took(self, item: dict[str, Any]) -> None:
        self._write(item, None)

    def refused(self, item: dict[str, Any], error: Exception) -> None:
        self._write(item, error)

    def _write(self, item: dict[str, Any], error: Exception | None) -> None:
        metadata = item.get("metadata") or {}
        conditions = conditions_to_write(item, error, self.clock())
        if conditions is None or not metadata.get("name"):
            return
        try:
            # Only onto the version judged: a newer one is judged on its own watch event.
            self.cluster.patch_custom_status(
                str(metadata.get("namespace", "")),
                "pluginconfigs",
                str(metadata["name"]),
                {"conditions": conditions},
                resource_version=metadata.get("resourceVersion"),
            )
        except ApiError as failure:
            if failure.status in (404, 409):  # deleted or changed since: nothing to say
                return
            logger.warning(
                "could not write the Accepted condition of PluginConfig %s: %s",
                metadata.get("name"),
                failure.reason,
            )
        except Exception:  # noqa: BLE001 - the informer's thread must go on; the next
            # change or re-list of the object writes it again
            logger.warning(
                "could not write the Accepted condition of PluginConfig %s",
                metadata.get("name"),
                exc_info=True,
            )
