# ruff: noqa: E501 - the tables keep Prow's strings whole
"""The blunderbuss plugin: Prow's TestHandleWithExcludeApproversOnlyReviewers,
TestHandleWithoutExcludeApproversNoReviewers and TestHandleWithoutExcludeApproversMixed
(pkg/plugins/blunderbuss/blunderbuss_test.go) over Prow's fake owners, each run with
several seeds since picks are random (Prow's alternates allowed); then the plugin end to
end against the HTTP fake GitHub with real OWNERS files."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from bowsprit.api.pluginconfig import BlunderbussSettings
from bowsprit.clients.github import GitHubClient
from bowsprit.hook.plugins import blunderbuss
from bowsprit.hook.plugins.owners.repoowners import Layered
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.everyday_harness import comment, pr_event, pull, scene
from tests.hook.plugin_harness import FULL, apply, client, context, fake, github

__all__ = ["client", "fake", "github"]  # fixtures


def layers(*slices: list[str]) -> Layered:
    return Layered(tuple(frozenset(each) for each in slices))


@dataclass
class FakeOwners:
    """Prow's fakeOwnersClient: answers from maps by file name."""

    owners: dict[str, str] = field(default_factory=dict)
    approvers_: dict[str, Layered] = field(default_factory=dict)
    leaf_approvers_: dict[str, set[str]] = field(default_factory=dict)
    reviewers_: dict[str, Layered] = field(default_factory=dict)
    required_: dict[str, set[str]] = field(default_factory=dict)
    leaf_reviewers_: dict[str, set[str]] = field(default_factory=dict)

    def find_reviewers_owners_for_file(self, path: str) -> str:
        return self.owners.get(path, "")

    def find_approver_owners_for_file(self, path: str) -> str:
        return self.owners.get(path, "")

    def reviewers(self, path: str) -> Layered:
        return self.reviewers_.get(path, Layered())

    def approvers(self, path: str) -> Layered:
        return self.approvers_.get(path, Layered())

    def required_reviewers(self, path: str) -> frozenset[str]:
        return frozenset(self.required_.get(path, set()))

    def leaf_reviewers(self, path: str) -> frozenset[str]:
        return frozenset(self.leaf_reviewers_.get(path, set()))

    def leaf_approvers(self, path: str) -> frozenset[str]:
        return frozenset(self.leaf_approvers_.get(path, set()))


OWNERS = {"a.go": "1", "b.go": "2", "bb.go": "3", "c.go": "4", "e.go": "5", "ee.go": "5"}
REVIEWERS = {
    "a.go": layers(["al"]),
    "b.go": layers(["al"]),
    "c.go": layers(["charles"], ["ben"]),
    "e.go": layers(["erick", "evan"]),
    "ee.go": layers(["erick", "evan"]),
    "f.go": layers(["author", "non-author"]),
}
REQUIRED = {"a.go": {"ben"}, "ee.go": {"chris", "charles"}}
LEAF_REVIEWERS = {
    "a.go": {"alice"},
    "b.go": {"bob"},
    "bb.go": {"bob", "ben"},
    "c.go": {"cole", "carl", "chad"},
    "e.go": {"erick", "ellen"},
    "ee.go": {"erick", "ellen"},
    "f.go": {"author"},
}


@dataclass(frozen=True)
class Case:
    name: str
    files: list[str]
    count: int
    expected: list[str]
    max_count: int = 0
    alternate: list[str] = field(default_factory=list)


CASES = [
    Case(
        "one file, 3 leaf reviewers, 1 parent reviewer, 1 top level reviewer, request 3",
        ["c.go"],
        3,
        ["cole", "carl", "chad"],
    ),
    Case(
        "one file, 3 leaf reviewers, 1 parent reviewer, 1 top level reviewer, request 4",
        ["c.go"],
        4,
        ["cole", "carl", "chad", "charles"],
    ),
    Case(
        "one file, 3 leaf reviewers, 1 parent reviewer, 1 top level reviewer, request 5",
        ["c.go"],
        5,
        ["cole", "carl", "chad", "charles", "ben"],
    ),
    Case(
        "two files, 2 leaf reviewers, 1 common parent, request 2",
        ["a.go", "b.go"],
        2,
        ["alice", "ben", "bob"],
    ),
    Case(
        "two files, 2 leaf reviewers, 1 common parent, request 3",
        ["a.go", "b.go"],
        3,
        ["alice", "ben", "bob", "al"],
    ),
    Case("one files, 1 leaf reviewers, request 1", ["a.go"], 1, ["alice", "ben"], max_count=1),
    Case(
        "one file, 2 leaf reviewer, 2 parent reviewers (1 dup), request 3",
        ["e.go"],
        3,
        ["erick", "ellen", "evan"],
    ),
    Case(
        "two files, 2 leaf reviewer, 2 parent reviewers (1 dup), request 1",
        ["e.go"],
        1,
        ["erick"],
        alternate=["ellen"],
    ),
    Case(
        "two files, 1 common leaf reviewer, one additional leaf, one parent, request 1",
        ["b.go", "bb.go"],
        1,
        ["bob", "ben"],
    ),
    Case(
        "two files, 2 leaf reviewers, 1 common parent, request 1",
        ["a.go", "b.go"],
        1,
        ["alice", "ben", "bob"],
    ),
    Case(
        "two files, 2 leaf reviewers, 1 common parent, request 1, limit 2",
        ["a.go", "b.go"],
        1,
        ["alice", "ben"],
        max_count=1,
        alternate=["ben", "bob"],
    ),
    Case("exclude author", ["f.go"], 1, ["non-author"]),
    Case("reviewerCount==0", ["f.go"], 0, []),
]

MIXED = FakeOwners(
    owners={
        "a.go": "1",
        "b.go": "2",
        "bb.go": "3",
        "c.go": "4",
        "e.go": "5",
        "ee.go": "5",
        "f.go": "6",
        "g.go": "7",
    },
    approvers_={
        "a.go": layers(["al"]),
        "b.go": layers(["jeff"]),
        "c.go": layers(["jeff"]),
        "e.go": layers([]),
        "ee.go": layers(["larry"]),
        "f.go": layers(["approver1"]),
        "g.go": layers(["Approver1"]),
    },
    leaf_approvers_={
        "a.go": {"alice"},
        "b.go": {"brad"},
        "c.go": {"evan"},
        "e.go": {"erick", "evan"},
        "ee.go": {"erick", "evan"},
        "f.go": {"leafApprover1", "leafApprover2"},
        "g.go": {"leafApprover1", "leafApprover2"},
    },
    reviewers_={
        "a.go": layers(["al"]),
        "b.go": layers([]),
        "c.go": layers(["charles"]),
        "e.go": layers(["erick", "evan"]),
        "ee.go": layers(["erick", "evan"]),
    },
    leaf_reviewers_={
        "a.go": {"alice"},
        "b.go": {"bob"},
        "bb.go": {"bob", "ben"},
        "c.go": {"cole", "carl", "chad"},
        "e.go": {"erick", "ellen"},
        "ee.go": {"erick", "ellen"},
    },
)
MIXED_CASES = [
    Case(
        "1 file, 1 leaf reviewer, 1 leaf approver, 1 approver, request 3",
        ["b.go"],
        3,
        ["bob", "brad", "jeff"],
    ),
    Case(
        "1 file, 1 leaf reviewer, 1 leaf approver, 1 approver, request 1, limit 1",
        ["b.go"],
        1,
        ["bob"],
    ),
    Case(
        "2 file, 2 leaf reviewers, 1 parent reviewers, 1 leaf approver, 1 approver, request 5",
        ["a.go", "b.go"],
        5,
        ["alice", "bob", "al", "brad", "jeff"],
    ),
    Case(
        "1 file, 1 leaf reviewer+approver, 1 reviewer+approver, request 3",
        ["a.go"],
        3,
        ["alice", "al"],
    ),
    Case("1 file, 2 leaf reviewers, request 2", ["e.go"], 2, ["erick", "ellen"]),
    Case(
        "2 files, 2 leaf+parent reviewers, 1 parent reviewer, 1 parent approver, request 4",
        ["e.go", "ee.go"],
        4,
        ["erick", "ellen", "evan", "larry"],
    ),
    Case(
        "1 file, 2 leaf approvers, 1 approver, request 3, max 2",
        ["f.go"],
        3,
        ["leafApprover1", "leafApprover2"],
        max_count=2,
    ),
    Case(
        "1 file, 2 leaf approvers, 1 approver (capitalized), request 3, max 2",
        ["g.go"],
        3,
        ["leafApprover1", "leafApprover2"],
        max_count=2,
    ),
    Case("reviewerCount==0", ["g.go"], 0, []),
]
SEEDS = range(8)


async def _chosen(owners: FakeOwners, case: Case, exclude: bool, seed: int) -> list[str]:
    settings = BlunderbussSettings(
        request_count=case.count, max_request_count=case.max_count, exclude_approvers=exclude
    )
    select = blunderbuss.selector(random.Random(seed).randrange, None)
    return sorted(await blunderbuss.choose(owners, settings, "author", case.files, select))


def _matches(found: list[str], case: Case) -> bool:
    return (
        found == sorted(case.expected) or bool(case.alternate) and found == sorted(case.alternate)
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_exclude_approvers_only_reviewers(case: Case, seed: int) -> None:
    owners = FakeOwners(
        OWNERS, reviewers_=REVIEWERS, required_=REQUIRED, leaf_reviewers_=LEAF_REVIEWERS
    )
    assert _matches(await _chosen(owners, case, True, seed), case)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_without_exclude_approvers_no_reviewers(case: Case, seed: int) -> None:
    owners = FakeOwners(
        OWNERS, approvers_=REVIEWERS, leaf_approvers_=LEAF_REVIEWERS, required_=REQUIRED
    )
    assert _matches(await _chosen(owners, case, False, seed), case)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", MIXED_CASES, ids=lambda case: case.name)
async def test_without_exclude_approvers_mixed(case: Case, seed: int) -> None:
    assert _matches(await _chosen(MIXED, case, False, seed), case)


# End to end: OWNERS files at the base commit, the fake GitHub's review requests --------

OWNERS_FILES = {
    "OWNERS": "approvers:\n- root-approver\nreviewers:\n- root-reviewer\n",
    "pkg/OWNERS": "approvers:\n- pkg-approver\nreviewers:\n- pkg-reviewer\n- busy-reviewer\n",
}
PEOPLE = ["root-approver", "root-reviewer", "pkg-approver", "pkg-reviewer", "busy-reviewer"]


def owned_scene(github: FakeGitHub, body: str = "") -> None:
    item = scene(github)
    item.files = ["pkg/a.go"]
    item.body = body
    github.git.set_files(FULL, "a" * 40, OWNERS_FILES)
    for login in PEOPLE:
        github.add_collaborator(FULL, login)


async def test_opened_pr_asks_owners_reviewers_skipping_busy_ones(
    github: FakeGitHub, client: GitHubClient
) -> None:
    owned_scene(github)
    github.busy_users.add("busy-reviewer")
    settings = BlunderbussSettings(request_count=2, use_status_availability=True)
    ctx = context(client, "blunderbuss", blunderbuss=settings)
    await apply(client, await blunderbuss.handle_pull_request(ctx, pr_event("opened")))
    assert sorted(github.repos[FULL].pulls[1].requested_reviewers) == [
        "pkg-reviewer",
        "root-reviewer",
    ]


async def test_max_request_count_caps_the_requests(
    github: FakeGitHub, client: GitHubClient
) -> None:
    owned_scene(github)
    ctx = context(
        client, "blunderbuss", blunderbuss=BlunderbussSettings(request_count=3, max_request_count=1)
    )
    await apply(client, await blunderbuss.handle_pull_request(ctx, pr_event("opened")))
    assert len(github.repos[FULL].pulls[1].requested_reviewers) == 1


@pytest.mark.parametrize(
    ("action", "body", "draft", "settings", "asked"),
    [
        ("opened", "/auto-cc", False, BlunderbussSettings(), True),  # Prow's "PR opened"
        ("opened", "/cc", False, BlunderbussSettings(), False),  # "PR opened with /cc command"
        ("reopened", "", False, BlunderbussSettings(), False),
        ("ready_for_review", "", False, BlunderbussSettings(), True),
        ("opened", "", True, BlunderbussSettings(ignore_drafts=True), False),
        ("opened", "", True, BlunderbussSettings(), True),
        ("opened", "", False, BlunderbussSettings(ignore_authors=["author"]), False),
    ],
)
async def test_handle_pull_request(
    action: str,
    body: str,
    draft: bool,
    settings: BlunderbussSettings,
    asked: bool,
    github: FakeGitHub,
    client: GitHubClient,
) -> None:
    """Prow's TestHandlePullRequest cases and its ignore_drafts / ignore_authors rules
    (wait_for_status is not carried)."""
    owned_scene(github, body)
    ctx = context(client, "blunderbuss", blunderbuss=settings)
    event = pr_event(action, pull(body=body, draft=draft))
    await apply(client, await blunderbuss.handle_pull_request(ctx, event))
    assert bool(github.repos[FULL].pulls[1].requested_reviewers) is asked


@pytest.mark.parametrize(
    ("body", "state", "is_pr", "asked"),
    [
        ("/auto-cc", "open", True, True),
        ("/auto-cc", "closed", True, False),
        ("/auto-cc", "open", False, False),
        ("/cc", "open", True, False),
    ],
)
async def test_auto_cc(
    body: str, state: str, is_pr: bool, asked: bool, github: FakeGitHub, client: GitHubClient
) -> None:
    """As Prow's handleGenericComment: /auto-cc on an open pull request only."""
    owned_scene(github)
    ctx = context(client, "blunderbuss")
    event = comment(body, "someone", is_pr=is_pr, state=state)
    await apply(client, await blunderbuss.handle_generic_comment(ctx, event))
    assert bool(github.repos[FULL].pulls[1].requested_reviewers) is asked
