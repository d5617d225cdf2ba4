"""What every plugin shares: Prow's reply formats (pkg/plugins/respond_test.go), command
matching, the bot's one comment per purpose, and each plugin's /plugin-help entry."""

from __future__ import annotations

import pytest

from bowsprit.clients.github import GitHubClient
from bowsprit.hook.effects import PruneComments, UpsertComment
from bowsprit.hook.plugins import PLUGINS
from bowsprit.hook.plugins.respond import (
    command,
    format_response_raw,
    format_simple_response,
    without_html_comments,
)
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.plugin_harness import (
    BOT,
    FULL,
    ORG,
    apply,
    client,
    comments,
    deleted,
    edits,
    fake,
    github,
)

__all__ = ["client", "fake", "github"]  # fixtures


def test_format_response_raw() -> None:
    """Prow's TestFormatResponseRaw and TestFormatICResponse."""
    out = format_response_raw(
        "Looks neat.\r\nI like it.\r\n", "happygoodsite.com", "ca", "you are a nice person."
    )
    assert out.startswith("@ca: you are a nice person.")
    assert ">I like it.\r\n" in out
    assert "In response to [this](happygoodsite.com):" in out


def test_format_simple_response() -> None:
    assert format_simple_response("PR needs rebase.").startswith(
        "PR needs rebase.\n\n<details>\n\n"
    )


@pytest.mark.parametrize(
    ("body", "matched"),
    [
        ("/hold", True),
        ("/HOLD", True),
        ("please\n/hold it\nthanks", True),
        ("text /hold", False),
        (" /hold", False),
        ("/holdings", False),
        ("/hold\u00a0please", False),  # Go's \s is ASCII: a no-break space is no space
        ("/hold\tplease", True),
    ],
)
def test_commands_are_line_anchored_and_case_insensitive(body: str, matched: bool) -> None:
    assert bool(command("hold").search(body)) is matched


def test_html_comments_hide_commands() -> None:
    assert without_html_comments("<!--\n/kind bug\n-->\n/area x") == "\n/area x"


async def test_upsert_edits_the_one_bot_comment(github: FakeGitHub, client: GitHubClient) -> None:
    github.add_repo(ORG, "repo")
    github.add_pull(FULL, 1, "author", "b" * 40)
    github.add_comment(FULL, 1, "someone", "MARK from a human")
    await apply(client, [UpsertComment(ORG, "repo", 1, BOT, "MARK", "MARK one")])
    await apply(client, [UpsertComment(ORG, "repo", 1, BOT, "MARK", "MARK two")])
    await apply(client, [UpsertComment(ORG, "repo", 1, BOT, "MARK", "MARK two")])  # unchanged
    assert comments(github) == ["MARK one"]
    assert edits(github) == ["MARK two"]
    bodies = [c.body for c in github.repos[FULL].pulls[1].comments]
    assert bodies == ["MARK from a human", "MARK two"]


async def test_upsert_removes_duplicates_and_prune_spares_humans(
    github: FakeGitHub, client: GitHubClient
) -> None:
    github.add_repo(ORG, "repo")
    github.add_pull(FULL, 1, "author", "b" * 40)
    github.add_comment(FULL, 1, BOT, "MARK a")
    github.add_comment(FULL, 1, BOT, "MARK b")
    github.add_comment(FULL, 1, "someone", "MARK c")
    await apply(client, [UpsertComment(ORG, "repo", 1, BOT, "MARK", "MARK new")])
    assert [c.body for c in github.repos[FULL].pulls[1].comments] == ["MARK new", "MARK c"]
    await apply(client, [PruneComments(ORG, "repo", 1, BOT, "MARK")])
    assert [c.body for c in github.repos[FULL].pulls[1].comments] == ["MARK c"]
    assert len(deleted(github)) == 2


NAMES = ["hold", "wip", "dco", "needs-rebase", "label", "require-matching-label"]


@pytest.mark.parametrize("name", NAMES)
def test_plugin_help(name: str) -> None:
    """Each plugin is known by its Prow name and describes itself for /plugin-help."""
    found = PLUGINS[name].help_json()
    assert found["Description"]
    assert found["Events"]
    for each in found["Commands"]:
        assert each["Usage"] and each["Examples"] and each["WhoCanUse"]


def test_plugin_help_commands() -> None:
    usages = {name: [c["Usage"] for c in PLUGINS[name].help_json()["Commands"]] for name in NAMES}
    assert usages == {
        "hold": ["/[remove-][un]hold [cancel]"],
        "wip": [],
        "dco": ["/check-dco"],
        "needs-rebase": [],
        "label": ["/[remove-](area|committee|kind|language|priority|sig|triage|wg|label) <target>"],
        "require-matching-label": ["/check-required-labels"],
    }


@pytest.mark.parametrize(
    ("title", "wip"), [("\u00e9WIP x", True), ("WIP\u00e9 x", True), ("WIPe x", False)]
)
def test_wip_title_uses_gos_ascii_classes(title: str, wip: bool) -> None:
    """Go's \\W is ASCII: an accented letter is not a word character to Prow."""
    from bowsprit.hook.plugins.wip import needs_label

    assert needs_label(title, draft=False) is wip
