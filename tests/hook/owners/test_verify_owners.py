# ruff: noqa: E501 - Prow's OWNERS files and patches are kept as they are
"""Prow's pkg/plugins/verify-owners tests: TestParseOwnersFile, TestHandle and
TestNonCollaborators, with the files the PR has at its head and its patches served by a
stand-in for the GitHub reads (the fake GitHub has no per-file patches)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.hook.effects import AddLabel, Comment, CreateReview, Effect
from bowsprit.hook.events import PullRequest, RepoRef
from bowsprit.hook.plugins import verify_owners
from bowsprit.hook.plugins.base import Context
from bowsprit.hook.plugins.owners.verify import added_lines, check_owners_file

HEAD, BASE = "h" * 40, "master"

OWNER_FILES = {
    "emptyApprovers": "approvers:\nreviewers:\n- alice\n- bob\nlabels:\n- label1\n",
    "emptyApproversFilters": 'filters:\n  ".*":\n    approvers:\n    reviewers:\n    - alice\n    - bob\n    labels:\n    - label1\n',
    "invalidSyntax": "approvers:\n- jdoe\nreviewers:\n- alice\n- bob\nlabels\n- label1\n",
    "invalidSyntaxFilters": 'filters:\n  ".*":\n    approvers:\n    - jdoe\n    reviewers:\n    - alice\n    - bob\n    labels\n    - label1\n',
    "invalidLabels": "approvers:\n- jdoe\nreviewers:\n- alice\n- bob\nlabels:\n- lgtm\n",
    "invalidLabelsFilters": 'filters:\n  ".*":\n    approvers:\n    - jdoe\n    reviewers:\n    - alice\n    - bob\n    labels:\n    - lgtm\n',
    "noApprovers": "reviewers:\n- alice\n- bob\nlabels:\n- label1\n",
    "noApproversFilters": 'filters:\n  ".*":\n    reviewers:\n    - alice\n    - bob\n    labels:\n    - label1\n',
    "valid": "approvers:\n- jdoe\nreviewers:\n- alice\n- bob\nlabels:\n- label1\n",
    "validFilters": 'filters:\n  ".*":\n    approvers:\n    - jdoe\n    reviewers:\n    - alice\n    - bob\n    labels:\n    - label1\n',
    "referencesToBeAddedAlias": "approvers:\n- not-yet-existing-alias\n",
}


def make_patch(text: str) -> str:
    """Prow's makePatch: the whole file added."""
    added = text.replace("\n", "\n+")
    return f"@@ -0,0 +1,{added.count('+') + 1} @@\n+{added}"


@pytest.mark.parametrize(
    ("name", "patch", "line"),
    [
        ("emptyApprovers", "", 1),
        ("emptyApproversFilters", "", 1),
        ("invalidSyntax", "", 7),
        ("invalidSyntaxFilters", "", 9),
        (
            "invalidSyntax",
            "@@ -3,6 +3,6 @@ approvers:\n reviewers:\n - alice\n - bob\n-labels:\n+labels\n - label1\n ",
            1,
        ),
        ("noApprovers", "", 1),
        ("noApproversFilters", "", 1),
        ("valid", "", 0),
        ("validFilters", "", 0),
    ],
)
def test_parse_owners_file(name: str, patch: str, line: int) -> None:
    """TestParseOwnersFile: the problem's line, as a position in the patch."""
    text = OWNER_FILES[name]
    problem, _ = check_owners_file("OWNERS", text, patch or make_patch(text), [], "OWNERS")
    assert (problem.line if problem else 0) == line


def test_added_lines() -> None:
    """Prow's golint.AddedLines: new line number -> index in the patch; a patch it cannot
    read (here: a stray trailing line) gives nothing, as Prow's error does."""
    patch = "@@ -1,4 +1,6 @@\n reviewers:\n+- phippy\n - alice\n approvers:\n+- zee\n - bob"
    assert added_lines(patch) == {2: 2, 5: 5}
    assert added_lines(patch + "\n") == {}


@dataclass
class Reads:
    """The reads verify-owners makes, answered from the PR's files and patches."""

    changes: list[dict[str, Any]]
    head: dict[str, str]
    base: dict[str, str] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    collaborators: tuple[str, ...] = ("alice", "bob", "jdoe")

    async def list_pull_changes(self, *_: Any) -> list[dict[str, Any]]:
        return self.changes

    async def list_labels(self, *_: Any) -> list[str]:
        return self.labels

    async def get_file_text(self, org: str, repo: str, path: str, ref: str) -> str | None:
        return (self.head if ref == HEAD else self.base).get(path)

    async def is_member(self, org: str, user: str) -> bool:
        return False

    async def is_collaborator(self, org: str, repo: str, user: str) -> bool:
        return user in self.collaborators

    async def list_issue_comments(self, *_: Any) -> list[dict[str, Any]]:
        return []


PULL = PullRequest(
    1, "author", "t", "open", False, HEAD, "feature", BASE, "b" * 40, (), True, "<url>", ""
)


async def run(reads: Reads, **owners: Any) -> list[Effect]:
    config = PluginConfigSpec.model_validate(
        {
            "repos": ["org"],
            "plugins": ["verify-owners"],
            "owners": {"labels_denylist": ["approved", "lgtm"], **owners},
        }
    )
    ctx = Context(reads, config, (), (), "bot", "ci", lambda: "x")  # type: ignore[arg-type]
    return await verify_owners.handle(ctx, RepoRef("org", "repo"), PULL)


def labelled(effects: list[Effect]) -> bool:
    return AddLabel("org", "repo", 1, verify_owners.LABEL) in effects


# TestHandle: name, files changed, owners file, files removed, labelled
HANDLE = [
    ("no OWNERS file", ["a.go", "b.go"], "valid", [], False),
    ("no OWNERS file with filters", ["a.go", "b.go"], "validFilters", [], False),
    ("good OWNERS file", ["OWNERS", "b.go"], "valid", [], False),
    ("good OWNERS file with filters", ["OWNERS", "b.go"], "validFilters", [], False),
    ("invalid syntax OWNERS file", ["OWNERS", "b.go"], "invalidSyntax", [], True),
    (
        "invalid syntax OWNERS file with filters",
        ["OWNERS", "b.go"],
        "invalidSyntaxFilters",
        [],
        True,
    ),
    ("forbidden labels in OWNERS file", ["OWNERS", "b.go"], "invalidLabels", [], True),
    (
        "forbidden labels in OWNERS file with filters",
        ["OWNERS", "b.go"],
        "invalidLabelsFilters",
        [],
        True,
    ),
    ("empty approvers in OWNERS file", ["OWNERS", "b.go"], "emptyApprovers", [], True),
    (
        "empty approvers in OWNERS file with filters",
        ["OWNERS", "b.go"],
        "emptyApproversFilters",
        [],
        True,
    ),
    ("no approvers in OWNERS file", ["OWNERS", "b.go"], "noApprovers", [], True),
    (
        "no approvers in OWNERS file with filters",
        ["OWNERS", "b.go"],
        "noApproversFilters",
        [],
        True,
    ),
    ("no approvers in pkg/OWNERS file", ["pkg/OWNERS", "b.go"], "noApprovers", [], False),
    (
        "no approvers in pkg/OWNERS file with filters",
        ["pkg/OWNERS", "b.go"],
        "noApproversFilters",
        [],
        False,
    ),
    ("OWNERS file was removed", [], "valid", ["pkg/OWNERS"], False),
    ("OWNERS_ALIASES file was removed", [], "", ["OWNERS_ALIASES"], False),
]


@pytest.mark.parametrize(
    ("changed", "owners", "removed", "label"), [c[1:] for c in HANDLE], ids=[c[0] for c in HANDLE]
)
async def test_handle(changed: list[str], owners: str, removed: list[str], label: bool) -> None:
    changes = [{"filename": f, "patch": "", "status": "modified"} for f in changed]
    changes += [{"filename": f, "status": "removed"} for f in removed]
    head = {f: OWNER_FILES[owners] if "OWNERS" in f else "foo" for f in changed}
    effects = await run(Reads(changes, head))
    assert labelled(effects) is label
    if label and "OWNERS" in changed and owners != "invalidOwnersAliases":
        (review,) = [e for e in effects if isinstance(e, CreateReview)]
        assert review.body.startswith("@author: 1 invalid OWNERS file\n")


async def test_alias_added_on_the_base_after_the_pr_references_it() -> None:
    """TestHandle "new alias added after a PR references that alias": read as merged."""
    changes = [
        {"filename": "OWNERS", "patch": "\n+ - not-yet-existing-alias\n", "status": "modified"}
    ]
    head = {"OWNERS": OWNER_FILES["referencesToBeAddedAlias"]}
    base = {"OWNERS_ALIASES": "aliases:\n  not-yet-existing-alias:\n  - bob\n"}
    assert not labelled(await run(Reads(changes, head, base)))


async def test_invalid_owners_aliases() -> None:
    changes = [{"filename": "OWNERS_ALIASES", "patch": "", "status": "modified"}]
    head = {"OWNERS_ALIASES": "aliases:\n  approvers:\n  - alice\n  - bob\n  -\n"}
    effects = await run(Reads(changes, head))
    assert labelled(effects)
    assert Comment("org", "repo", 1, "The content of OWNERS_ALIASES is invalid.") in effects


OWNERS_FILES = {
    "nonCollaborators": "reviewers:\n- phippy\n- alice\napprovers:\n- zee\n- bob\n",
    "collaboratorsWithAliases": "reviewers:\n- foo-reviewers\n- alice\napprovers:\n- bob\n",
    "nonCollaboratorsWithAliases": "reviewers:\n- foo-reviewers\n- alice\n- goldie\napprovers:\n- bob\n",
}
OWNERS_PATCH = {
    "collaboratorAdditions": "@@ -1,4 +1,6 @@\n reviewers:\n - phippy\n+- alice\n approvers:\n - zee\n+- bob\n",
    "collaboratorRemovals": "@@ -1,8 +1,6 @@\n reviewers:\n - phippy\n - alice\n-- bob\n approvers:\n - zee\n - bob\n-- alice\n",
    "nonCollaboratorAdditions": "@@ -1,4 +1,6 @@\n reviewers:\n+- phippy\n - alice\n approvers:\n+- zee\n - bob\n",
    "nonCollaboratorRemovals": "@@ -1,8 +1,6 @@\n reviewers:\n - phippy\n - alice\n-- al\n approvers:\n - zee\n - bob\n-- bo\n",
    "nonCollaboratorsWithAliases": "@@ -1,4 +1,6 @@\n reviewers:\n+- foo-reviewers\n - alice\n+- goldie\n approvers:\n - bob\n",
    "collaboratorsWithAliases": "@@ -1,2 +1,5 @@\n+reviewers:\n+- foo-reviewers\n+- alice\n approvers:\n - bob\n",
}
ALIASES = {
    "nonCollaborators": "aliases:\n  foo-reviewers:\n  - alice\n  - phippy\n  - zee\n",
    "collaborators": "aliases:\n  foo-reviewers:\n  - alice\n",
}
ALIASES_PATCH = {
    "nonCollaboratorAdditions": "@@ -1,3 +1,5 @@\n aliases:\n   foo-reviewers:\n   - alice\n+  - phippy\n+  - zee\n",
    "nonCollaboratorRemovals": "@@ -1,6 +1,5 @@\n aliases:\n   foo-reviewers:\n   - alice\n-  - al\n   - phippy\n   - zee\n",
    "collaboratorAdditions": "@@ -1,4 +1,5 @@\n aliases:\n   foo-reviewers:\n+  - alice\n   - phippy\n   - zee\n",
    "collaboratorRemovals": "@@ -1,6 +1,5 @@\n aliases:\n   foo-reviewers:\n   - alice\n-  - bob\n   - phippy\n   - zee\n",
}
NOT_TRUSTED = "User is not a member of the org. User is not a collaborator."

# TestNonCollaborators: name, files, owners, owners patch, aliases, aliases patch,
# include vendor, skip trusted check, labelled and commented
NON_COLLABORATORS = [
    (
        "collaborators additions in OWNERS file",
        ["OWNERS"],
        "nonCollaborators",
        "collaboratorAdditions",
        "",
        "",
        False,
        False,
        False,
    ),
    (
        "collaborators removals in OWNERS file",
        ["OWNERS"],
        "nonCollaborators",
        "collaboratorRemovals",
        "",
        "",
        False,
        False,
        False,
    ),
    (
        "non-collaborators additions in OWNERS file",
        ["OWNERS"],
        "nonCollaborators",
        "nonCollaboratorAdditions",
        "",
        "",
        False,
        False,
        True,
    ),
    (
        "non-collaborators removal in OWNERS file",
        ["OWNERS"],
        "nonCollaborators",
        "nonCollaboratorRemovals",
        "",
        "",
        False,
        False,
        False,
    ),
    (
        "non-collaborators additions, skip trusted check",
        ["OWNERS"],
        "nonCollaborators",
        "nonCollaboratorAdditions",
        "",
        "",
        False,
        True,
        False,
    ),
    (
        "non-collaborators additions in OWNERS_ALIASES file",
        ["OWNERS_ALIASES"],
        "collaboratorsWithAliases",
        "",
        "nonCollaborators",
        "nonCollaboratorAdditions",
        False,
        False,
        True,
    ),
    (
        "non-collaborators removals in OWNERS_ALIASES file",
        ["OWNERS_ALIASES"],
        "collaboratorsWithAliases",
        "",
        "nonCollaborators",
        "nonCollaboratorRemovals",
        False,
        False,
        False,
    ),
    (
        "collaborators additions in OWNERS_ALIASES file",
        ["OWNERS_ALIASES"],
        "collaboratorsWithAliases",
        "",
        "nonCollaborators",
        "collaboratorAdditions",
        False,
        False,
        False,
    ),
    (
        "collaborators removals in OWNERS_ALIASES file",
        ["OWNERS_ALIASES"],
        "collaboratorsWithAliases",
        "",
        "nonCollaborators",
        "collaboratorRemovals",
        False,
        False,
        False,
    ),
    (
        "non-collaborators additions in OWNERS_ALIASES, skip trusted check",
        ["OWNERS_ALIASES"],
        "collaboratorsWithAliases",
        "",
        "nonCollaborators",
        "nonCollaboratorAdditions",
        False,
        True,
        False,
    ),
    (
        "non-collaborators additions in both files",
        ["OWNERS", "OWNERS_ALIASES"],
        "nonCollaboratorsWithAliases",
        "nonCollaboratorsWithAliases",
        "nonCollaborators",
        "nonCollaboratorAdditions",
        False,
        False,
        True,
    ),
    (
        "collaborator additions in both files",
        ["OWNERS", "OWNERS_ALIASES"],
        "collaboratorsWithAliases",
        "collaboratorsWithAliases",
        "collaborators",
        "collaboratorAdditions",
        False,
        False,
        False,
    ),
    (
        "non-collaborators additions in vendor subdir",
        ["vendor/k8s.io/client-go/OWNERS"],
        "nonCollaborators",
        "nonCollaboratorAdditions",
        "",
        "",
        False,
        False,
        False,
    ),
    (
        "non-collaborators additions in vendor subdir, included",
        ["vendor/k8s.io/client-go/OWNERS"],
        "nonCollaborators",
        "nonCollaboratorAdditions",
        "",
        "",
        True,
        False,
        True,
    ),
    (
        "non-collaborators additions in vendor dir",
        ["vendor/OWNERS"],
        "nonCollaborators",
        "nonCollaboratorAdditions",
        "",
        "",
        False,
        False,
        True,
    ),
]


@pytest.mark.parametrize(
    ("files", "owners", "owners_patch", "aliases", "aliases_patch", "vendor", "skip", "flagged"),
    [c[1:] for c in NON_COLLABORATORS],
    ids=[c[0] for c in NON_COLLABORATORS],
)
async def test_non_collaborators(
    files: list[str],
    owners: str,
    owners_patch: str,
    aliases: str,
    aliases_patch: str,
    vendor: bool,
    skip: bool,
    flagged: bool,
) -> None:
    head: dict[str, str] = {}
    changes = []
    for name in files:
        if name.endswith("OWNERS_ALIASES"):
            head[name] = ALIASES[aliases]
            changes.append(
                {"filename": name, "patch": ALIASES_PATCH[aliases_patch], "status": "modified"}
            )
        else:
            head[name] = OWNERS_FILES[owners]
            changes.append(
                {
                    "filename": name,
                    "patch": OWNERS_PATCH.get(owners_patch, ""),
                    "status": "modified",
                }
            )
    settings: dict[str, Any] = {"skip_collaborators": skip}
    if not vendor:
        settings["dir_denylist"] = ["vendor/.*/.*$"]
    effects = await run(Reads(changes, head), **settings)
    comments = [e.body for e in effects if isinstance(e, Comment)]
    assert (labelled(effects), bool(comments)) == (flagged, flagged)
    if flagged:
        assert NOT_TRUSTED in comments[0]
        assert comments[0].startswith(
            "The OWNERS file contains untrusted users, which makes it INVALID."
        )
