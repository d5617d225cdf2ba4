"""The `Accepted` condition hook keeps on each PluginConfig: what it says for a taken, an
unknown-plugin and an invalid PluginConfig, when it moves, and that the store tells."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bowsprit.hook.caches import Caches
from bowsprit.hook.configstatus import conditions_to_write

NOW = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
EARLIER = "2026-12-01T00:00:00Z"
OTHER = {"type": "Ready", "status": "True", "lastTransitionTime": EARLIER}


def plugin_config(
    plugins: list[str], conditions: list[dict[str, Any]] | None = None, generation: int = 2
) -> dict[str, Any]:
    return {
        "kind": "PluginConfig",
        "metadata": {"name": "typo", "namespace": "ci", "generation": generation},
        "spec": {"repos": ["acme"], "plugins": plugins},
        "status": {"conditions": conditions} if conditions is not None else {},
    }


def refusal(item: dict[str, Any]) -> Exception | None:
    """What hook's store makes of the item: None when it takes it, else the error."""
    caches = Caches(known_plugins={"trigger", "hold"})
    found: list[Exception] = []
    caches.plugin_configs.on_refused = lambda _, error: found.append(error)
    caches.plugin_configs.upsert(item)
    return found[0] if found else None


def accepted(conditions: list[dict[str, Any]] | None) -> dict[str, Any]:
    (found,) = [c for c in conditions or [] if c["type"] == "Accepted"]
    return found


def test_an_unknown_plugin_makes_accepted_false_naming_the_field_and_the_plugin() -> None:
    item = plugin_config(["trigger", "tirgger", "hold"])
    written = conditions_to_write(item, refusal(item), NOW)
    condition = accepted(written)
    assert (condition["status"], condition["reason"]) == ("False", "UnknownPlugin")
    assert "spec.plugins[1]: unknown plugin 'tirgger'" in condition["message"]
    assert "known: hold, trigger" in condition["message"]
    assert condition["observedGeneration"] == 2
    assert condition["lastTransitionTime"] == "2026-12-05T20:00:00Z"


def test_another_fault_is_invalid() -> None:
    item = plugin_config(["trigger"])
    item["spec"]["repos"] = []
    item["spec"]["lgtm"] = {"review_acts_as_lgtm": "sometimes"}
    condition = accepted(conditions_to_write(item, refusal(item), NOW))
    assert (condition["status"], condition["reason"]) == ("False", "Invalid")
    assert "lgtm" in condition["message"]


def test_fixed_it_is_accepted_again_and_other_conditions_stay() -> None:
    wrong = accepted(
        conditions_to_write(plugin_config(["tirgger"]), refusal(plugin_config(["tirgger"])), NOW)
    )
    item = plugin_config(["trigger"], [OTHER, wrong], generation=3)
    assert refusal(item) is None
    written = conditions_to_write(item, None, NOW)
    assert written is not None and written[0] == OTHER
    condition = accepted(written)
    assert (condition["status"], condition["reason"], condition["observedGeneration"]) == (
        "True",
        "Accepted",
        3,
    )


@pytest.mark.parametrize(
    ("plugins", "status", "reason", "write", "since"),
    [
        # The same verdict on the same generation: nothing to write (hook's own write
        # comes back as a watch event; it must not write again).
        (["trigger"], "True", "Accepted", False, EARLIER),
        # Another unknown plugin: still False, a new message; the transition time stays.
        (["tirgger"], "False", "UnknownPlugin", True, EARLIER),
        # The status flips: the transition time moves.
        (["tirgger"], "True", "Accepted", True, "2026-12-05T20:00:00Z"),
    ],
    ids=["unchanged", "new-message", "flipped"],
)
def test_when_the_condition_is_written(
    plugins: list[str], status: str, reason: str, write: bool, since: str
) -> None:
    item = plugin_config(plugins)
    current = accepted(conditions_to_write(item, refusal(item), NOW))
    old = {**current, "status": status, "reason": reason, "lastTransitionTime": EARLIER}
    if write and status == "False":
        old["message"] = "hook ignores this PluginConfig: spec.plugins[0]: unknown plugin 'x'"
    item["status"] = {"conditions": [old]}
    written = conditions_to_write(item, refusal(item), NOW)
    assert (written is not None) is write
    if written is not None:
        assert accepted(written)["lastTransitionTime"] == since


def test_the_store_tells_of_each_version_it_takes() -> None:
    caches = Caches(known_plugins={"trigger"})
    taken: list[str] = []
    caches.plugin_configs.on_accepted = lambda item: taken.append(item["metadata"]["name"])
    caches.plugin_configs.on_refused = lambda item, _: taken.append("refused")
    caches.plugin_configs.replace([plugin_config(["trigger"]), plugin_config(["tirgger"])])
    assert taken == ["typo", "refused"]
