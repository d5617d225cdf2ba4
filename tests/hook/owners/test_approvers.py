# ruff: noqa: E501 - Prow's expected texts and OWNERS files are kept on their own lines
"""Prow's approvers tables (pkg/plugins/approve/approvers/approvers_test.go and
owners_test.go), on a port of their FakeRepo."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bowsprit.hook.plugins.owners.approvers import Approvers, Owners, seeded_shuffle
from bowsprit.hook.plugins.owners.message import message
from bowsprit.hook.plugins.owners.repoowners import Layered, canonicalize, parent


@dataclass
class FakeRepo:
    """Prow's approvers FakeRepo: leaf approvers per folder, approvers up the tree."""

    leaf: dict[str, frozenset[str]]
    auto_approve: dict[str, bool] = field(default_factory=dict)
    no_parent: dict[str, bool] = field(default_factory=dict)
    owners_filename: str = "OWNERS"

    def __post_init__(self) -> None:
        self.leaf = {d: frozenset(p.lower() for p in people) for d, people in self.leaf.items()}
        self.full: dict[str, frozenset[str]] = {}
        for folder, people in self.leaf.items():
            found, current = set(people), folder
            while current != "":
                current = canonicalize(parent(current))
                found |= self.leaf.get(current, frozenset())
            self.full[folder] = frozenset(found)

    def approvers(self, path: str) -> Layered:
        found = self.full.get(path, frozenset())
        if found or path == "":
            return Layered((found,))
        return self.approvers(parent(path))

    def leaf_approvers(self, path: str) -> frozenset[str]:
        found = self.leaf.get(path, frozenset())
        if found or path == "":
            return found
        return self.leaf_approvers(parent(path))

    def find_approver_owners_for_file(self, path: str) -> str:
        folder = path
        while folder not in (".", ""):
            if folder in self.leaf:
                return folder
            folder = parent(folder) or "."
        return ""

    def is_no_parent_owners(self, path: str) -> bool:
        return self.no_parent.get(path, False)

    def is_auto_approve_unowned_subfolders(self, folder: str) -> bool:
        return self.auto_approve.get(folder, False)


ROOT = {"Alice", "Bob"}
A = {"Art", "Anne"}
B = {"Bill", "Ben", "Barbara"}
C = {"Chris", "Carol"}
D = {"David", "Dan", "Debbie"}
E = {"Eve", "Erin"}
EDC = E | D | C
REPO_MAP = {"": ROOT, "a": A, "b": B, "c": C, "a/d": D, "a/combo": EDC}


def fake(extra: dict[str, set[str]] | None = None, **kwargs: dict[str, bool]) -> FakeRepo:
    leaf = {k: frozenset(v) for k, v in {**REPO_MAP, **(extra or {})}.items()}
    return FakeRepo(leaf, **kwargs)


def approvers(files: list[str], approved: set[str], repo: FakeRepo | None = None) -> Approvers:
    ap = Approvers(Owners(tuple(files), repo or fake()))
    for person in sorted(approved):
        ap.add_approver(person, "REFERENCE", False)
    return ap


@pytest.mark.parametrize(
    ("files", "approved", "unapproved"),
    [
        ([], set(), set()),
        (["kubernetes.go"], {sorted(ROOT)[0]}, set()),
        (["kubernetes.go"], set(), {""}),
        (["b/test.go", "b/test_1.go"], ROOT, set()),
        (["b/test_1.go", "b/test.go"], set(), {"b"}),
        (["a/combo/test.go", "a/d/test.go"], set(), {"a/combo", "a/d"}),
        (["a/combo/test.go", "a/d/test.go"], EDC - D, {"a/d"}),
        (["a/combo/test.go", "a/d/test.go"], EDC & D, set()),
    ],
    ids=[
        "empty PR",
        "single root file approved",
        "single root file, no one approved",
        "b files approved at root",
        "b only unapproved",
        "combo and other, neither approved",
        "combo and other, combo approved",
        "combo and other, both approved",
    ],
)
def test_unapproved_files(files: list[str], approved: set[str], unapproved: set[str]) -> None:
    assert approvers(files, approved).unapproved_files() == unapproved


@pytest.mark.parametrize(
    ("files", "auto", "approved", "expected"),
    [
        ([], {}, set(), False),
        (["kubernetes.go"], {}, {sorted(ROOT)[0]}, True),
        (["kubernetes.go"], {}, set(), False),
        (["a/combo/test.go", "a/d/test.go"], {}, set(), False),
        (["a/combo/test.go", "a/d/test.go"], {}, EDC & D, True),
        (["a/test.go", "b/test.go", "c/test"], {}, set(), False),
        (["a/test.go", "b/test.go", "c/test"], {}, A | B, False),
        (["a/test.go", "b/test.go", "c/test"], {}, ROOT, True),
        (["a/test.go", "b/test.go", "c/test"], {}, {"Anne", "Ben", "Carol"}, True),
        (["a/test.go"], {"a": True}, set(), False),
        (["a/new-folder/test.go"], {"a": True}, set(), True),
        (["d/new-folder/test.go"], {"d": True}, set(), True),
        (["b/unapproved.go", "a/new-folder/test.go"], {"a": True}, set(), False),
        (["b/approved.go", "a/new-folder/test.go"], {"a": True}, {sorted(B)[0]}, True),
        (["a/new-folder/child/grandchild/test.go"], {"a": True}, set(), True),
        (["a/d/new-file.go"], {"a": True}, set(), False),
    ],
    ids=[
        "empty PR",
        "single root file approved",
        "single root file, no one approved",
        "combo and other, neither approved",
        "combo and other, both approved",
        "a b c, nothing approved",
        "a b c, partially approved",
        "a b c, approved at the root",
        "a b c, approved at the leaves",
        "auto-approve folder's own file is not approved",
        "auto-approve folder's subfolder is approved",
        "auto-approve folder without approvers, subfolder approved",
        "auto-approve subfolder and an unapproved file",
        "auto-approve subfolder and an approved file",
        "auto-approve nested subfolder",
        "owned folder under an auto-approve folder",
    ],
)
def test_is_approved(
    files: list[str], auto: dict[str, bool], approved: set[str], expected: bool
) -> None:
    repo = fake({"d": set()}, auto_approve=auto)
    assert approvers(files, approved, repo).is_approved() is expected


LINKS = {
    "link_url": "https://github.com",
    "command_help_link": "https://go.k8s.io/bot-commands",
    "pr_process_link": "https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process",
    "org": "org",
    "repo": "repo",
    "branch": "dev",
}
PROCESS = LINKS["pr_process_link"]
TAIL = (
    "Approvers can indicate their approval by writing `/approve` in a comment\n"
    "Approvers can cancel approval by writing `/approve cancel` in a comment\n</details>\n"
)


def test_get_message() -> None:
    """Prow's TestGetMessage, both cases, character for character."""
    ap = Approvers(
        Owners(
            ("a/a.go", "b/b.go"), FakeRepo({"a": frozenset({"Alice"}), "b": frozenset({"Bill"})})
        )
    )
    ap.require_issue = True
    ap.add_approver("Bill", "REFERENCE", False)
    assert message(ap, **LINKS) == (
        "[APPROVALNOTIFIER] This PR is **NOT APPROVED**\n\n"
        'This pull-request has been approved by: *<a href="REFERENCE" title="Approved">Bill</a>*\n'
        "**Once this PR has been reviewed and has the lgtm label**, please assign "
        f"[alice](https://github.com/alice) for approval. For more information see [the Code Review Process]({PROCESS}).\n\n"
        "*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`\n\n"
        "The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).\n\n"
        "<details open>\nNeeds approval from an approver in each of these files:\n\n"
        "- **[a/OWNERS](https://github.com/org/repo/blob/dev/a/OWNERS)**\n"
        "- ~~[b/OWNERS](https://github.com/org/repo/blob/dev/b/OWNERS)~~ [Bill]\n\n"
        + TAIL
        + '<!-- META={"approvers":["alice"]} -->'
    )
    leaf = {"a": frozenset({"Alice"}), "b": frozenset({"Bill"}), "c": frozenset({"Bob"})}
    ap = Approvers(Owners(("a/a.go", "b/b.go", "c/c.go"), FakeRepo(leaf)))
    ap.require_issue = True
    ap.add_approver("Bill", "REFERENCE", False)
    got = message(ap, **LINKS)
    assert (
        "please assign [alice](https://github.com/alice), [bob](https://github.com/bob) for approval."
        in got
    )
    assert "- **[c/OWNERS](https://github.com/org/repo/blob/dev/c/OWNERS)**\n\n" in got
    assert got.endswith('<!-- META={"approvers":["alice","bob"]} -->')


def test_get_message_all_approved() -> None:
    """Prow's TestGetMessageAllApproved."""
    ap = Approvers(
        Owners(
            ("a/a.go", "b/b.go"), FakeRepo({"a": frozenset({"Alice"}), "b": frozenset({"Bill"})})
        )
    )
    ap.require_issue = True
    ap.add_approver("Alice", "REFERENCE", False)
    ap.add_lgtmer("Bill", "REFERENCE", False)
    assert message(ap, **{**LINKS, "branch": "master"}) == (
        "[APPROVALNOTIFIER] This PR is **NOT APPROVED**\n\n"
        'This pull-request has been approved by: *<a href="REFERENCE" title="Approved">Alice</a>*, '
        '*<a href="REFERENCE" title="LGTM">Bill</a>*\n\n'
        "*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`\n\n"
        "The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=org%2Frepo).\n\n"
        f"The pull request process is described [here]({PROCESS})\n\n"
        "<details >\nNeeds approval from an approver in each of these files:\n\n"
        "- ~~[a/OWNERS](https://github.com/org/repo/blob/master/a/OWNERS)~~ [Alice]\n"
        "- ~~[b/OWNERS](https://github.com/org/repo/blob/master/b/OWNERS)~~ [Bill]\n\n"
        + TAIL
        + '<!-- META={"approvers":[]} -->'
    )


def test_no_issue_approval_is_not_overridden() -> None:
    """Prow's shouldNotOverrideApproval: `/approve no-issue` then `/approve` keeps no-issue."""
    ap = approvers(["kubernetes.go"], set())
    ap.require_issue = True
    ap.add_approver("Alice", "REF", True)
    ap.add_approver("Alice", "REF", False)
    assert ap.requirements_met()


def test_suggestions_cover_every_unapproved_file_and_are_stable() -> None:
    ap = approvers(["a/test.go", "b/test.go", "c/test"], set())
    ccs = ap.ccs()
    assert ccs == approvers(["a/test.go", "b/test.go", "c/test"], set()).ccs()
    for person in ccs:
        ap.add_approver(person, "", False)
    assert ap.are_files_approved()
    assert seeded_shuffle(["a", "b", "c", "d"], 7) == seeded_shuffle(["a", "b", "c", "d"], 7)


def low(people: set[str]) -> set[str]:
    return {p.lower() for p in people}


FOUR = {"": ROOT, "a": A, "b": B, "a/d": D}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([], {}),
        (["kubernetes.go"], {"": low(ROOT)}),
        (["a/test.go"], {"a": low(A)}),
        (["a/d/test.go", "b/test.go"], {"a/d": low(D), "b": low(B)}),
        (["a/test.go", "a/d/test.go"], {"a": low(A)}),
    ],
    ids=["empty PR", "single root file", "internal node file", "two leaf files", "leaf and parent"],
)
def test_get_leaf_approvers(files: list[str], expected: dict[str, set[str]]) -> None:
    """Prow's TestGetLeafApprovers."""
    repo = FakeRepo({k: frozenset(v) for k, v in FOUR.items()})
    assert Owners(tuple(files), repo).get_leaf_approvers() == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([], set()),
        (["kubernetes.go"], {""}),
        (["test.go", "kubernetes.go"], {""}),
        (["a/test.go"], {"a"}),
        (["a/test.go", "b/test.go"], {"a", "b"}),
        (["a/test.go", "a/c/test.go"], {"a"}),
    ],
    ids=[
        "empty",
        "single root file",
        "multiple root files",
        "internal node",
        "two leaves",
        "leaf and parent",
    ],
)
def test_get_owners_set(files: list[str], expected: set[str]) -> None:
    """Prow's TestGetOwnersSet."""
    repo = FakeRepo({k: frozenset(v) for k, v in FOUR.items()})
    assert Owners(tuple(files), repo).owners_set() == expected


@pytest.mark.parametrize(
    ("files", "one_of_each"),
    [
        ([], []),
        (["kubernetes.go"], [ROOT]),
        (["a/test.go"], [A]),
        (["a/test.go", "a/test1.go"], [A]),
        (["a/test.go", "b/test.go"], [A, B]),
        (["a/test.go", "a/d/test.go"], [A]),
        (["a/combo/test.go", "b/test.go"], [E | D, B]),
        (["a/combo/test.go"], [E | D]),
    ],
    ids=[
        "empty",
        "root file",
        "internal node",
        "two files one node",
        "two leaves",
        "leaf and parent",
        "combo and b",
        "lowest leaf",
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 7, 42])
def test_get_suggested_approvers(files: list[str], one_of_each: list[set[str]], seed: int) -> None:
    """Prow's TestGetSuggestedApprovers: someone from each needed set, whatever the seed."""
    leaf = {**FOUR, "a/combo": E | D}
    owners = Owners(tuple(files), FakeRepo({k: frozenset(v) for k, v in leaf.items()}), seed)
    suggested = owners.suggested_approvers(
        Owners.reverse_map(owners.get_leaf_approvers()), owners.shuffled_approvers()
    )
    for needed in one_of_each:
        assert low(needed) & suggested


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([], set()),
        (["kubernetes.go"], ROOT),
        (["a/test.go"], A),
        (["a/test.go", "b/test.go"], A | B),
        (["a/d/test.go", "c/test.go"], D | C),
        (["a/test.go", "a/combo/test.go"], A),
        (["a/d/test.go", "b/test.go"], D | B),
        (["a/combo/test.go"], EDC),
        (["a/combo/test.go", "b/test.go", "c/test.go", "d/test.go"], ROOT),
    ],
    ids=[
        "empty",
        "root file",
        "internal node",
        "leaf and internal node",
        "two leaves",
        "leaf and parent",
        "two leaves again",
        "lowest leaf",
        "root and everything else",
    ],
)
def test_get_all_potential_approvers(files: list[str], expected: set[str]) -> None:
    """Prow's TestGetAllPotentialApprovers (sorted)."""
    assert Owners(tuple(files), fake()).all_potential_approvers() == sorted(low(expected))


@pytest.mark.parametrize(
    ("files", "approved", "assignees", "assigned", "suggested_from"),
    [
        ([], set(), [], [], []),
        (["kubernetes.go"], {sorted(ROOT)[0]}, [], [], []),
        (["kubernetes.go"], set(), [], [], [ROOT]),
        (["a/combo/test.go", "a/d/test.go"], set(), [], [], [D]),
        (["a/combo/test.go", "a/d/test.go"], E, [], [], [D]),
        (["a/combo/test.go", "a/d/test.go"], D, [], [], []),
        (["a/combo/test.go", "a/d/test.go", "c/test"], set(), [], [], [C, D]),
        (["a/test.go", "b/test.go", "c/test"], set(), [], [], [A, B, C]),
        (["a/test.go", "b/test.go", "c/test"], {"Art", "Ben"}, [], [], [C]),
        (["a/test.go", "b/test.go", "c/test"], set(), ["Art", "Ben"], ["art", "ben"], [C]),
        (
            ["a/test.go", "b/test.go", "c/test"],
            set(),
            ["Art", "Ben", "John", "Jack"],
            ["art", "ben"],
            [C],
        ),
        (["a/test.go"], set(), ["alice"], ["alice"], []),
    ],
    ids=[
        "empty PR",
        "single root file approved",
        "single root file unapproved",
        "combo and other, neither approved",
        "combo and other, combo approved",
        "combo and other, both approved",
        "combo, c, d, none approved",
        "a, b, c, nothing approved",
        "a, b, c, partially approved by non-suggested approvers",
        "a, b, c, assignees can approve",
        "a, b, c, some assignees can approve",
        "assignee is a top owner",
    ],
)
def test_get_ccs(
    files: list[str],
    approved: set[str],
    assignees: list[str],
    assigned: list[str],
    suggested_from: list[set[str]],
) -> None:
    """Prow's TestGetCCs. Prow names who its Go shuffle picks; here each suggested person
    must come from the set Prow's pick came from (one per set), and the assigned ones are
    exactly Prow's."""
    ap = approvers(files, approved)
    ap.add_assignees(*assignees)
    ccs = ap.ccs()
    suggested = ap.suggested_ccs(ccs)
    assert ap.assigned_ccs(ccs) == assigned
    assert ccs == sorted(assigned + suggested)
    assert len(suggested) == len(suggested_from)
    for group in suggested_from:
        assert len(low(group) & set(suggested)) == 1
