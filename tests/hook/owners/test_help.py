"""The owners plugins in /plugin-help, with Prow's usages, examples and who can use them
(Prow's TestHelpProvider checks that help is given; these check what it says)."""

from __future__ import annotations

import pytest

from bowsprit.hook.plugins import PLUGINS


@pytest.mark.parametrize(
    ("name", "usage", "examples", "events"),
    [
        (
            "lgtm",
            "/[remove-]lgtm [cancel] or GitHub Review action",
            ["/lgtm", "/lgtm cancel", "/remove-lgtm"],
            {"issue_comment", "pull_request_review", "pull_request"},
        ),
        (
            "approve",
            "/[remove-]approve [no-issue|cancel]",
            ["/approve", "/approve no-issue", "/remove-approve"],
            {"issue_comment", "pull_request_review", "pull_request"},
        ),
        ("verify-owners", "/verify-owners", ["/verify-owners"], {"pull_request", "issue_comment"}),
    ],
)
def test_commands(name: str, usage: str, examples: list[str], events: set[str]) -> None:
    page = PLUGINS[name].help_json()
    (command,) = page["Commands"]
    assert command["Usage"] == usage
    assert command["Examples"][: len(examples)] == examples
    assert events <= set(page["Events"])
    assert page["Description"] and page["Config"]


def test_owners_label_has_no_commands() -> None:
    page = PLUGINS["owners-label"].help_json()
    assert page["Commands"] == [] and "OWNERS" in page["Description"]
    assert page["Events"] == ["pull_request"]
