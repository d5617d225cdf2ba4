"""Hook's plugins: each a module that describes itself (name, help, handlers per event
type). They are listed here explicitly, never registered as a side effect of an import."""

from __future__ import annotations

from bowsprit.hook.plugins import approve, lgtm, owners_label, trigger, verify_owners
from bowsprit.hook.plugins.base import Plugin

PLUGINS: dict[str, Plugin] = {
    plugin.name: plugin
    for plugin in (
        trigger.PLUGIN,
        lgtm.PLUGIN,
        approve.PLUGIN,
        owners_label.PLUGIN,
        verify_owners.PLUGIN,
    )
}
