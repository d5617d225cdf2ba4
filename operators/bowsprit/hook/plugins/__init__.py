"""Hook's plugins: each a module that describes itself (name, help, handlers per event
type). They are listed here explicitly, never registered as a side effect of an import."""

from __future__ import annotations

from bowsprit.hook.plugins import (
    dco,
    hold,
    label,
    needs_rebase,
    require_matching_label,
    trigger,
    wip,
)
from bowsprit.hook.plugins.base import Plugin

PLUGINS: dict[str, Plugin] = {plugin.name: plugin for plugin in (trigger.PLUGIN,)}
PLUGINS.update(
    (plugin.name, plugin)
    for plugin in (
        hold.PLUGIN,
        wip.PLUGIN,
        dco.PLUGIN,
        needs_rebase.PLUGIN,
        label.PLUGIN,
        require_matching_label.PLUGIN,
    )
)
