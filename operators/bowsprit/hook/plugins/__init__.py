"""Hook's plugins: each a module that describes itself (name, help, handlers per event
type). They are listed here explicitly, never registered as a side effect of an import."""

from __future__ import annotations

from bowsprit.hook.plugins import (
    approve,
    assign,
    blunderbuss,
    branchcleaner,
    dco,
    help,
    hold,
    images,
    label,
    lgtm,
    lifecycle,
    mergecommitblocker,
    milestone,
    needs_rebase,
    owners_label,
    release_note,
    require_matching_label,
    retitle,
    size,
    skip,
    trigger,
    verify_owners,
    welcome,
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
PLUGINS.update(
    (plugin.name, plugin)
    for plugin in (
        lgtm.PLUGIN,
        approve.PLUGIN,
        verify_owners.PLUGIN,
        owners_label.PLUGIN,
        size.PLUGIN,
        assign.PLUGIN,
        lifecycle.PLUGIN,
        help.PLUGIN,
        welcome.PLUGIN,
        retitle.PLUGIN,
        milestone.PLUGIN,
        mergecommitblocker.PLUGIN,
        branchcleaner.PLUGIN,
        blunderbuss.PLUGIN,
        release_note.PLUGIN,
        skip.PLUGIN,
        images.CAT,
        images.DOG,
        images.GOOSE,
    )
)
