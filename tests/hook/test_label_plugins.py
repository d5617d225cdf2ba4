"""hold, wip, require-matching-label and needs-rebase, with Prow's tables:
pkg/plugins/hold/hold_test.go, pkg/plugins/wip/wip-label_test.go,
pkg/plugins/require-matching-label/require-matching-label_test.go and
cmd/external-plugins/needs-rebase/plugin/plugin_test.go."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import pytest

from bowsprit.api.pluginconfig import RequireMatchingLabelSettings
from bowsprit.clients.github import GitHubClient
from bowsprit.hook.effects import AddLabel, Comment, PruneComments, RemoveLabel
from bowsprit.hook.events import PushEvent
from bowsprit.hook.plugins import hold, needs_rebase, require_matching_label, wip
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import Label
from tests.hook.plugin_harness import (
    BOT,
    FULL,
    ORG,
    REPO,
    added,
    apply,
    client,
    comment_event,
    comments,
    context,
    deleted,
    fake,
    github,
    removed,
)
from tests.hook.test_trigger import pr_event, pull

__all__ = ["client", "fake", "github"]  # fixtures

# hold ---------------------------------------------------------------------------------

HOLD_CASES = [
    # name, body, has label, should label, should unlabel, is PR
    ("nothing to do", "noise", False, False, False, True),
    ("quoted hold in a reply", "> /hold", False, False, False, True),
    ("requested hold", "/hold", False, True, False, True),
    ("requested hold with reason", "/hold for further review", False, True, False, True),
    ("requested hold, Label already exists", "/hold", True, False, False, True),
    (
        "requested hold with reason, Label already exists",
        "/hold for further review",
        True,
        False,
        False,
        True,
    ),
    ("requested hold cancel", "/hold cancel", True, False, True, True),
    (
        "requested hold cancel with a reason",
        "/hold   cancel  further review has happened and I have whitespace",
        True,
        False,
        True,
        True,
    ),
    ("requested hold cancel, Label already gone", "/hold cancel", False, False, False, True),
    ("requested unhold", "/unhold", True, False, True, True),
    (
        "requested unhold with a reason",
        "/unhold   further review has happened and I have whitespace",
        True,
        False,
        True,
        True,
    ),
    ("requested unhold, Label already gone", "/unhold", False, False, False, True),
    ("requested hold for issues", "/hold", False, False, False, False),
    ("requested unhold for issues", "/unhold", True, False, False, False),
    ("requested remove hold label", "/remove-hold", True, False, True, True),
    (
        "requested remove hold label with whitespaces in between",
        "/remove -    hold",
        False,
        False,
        False,
        True,
    ),
    (
        "requested remove hold label with no separating hyphen",
        "/removehold",
        False,
        False,
        False,
        True,
    ),
]


@pytest.mark.parametrize(
    ("body", "has_label", "should_label", "should_unlabel", "is_pr"),
    [case[1:] for case in HOLD_CASES],
    ids=[case[0] for case in HOLD_CASES],
)
async def test_hold(
    github: FakeGitHub,
    client: GitHubClient,
    body: str,
    has_label: bool,
    should_label: bool,
    should_unlabel: bool,
    is_pr: bool,
) -> None:
    github.add_repo(ORG, "repo")
    github.add_pull(FULL, 1, "author", "b" * 40, labels=[hold.HOLD] if has_label else [])
    event = comment_event(body, is_pr=is_pr)
    await apply(client, await hold.handle_generic_comment(context(client, "hold"), event))
    assert added(github) == ([hold.HOLD] if should_label else [])
    assert removed(github) == ([hold.HOLD] if should_unlabel else [])


# wip ----------------------------------------------------------------------------------

REGULAR, WIP = "Fix the thing", "WIP Fix the thing"


@pytest.mark.parametrize(
    ("title", "draft", "has_label", "should_label", "should_unlabel"),
    [
        (REGULAR, False, False, False, False),
        (WIP, False, False, True, False),
        (REGULAR, True, False, True, False),
        (REGULAR, False, True, False, True),
        (WIP, False, True, False, False),
        (REGULAR, True, True, False, False),
    ],
    ids=[
        "regular PR, need nothing",
        "wip title PR, needs label",
        "draft PR, needs label",
        "regular PR, remove label",
        "wip title PR, nothing to do",
        "draft PR, nothing to do",
    ],
)
async def test_wip(
    github: FakeGitHub,
    client: GitHubClient,
    title: str,
    draft: bool,
    has_label: bool,
    should_label: bool,
    should_unlabel: bool,
) -> None:
    github.add_repo(ORG, "repo")
    labels = [wip.WORK_IN_PROGRESS] if has_label else []
    github.add_pull(FULL, 1, "author", "b" * 40, labels=labels)
    event = replace(pr_event("edited", pull(1, title=title, draft=draft)), repo=REPO)
    await apply(client, await wip.handle_pull_request(context(client, "wip"), event))
    assert added(github) == ([wip.WORK_IN_PROGRESS] if should_label else [])
    assert removed(github) == ([wip.WORK_IN_PROGRESS] if should_unlabel else [])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("dummy title", False),
        ("WIP dummy title", True),
        ("WIP: dummy title", True),
        ("[WIP] dummy title", True),
        ("(WIP) dummy title", True),
        ("<WIP> dummy title", True),
        ("wip dummy title", True),
        ("[wip] dummy title", True),
        ("(wip) dummy title", True),
        ("<wip> dummy title", True),
        ("Wipe out GCP project before reusing", False),
    ],
)
def test_wip_title_regex(title: str, expected: bool) -> None:
    assert wip.needs_label(title, draft=False) is expected


async def test_wip_ignores_other_actions(github: FakeGitHub, client: GitHubClient) -> None:
    github.add_repo(ORG, "repo")
    github.add_pull(FULL, 1, "author", "b" * 40)
    event = replace(pr_event("synchronize", pull(1, title=WIP)), repo=REPO)
    assert await wip.handle_pull_request(context(client, "wip"), event) == []


# require-matching-label ---------------------------------------------------------------

RULES = [
    RequireMatchingLabelSettings(
        org="k8s", issues=True, regexp=r"^(sig|wg|committee)/", missing_label="needs-sig"
    ),
    RequireMatchingLabelSettings(
        org="k8s", repo="t-i", prs=True, regexp=r"^kind/", missing_label="needs-kind"
    ),
    RequireMatchingLabelSettings(
        org="k8s",
        repo="t-i",
        branch="meow",
        issues=True,
        prs=True,
        regexp=r"^(cat|floof|loaf)$",
        missing_label="needs-cat",
        missing_comment="Meow?",
    ),
]
LGTM = "lgtm"
RML_CASES = [
    # name, org, repo, branch, label, initial labels, comment?, added, removed
    ("ignore PRs", "k8s", "k8s", "foo", "", [LGTM], False, [], []),
    ("ignore wrong org", "fejtaverse", "repo", "", "", [LGTM], False, [], []),
    ("ignore unrelated label change", "k8s", "t-i", "master", "unrelated", [LGTM], False, [], []),
    ("add needs-kind label to PR", "k8s", "t-i", "master", "", [LGTM], False, ["needs-kind"], []),
    (
        "remove needs-kind label from PR based on label change",
        "k8s",
        "t-i",
        "master",
        "kind/best",
        [LGTM, "needs-kind", "kind/best"],
        False,
        [],
        ["needs-kind"],
    ),
    (
        "don't remove needs-kind label from issue based on label change (ignore issues)",
        "k8s",
        "t-i",
        "",
        "kind/best",
        [LGTM, "needs-kind", "kind/best", "sig/cats"],
        False,
        [],
        [],
    ),
    (
        "don't remove needs-kind label from PR already missing it",
        "k8s",
        "t-i",
        "master",
        "kind/best",
        [LGTM, "kind/best"],
        False,
        [],
        [],
    ),
    (
        "add org scoped needs-sig to issue",
        "k8s",
        "k8s",
        "",
        "sig/bash",
        [LGTM, "kind/best"],
        False,
        ["needs-sig"],
        [],
    ),
    (
        "don't add org scoped needs-sig to issue when another sig/* label remains",
        "k8s",
        "k8s",
        "",
        "sig/bash",
        [LGTM, "kind/best", "wg/foo"],
        False,
        [],
        [],
    ),
    (
        "add branch scoped needs-cat to issue",
        "k8s",
        "t-i",
        "",
        "cat",
        [LGTM, "wg/foo"],
        True,
        ["needs-cat"],
        [],
    ),
    (
        "add branch scoped needs-cat to PR",
        "k8s",
        "t-i",
        "meow",
        "",
        [LGTM, "kind/best"],
        True,
        ["needs-cat"],
        [],
    ),
    (
        "remove branch scoped needs-cat from PR, add repo scoped needs-kind",
        "k8s",
        "t-i",
        "meow",
        "",
        [LGTM, "needs-cat", "cat", "floof"],
        False,
        ["needs-kind"],
        ["needs-cat"],
    ),
    (
        "add branch scoped needs-cat to issue, remove org scoped needs-sig",
        "k8s",
        "t-i",
        "",
        "",
        [LGTM, "needs-sig", "wg/foo"],
        True,
        ["needs-cat"],
        ["needs-sig"],
    ),
]


@pytest.mark.parametrize(
    ("org", "repo", "branch", "label", "labels", "comment", "adds", "removes"),
    [case[1:] for case in RML_CASES],
    ids=[case[0] for case in RML_CASES],
)
def test_require_matching_label(
    org: str,
    repo: str,
    branch: str,
    label: str,
    labels: list[str],
    comment: bool,
    adds: list[str],
    removes: list[str],
) -> None:
    effects = require_matching_label.evaluate(RULES, org, repo, 1, branch, label, labels, BOT)
    assert sorted(e.label for e in effects if isinstance(e, AddLabel)) == adds
    assert sorted(e.label for e in effects if isinstance(e, RemoveLabel)) == removes
    assert any(isinstance(e, Comment) for e in effects) is comment
    if removes and "needs-cat" in removes:
        assert PruneComments(org, repo, 1, BOT, "Meow?") in effects


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"regexp": "^kind/", "missing_label": "kind/needed", "prs": True}, "must not match"),
        ({"regexp": "(", "missing_label": "needs-kind", "prs": True}, "invalid regular"),
        ({"regexp": "^kind/", "missing_label": "needs-kind"}, "prs or issues"),
        ({"regexp": "^k/", "missing_label": "n", "issues": True, "branch": "b"}, "branch"),
    ],
)
def test_require_matching_label_settings_refused(fields: dict[str, object], error: str) -> None:
    """Prow's RequireMatchingLabel.validate, as the PluginConfig admission check."""
    with pytest.raises(ValueError, match=error):
        RequireMatchingLabelSettings.model_validate(fields)


def test_require_matching_label_describe() -> None:
    assert require_matching_label.describe(RULES[2]) == (
        "Applies the 'needs-cat' label and comments on Issues and 'meow' branch PRs in the "
        "'k8s/t-i' GitHub repo that have no labels matching the regular expression "
        "'^(cat|floof|loaf)$'."
    )


async def test_require_matching_label_pull_request(
    github: FakeGitHub, client: GitHubClient
) -> None:
    github.add_repo(ORG, "repo")
    github.add_pull(FULL, 1, "author", "b" * 40, labels=[LGTM])
    rule = RequireMatchingLabelSettings(
        prs=True, regexp="^kind/", missing_label="needs-kind", missing_comment="Add a kind."
    )
    ctx = context(client, "require-matching-label", require_matching_label=[rule])
    event = replace(pr_event("opened", pull(1)), repo=REPO)
    await apply(client, await require_matching_label.handle_pull_request(ctx, event))
    assert added(github) == ["needs-kind"]
    assert len(comments(github)) == 1 and comments(github)[0].startswith("Add a kind.")
    github.actions.clear()
    github.repos[FULL].pulls[1].labels.append(Label("kind/bug"))
    event = replace(pr_event("labeled", pull(1), label="kind/bug"), repo=REPO)
    await apply(client, await require_matching_label.handle_pull_request(ctx, event))
    assert removed(github) == ["needs-kind"]
    assert len(deleted(github)) == 1  # the explanation goes with the label


# needs-rebase -------------------------------------------------------------------------

NEEDS = needs_rebase.NEEDS_REBASE
REBASE_CASES = [
    # name, mergeable, labels, state, merged, added, removed, comment, deletion
    ("mergeable no-op", True, [LGTM, "approved"], "open", False, [], [], False, False),
    ("unmergeable no-op", False, [LGTM, "approved", NEEDS], "open", False, [], [], False, False),
    (
        "mergeable -> unmergeable",
        False,
        [LGTM, "approved"],
        "open",
        False,
        [NEEDS],
        [],
        True,
        False,
    ),
    (
        "unmergeable -> mergeable",
        True,
        [LGTM, "approved", NEEDS],
        "open",
        False,
        [],
        [NEEDS],
        False,
        True,
    ),
    ("merged pr is ignored", False, [], "closed", True, [], [], False, False),
    ("closed pr is ignored", False, [], "closed", False, [], [], False, False),
]


def rebase_scene(
    github: FakeGitHub, mergeable: bool, labels: list[str], state: str, merged: bool
) -> None:
    github.add_repo(ORG, "repo")
    item = github.add_pull(FULL, 5, "author", "b" * 40, labels=labels)
    item.mergeable, item.state, item.merged = mergeable, state, merged
    if NEEDS in labels:
        github.add_comment(FULL, 5, BOT, needs_rebase.MESSAGE + "\n\n<details>...")


@pytest.mark.parametrize(
    ("mergeable", "labels", "state", "merged", "adds", "removes", "comment", "deletion"),
    [case[1:] for case in REBASE_CASES],
    ids=[case[0] for case in REBASE_CASES],
)
async def test_needs_rebase_pull_request(
    github: FakeGitHub,
    client: GitHubClient,
    mergeable: bool,
    labels: list[str],
    state: str,
    merged: bool,
    adds: list[str],
    removes: list[str],
    comment: bool,
    deletion: bool,
) -> None:
    rebase_scene(github, mergeable, labels, state, merged)
    event = replace(pr_event("synchronize", pull(5, state=state)), repo=REPO)
    ctx = context(client, "needs-rebase")
    await apply(client, await needs_rebase.handle_pull_request(ctx, event))
    assert added(github) == adds
    assert removed(github) == removes
    assert bool(comments(github)) is comment
    assert bool(deleted(github)) is deletion
    if comment:
        assert comments(github)[0].startswith("PR needs rebase.\n\n<details>")


@pytest.mark.parametrize(
    ("mergeable", "labels", "state", "merged", "adds", "removes", "comment", "deletion"),
    [case[1:] for case in REBASE_CASES],
    ids=[case[0] for case in REBASE_CASES],
)
async def test_needs_rebase_resync_and_push(
    github: FakeGitHub,
    client: GitHubClient,
    mergeable: bool,
    labels: list[str],
    state: str,
    merged: bool,
    adds: list[str],
    removes: list[str],
    comment: bool,
    deletion: bool,
) -> None:
    """Prow's TestHandleAll cases, through the periodic re-check and a base push."""
    rebase_scene(github, mergeable, labels, state, merged)
    ctx = context(client, "needs-rebase")
    await apply(client, await needs_rebase.handle_resync(ctx, ORG))
    assert added(github) == adds
    assert removed(github) == removes
    assert bool(deleted(github)) is deletion
    github.actions.clear()
    push = PushEvent("g", REPO, "refs/heads/main", "a" * 40, "c" * 40, False, (), "x", "")
    assert await needs_rebase.handle_push(ctx, push) == []  # already right: nothing to do


async def test_needs_rebase_waits_for_github(github: FakeGitHub, client: GitHubClient) -> None:
    """Prow's IsMergeable: an undecided answer is asked again; still undecided, no action."""
    rebase_scene(github, False, [], "open", False)
    github.repos[FULL].pulls[5].mergeable = None
    ctx = context(client, "needs-rebase")
    event = replace(pr_event("opened", pull(5)), repo=REPO)
    assert await needs_rebase.handle_pull_request(ctx, event) == []
    gets = [r for r in github.requests if r.method == "GET" and r.path.endswith("/pulls/5")]
    assert len(gets) == needs_rebase.MERGEABLE_TRIES


async def test_needs_rebase_push_reads_undecided_again(
    github: FakeGitHub, client: GitHubClient
) -> None:
    """After a base push GitHub recomputes: undecided PRs are read once more after the
    first pass, not polled one by one; the periodic pass leaves them for next time."""
    rebase_scene(github, False, [], "open", False)
    github.repos[FULL].pulls[5].mergeable = None
    ctx = context(client, "needs-rebase")
    assert await needs_rebase.handle_resync(ctx, ORG) == []
    gets = [r for r in github.requests if r.method == "GET" and r.path.endswith("/pulls/5")]
    assert len(gets) == 1
    github.requests.clear()
    push = PushEvent("g", REPO, "refs/heads/main", "a" * 40, "c" * 40, False, (), "x", "")
    assert await needs_rebase.handle_push(ctx, push) == []
    gets = [r for r in github.requests if r.method == "GET" and r.path.endswith("/pulls/5")]
    assert len(gets) == 2


@pytest.mark.parametrize(
    ("target", "query"),
    [
        ("acme", 'archived:false is:pr is:open org:"acme"'),
        ("acme/rocket", 'archived:false is:pr is:open repo:"acme/rocket"'),
    ],
)
def test_needs_rebase_queries(target: str, query: str) -> None:
    """Prow's constructQueries, per org or org/repo of a PluginConfig."""
    assert needs_rebase.resync_query(target) == query


def test_dependabot_gets_its_own_command() -> None:
    effects = needs_rebase.decide(ORG, "repo", 1, "dependabot[bot]", False, False, BOT)
    assert isinstance(effects[1], Comment) and effects[1].body.startswith("rebase\n")


async def test_resync_round_labels_every_open_pull_request(
    github: FakeGitHub, client: GitHubClient
) -> None:
    """One round of hook's periodic re-check: each org the plugin is on, searched."""
    from bowsprit.api.pluginconfig import PluginConfigSpec
    from bowsprit.hook.apply import Applier, ProwJobs
    from bowsprit.hook.plugins import PLUGINS
    from bowsprit.hook.resync import resync_once

    rebase_scene(github, False, [], "open", False)
    github.add_pull(FULL, 6, "author", "c" * 40).mergeable = True
    config = PluginConfigSpec(repos=[ORG], plugins=["needs-rebase"])
    await resync_once(
        PLUGINS,
        [config, PluginConfigSpec(repos=["elsewhere"], plugins=["hold"])],
        lambda spec: replace(context(client, "needs-rebase"), config=spec),
        Applier(client, cast(ProwJobs, None)),
    )
    assert added(github) == [NEEDS]
    searches = [r for r in github.requests if r.path == "/search/issues"]
    assert len(searches) == 1


async def test_needs_rebase_base_push_finds_new_conflicts(
    github: FakeGitHub, client: GitHubClient
) -> None:
    rebase_scene(github, True, [], "open", False)
    github.add_pull(FULL, 7, "author", "e" * 40, base="release").mergeable = False
    github.repos[FULL].pulls[5].mergeable = False  # the push to main made #5 conflict
    ctx = context(client, "needs-rebase")
    push = PushEvent("g", REPO, "refs/heads/main", "a" * 40, "c" * 40, False, (), "x", "")
    await apply(client, await needs_rebase.handle_push(ctx, push))
    assert added(github) == [NEEDS]  # #5 only: #7 is based on another branch
    assert [a.number for a in github.actions if hasattr(a, "number")] == [5, 5]
