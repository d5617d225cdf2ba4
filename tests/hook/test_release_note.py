# ruff: noqa: E501 - the tables keep Prow's strings whole
"""The release-note plugin, with Prow's TestReleaseNotePR table
(pkg/plugins/releasenote/releasenote_test.go, cherry-picks and their parents included)
and its comment rules, against the HTTP fake GitHub."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from bowsprit.api.pluginconfig import ReleaseNoteSettings
from bowsprit.clients.github import GitHubClient
from bowsprit.hook.plugins import release_note
from bowsprit.hook.plugins.release_note import ACTION_REQUIRED, NEEDED, NONE, NOTE
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.everyday_harness import comment, pr_event, pull, scene
from tests.hook.plugin_harness import (
    FULL,
    ORG,
    added,
    apply,
    client,
    comments,
    context,
    deleted,
    fake,
    github,
    removed,
)

__all__ = ["client", "fake", "github"]  # fixtures
LGTM = "lgtm"


@dataclass(frozen=True)
class Case:
    name: str
    labels: list[str]
    body: str = ""
    comments: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    merged: bool = False
    branch: str = "master"
    parents: dict[int, str] = field(default_factory=dict)


DEPRECATED = "kind/deprecation"
CASES = [
    Case("LGTM with release-note", [LGTM, NOTE], "```release-note\n note note note.\n```"),
    Case(
        "LGTM with release-note, arbitrary comment",
        [LGTM, NOTE],
        "```release-note\n note note note.\n```",
        ["Release notes are great fun."],
    ),
    Case("LGTM with release-note-none", [LGTM, NONE], "```release-note\nnone\n```"),
    Case(
        "LGTM with release-note-none, /release-note-none comment, empty block",
        [LGTM, NONE],
        "```release-note\n```",
        ["/release-note-none "],
    ),
    Case(
        "LGTM with release-note-action-required",
        [LGTM, ACTION_REQUIRED],
        "```release-note\n Action required.\n```",
    ),
    Case(
        "LGTM with release-note-action-required, /release-note-none comment",
        [LGTM, ACTION_REQUIRED],
        "```release-note\n Action required.\n```",
        ["Release notes are great fun.", "Especially \n/release-note-none"],
    ),
    Case("LGTM with do-not-merge/release-note-label-needed", [LGTM, NEEDED]),
    Case(
        "LGTM with do-not-merge/release-note-label-needed, /release-note-none comment",
        [LGTM, NEEDED],
        "",
        ["Release notes are great fun.", "Especially \n/release-note-none"],
        [NONE],
        [NEEDED],
    ),
    Case("LGTM only", [LGTM], added=[NEEDED]),
    Case("No labels", [], added=[NEEDED]),
    Case("release-note", [NOTE], "```release-note normal note.```"),
    Case(
        "release-note, /release-note-none comment",
        [NOTE],
        "```release-note normal note.```",
        ["/release-note-none "],
    ),
    Case("release-note-none", [NONE], "```release-note\nnone\n```"),
    Case("release-note-action-required", [ACTION_REQUIRED], "```release-note\n action required```"),
    Case(
        "release-note and do-not-merge/release-note-label-needed with no note",
        [NOTE, NEEDED],
        removed=[NOTE],
    ),
    Case(
        "release-note and do-not-merge/release-note-label-needed with note",
        [NOTE, NEEDED],
        "```release-note note  ```",
        removed=[NEEDED],
    ),
    Case(
        "release-note-none and do-not-merge/release-note-label-needed",
        [NONE, NEEDED],
        "```release-note\nnone\n```",
        removed=[NEEDED],
    ),
    Case(
        "release-note-action-required and do-not-merge/release-note-label-needed",
        [ACTION_REQUIRED, NEEDED],
        "```release-note\nSomething something dark side. Something something ACTION REQUIRED.```",
        removed=[NEEDED],
    ),
    Case(
        "do not add needs label when parent PR has releaseNote label",
        [],
        "Cherry pick of #2 on release-1.2.",
        branch="release-1.2",
        parents={2: NOTE},
    ),
    Case(
        "do not touch LGTM on non-master when parent PR has releaseNote label, but remove releaseNoteNeeded",
        [LGTM, NEEDED],
        "Cherry pick of #2 on release-1.2.",
        removed=[NEEDED],
        branch="release-1.2",
        parents={2: NOTE},
    ),
    Case(
        "do nothing when PR has releaseNoteActionRequired, but parent PR does not have releaseNote label",
        [ACTION_REQUIRED],
        "Cherry pick of #2 on release-1.2.\n```release-note note action required note\n```",
        branch="release-1.2",
        parents={2: NONE},
    ),
    Case(
        "add releaseNoteNeeded on non-master when parent PR has releaseNoteNone label",
        [LGTM],
        "Cherry pick of #2 on release-1.2.",
        added=[NEEDED],
        branch="release-1.2",
        parents={2: NONE},
    ),
    Case(
        "add releaseNoteNeeded on non-master when 1 of 2 parent PRs has releaseNoteNone",
        [LGTM],
        "Other text.\nCherry pick of #2 on release-1.2.\nCherry pick of #4 on release-1.2.\n",
        added=[NEEDED],
        branch="release-1.2",
        parents={2: NOTE, 4: NONE},
    ),
    Case(
        "remove releaseNoteNeeded on non-master when both parent PRs have a release note",
        [LGTM, NEEDED],
        "Other text.\nCherry pick of #2 on release-1.2.\nCherry pick of #4 on release-1.2.\n",
        removed=[NEEDED],
        branch="release-1.2",
        parents={2: NOTE, 4: ACTION_REQUIRED},
    ),
    Case(
        "add releaseNoteActionRequired on non-master when body contains note even though both parent PRs have a release note (non-mandatory RN)",
        [LGTM, NEEDED],
        "Other text.\nCherry pick of #2 on release-1.2.\nCherry pick of #4 on release-1.2.\n```release-note\nSome changes were made but there still is action required.\n```",
        added=[ACTION_REQUIRED],
        removed=[NEEDED],
        branch="release-1.2",
        parents={2: NOTE, 4: ACTION_REQUIRED},
    ),
    Case(
        "add releaseNoteNeeded, remove release-note on non-master when release-note block is removed and parent PR has releaseNoteNone label",
        [LGTM, NOTE],
        "Cherry pick of #2 on release-1.2.\n```release-note\n```\n/cc @cjwagner",
        added=[NEEDED],
        removed=[NOTE],
        branch="release-1.2",
        parents={2: NONE},
    ),
    Case(
        "add ReleaseNoteLabelNeeded, remove ReleaseNoteNone when kind/deprecation label is added",
        [DEPRECATED, NONE],
        "```release-note\nnone\n```",
        added=[NEEDED],
        removed=[NONE],
    ),
    Case(
        "release-note-none command cannot override deprecation label",
        [DEPRECATED],
        "",
        ["/release-note-none "],
        added=[NEEDED],
    ),
    Case("Add do-not-merge/release-note-label-needed", [], "```release-note\n```", added=[NEEDED]),
    Case(
        "Release note edited after merge, do not add do-not-merge/release-note-label-needed",
        [],
        "```release-note\n```",
        merged=True,
    ),
    Case(
        "do-not-merge/release-note-label-needed, converted from draft to ready for review",
        [NEEDED],
        "```release-note\nnone\n```",
        added=[NONE],
        removed=[NEEDED],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_release_note_pr(case: Case, github: FakeGitHub, client: GitHubClient) -> None:
    scene(github, labels=case.labels)
    for number, label in case.parents.items():
        github.add_pull(FULL, number, "someone", "c" * 40, labels=[label])
    for text in case.comments:
        github.add_comment(FULL, 1, "someone", text)
    event = pr_event("opened", pull(body=case.body, merged=case.merged, base_ref=case.branch))
    await apply(
        client, await release_note.handle_pull_request(context(client, "release-note"), event)
    )
    assert added(github) == sorted(case.added)
    assert removed(github) == sorted(case.removed)
    # Prow comments exactly when it adds the needed label: the note process (or, with
    # kind/deprecation, why), and for a cherry-pick which parents have no note.
    posted = comments(github)
    assert bool(posted) is (NEEDED in case.added)
    if NEEDED in case.added and case.parents:
        assert any(release_note.PARENT_BODY in body for body in posted)


async def test_needed_comment_links_the_configured_guide_and_goes_with_the_label(
    github: FakeGitHub, client: GitHubClient
) -> None:
    scene(github)
    ctx = context(
        client,
        "release-note",
        release_note=ReleaseNoteSettings(guidelines_url="https://example.com/rn"),
    )
    await apply(
        client, await release_note.handle_pull_request(ctx, pr_event("opened", pull(body="")))
    )
    (posted,) = comments(github)
    assert posted.startswith(
        f'Adding the "{NEEDED}" label because no release-note block was detected, please follow our [release note process](https://example.com/rn) to remove it.'
    )
    event = pr_event("edited", pull(body="```release-note\nFixed the thing.\n```"))
    await apply(client, await release_note.handle_pull_request(ctx, event))
    assert removed(github) == [NEEDED]
    assert len(deleted(github)) == 1


@pytest.mark.parametrize(
    ("body", "author", "member", "labels", "reply", "added_labels"),
    [
        ("/release-note-none", "author", False, [NEEDED], "", [NONE]),
        (
            "/release-note-none",
            "stranger",
            False,
            [NEEDED],
            "you can only set the release note label to release-note-none if you are the PR author or an org member.",
            [],
        ),
        ("/release-note-none", "member", True, [NEEDED], "", [NONE]),
        (
            "/release-note",
            "member",
            True,
            [],
            "the `/release-note` and `/release-note-action-required` commands have been deprecated.",
            [],
        ),
        (
            "/release-note-none",
            "member",
            True,
            [NEEDED, "kind/deprecation"],
            'you can not set the release note label to "release-note-none" because the PR has the label "kind/deprecation".',
            [],
        ),
    ],
)
async def test_release_note_comment(
    body: str,
    author: str,
    member: bool,
    labels: list[str],
    reply: str,
    added_labels: list[str],
    github: FakeGitHub,
    client: GitHubClient,
) -> None:
    """Prow's TestReleaseNoteComment rules."""
    scene(github, labels=labels)
    if member:
        github.add_member(ORG, author)
    await apply(
        client,
        await release_note.handle_generic_comment(
            context(client, "release-note"), comment(body, author)
        ),
    )
    assert added(github) == added_labels
    found = comments(github)
    assert found[0].startswith(f"@{author}: {reply}") if reply else found == []


async def test_release_note_edit(github: FakeGitHub, client: GitHubClient) -> None:
    """Prow's Test_editReleaseNote: an org member replaces the one block."""
    item = scene(github)
    item.body = "Fixes it.\n```release-note\nOld note\n```\nThanks"
    github.add_member(ORG, "member")
    event = comment(
        "/release-note-edit\r\n```release-note\r\nThe new release note\r\n```", "member"
    )
    await apply(
        client, await release_note.handle_generic_comment(context(client, "release-note"), event)
    )
    assert item.body == "Fixes it.\n```release-note\r\nThe new release note\r\n```\nThanks"
    stranger = replace(event, author="stranger")
    await apply(
        client, await release_note.handle_generic_comment(context(client, "release-note"), stranger)
    )
    assert comments(github)[0].startswith(
        "@stranger: You must be an org member to edit the release note."
    )


@pytest.mark.parametrize(
    "event_type", ["pull_request", "pull_request_review", "pull_request_review_comment"]
)
async def test_commands_outside_issue_comments_do_nothing(
    event_type: str, github: FakeGitHub, client: GitHubClient
) -> None:
    """Prow registers release-note as an issue comment handler: `/release-note-none` in
    a PR's description or a review is not a command (the description's release-note
    block is what counts there)."""
    scene(github, labels=[NEEDED])
    event = replace(comment("/release-note-none", "author"), event_type=event_type)
    ctx = context(client, "release-note")
    assert await release_note.handle_generic_comment(ctx, event) == []
    assert await release_note.handle_generic_comment(
        ctx, replace(event, event_type="issue_comment")
    )
