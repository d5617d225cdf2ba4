"""Periodic re-checks by plugins that need them (needs-rebase): every `period` seconds,
each plugin with an on_resync handler looks at each org or org/repo it is enabled for."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.hook.apply import Applier
from bowsprit.hook.external import built_in
from bowsprit.hook.plugins.base import Context, Plugin

logger = logging.getLogger("bowsprit.hook")


def targets(configs: list[PluginConfigSpec], plugin: str) -> list[tuple[str, PluginConfigSpec]]:
    """Each org or org/repo a plugin is on, once, with the config that names it."""
    seen: dict[str, PluginConfigSpec] = {}
    for spec in configs:
        external = [each.name for each in spec.external_plugins or [] if built_in(each)]
        if plugin in (spec.plugins or []) or plugin in external:
            for target in spec.repos:
                seen.setdefault(target, spec)
    return sorted(seen.items(), key=lambda pair: pair[0])


async def resync_once(
    plugins: dict[str, Plugin],
    configs: list[PluginConfigSpec],
    context: Callable[[PluginConfigSpec], Context],
    applier: Applier,
) -> None:
    for plugin in plugins.values():
        if plugin.on_resync is None:
            continue
        for target, spec in targets(configs, plugin.name):
            try:
                effects = await plugin.on_resync(context(spec), target)
                await applier.apply(effects)
            except Exception:  # noqa: BLE001 - one target's failure never stops the others
                logger.exception("plugin %s: re-check of %s failed", plugin.name, target)


async def resync_forever(period: float, once: Callable[[], Awaitable[None]]) -> None:
    while True:
        await asyncio.sleep(period)
        await once()
