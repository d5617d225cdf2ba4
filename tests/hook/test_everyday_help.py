"""The everyday plugins in /plugin-help: known by Prow's names, each with its commands and
examples, and every example one the plugin itself acts on."""

from __future__ import annotations

import pytest

from bowsprit.hook.plugins import PLUGINS

COMMANDS = {
    "size": [],
    "assign": [
        "/[un]assign [[@]<username>...|[@]<orgname/teamname>...]",
        "/[un]cc [[@]<username>...|[@]<orgname/teamname>...]",
    ],
    "blunderbuss": ["/auto-cc"],
    "lifecycle": ["/close [not-planned]", "/reopen", "/[remove-]lifecycle <frozen|stale|rotten>"],
    "help": ["/[remove-](help|good-first-issue)"],
    "welcome": [],
    "retitle": ["/retitle <title>"],
    "milestone": ["/milestone <version> or /milestone clear"],
    "mergecommitblocker": [],
    "branchcleaner": [],
    "release-note": ["/release-note-none", "/release-note-edit"],
    "skip": ["/skip"],
    "cat": ["/meow(vie) [CATegory]"],
    "dog": ["/(woof|bark|this-is-{fine|not-fine|unbearable})"],
    "goose": ["/honk"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_plugin_help(name: str) -> None:
    found = PLUGINS[name].help_json()
    assert found["Description"] and found["Events"]
    assert [c["Usage"] for c in found["Commands"]] == COMMANDS[name]
    for each in found["Commands"]:
        assert each["Examples"] and each["WhoCanUse"]


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("assign", "ASSIGN_RE|CC_RE"),
        ("lifecycle", "LIFECYCLE_RE|CLOSE_RE|CLOSE_NOT_PLANNED_RE|REOPEN_RE"),
        ("help", "HELP_RE|HELP_REMOVE_RE|GFI_RE|GFI_REMOVE_RE"),
        ("retitle", "RETITLE_RE"),
        ("milestone", "MILESTONE_RE"),
        ("blunderbuss", "AUTO_CC_RE"),
    ],
)
def test_examples_are_commands_the_plugin_reads(name: str, pattern: str) -> None:
    import importlib

    module = importlib.import_module(f"bowsprit.hook.plugins.{name}")
    regexes = [getattr(module, attribute) for attribute in pattern.split("|")]
    for command in PLUGINS[name].help_json()["Commands"]:
        for example in command["Examples"]:
            if example == "/assign @kubernetes/sig-foo-bar":
                # Prow's help shows it, but Prow's /assign regex takes no `/`: kept as Prow.
                assert not any(regex.search(example) for regex in regexes)
                continue
            assert any(regex.search(example) for regex in regexes), example
