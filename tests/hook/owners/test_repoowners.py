# ruff: noqa: E501 - Prow's expected texts and OWNERS files are kept on their own lines
"""Prow's pkg/repoowners/repoowners_test.go tables, on OWNERS files written out as text
(so parsing, aliases and filters are exercised as well as the queries)."""

from __future__ import annotations

import pytest

from bowsprit.hook.plugins.owners.repoowners import (
    OwnersError,
    RepoOwners,
    expand_aliases,
    parse_aliases,
    parse_owners,
)

# TestGetApprovers' RepoOwners: base "", leaf "a/b/c", leaf filter "a/b/e",
# no-parents "d", no-parents filter "f".
GET_APPROVERS = RepoOwners.build(
    {
        "OWNERS": "approvers: [alice, bob]",
        "a/b/c/OWNERS": "approvers: [carl, dave]",
        "a/b/e/OWNERS": 'filters:\n  ".*\\\\.md": {approvers: [carl, dave]}\n'
        '  ".*\\\\.txt": {approvers: [elic]}\n',
        "d/OWNERS": "options: {no_parent_owners: true}\napprovers: [mml]",
        "f/OWNERS": 'options: {no_parent_owners: true}\nfilters:\n  ".*\\\\.md": {approvers: [carl, dave]}\n'
        '  ".*\\\\.txt": {approvers: [flex]}\n',
    }
)
BASE, LEAF = {"alice", "bob"}, {"carl", "dave"}


@pytest.mark.parametrize(
    ("path", "owners_path", "leaf", "everyone"),
    [
        ("testFile.md", "", BASE, BASE),
        ("a/b/c/testFile.md", "a/b/c", LEAF, BASE | LEAF),
        ("a/b/e/testFile.md", "a/b/e", LEAF, BASE | LEAF),
        ("a/b/e/testFile.dat", "", BASE, BASE),
        ("d/testFile.go", "d", {"mml"}, {"mml"}),
        ("f/testFile.txt", "f", {"flex"}, {"flex"}),
        ("f/testFile.go_to_parent", "", BASE, BASE),
        ("DELETED_DIR/testFile.md", "", BASE, BASE),
    ],
    ids=[
        "modified base dir only",
        "modified leaf dir only",
        "regexp matched file in leaf dir",
        "regexp not matched file in leaf dir",
        "no_parent_owners dir",
        "regexp matched file in no_parent_owners dir",
        "regexp not matched file in no_parent_owners dir",
        "nonexistent dir defaults to base",
    ],
)
def test_get_approvers(path: str, owners_path: str, leaf: set[str], everyone: set[str]) -> None:
    assert GET_APPROVERS.leaf_approvers(path) == leaf
    assert GET_APPROVERS.approvers(path).set() == everyone
    assert GET_APPROVERS.find_approver_owners_for_file(path) == owners_path


LABELS = RepoOwners.build(
    {"OWNERS": "labels: [sig/godzilla]", "a/b/c/OWNERS": "labels: [wg/save-tokyo]"}
)


@pytest.mark.parametrize(
    ("path", "labels"),
    [
        ("foo.txt", {"sig/godzilla"}),
        ("", {"sig/godzilla"}),
        (".", {"sig/godzilla"}),
        ("a/b/c/foo.txt", {"sig/godzilla", "wg/save-tokyo"}),
        ("a/b/foo.txt", {"sig/godzilla"}),
    ],
)
def test_find_labels_for_path(path: str, labels: set[str]) -> None:
    """Prow's TestFindLabelsForPath (its `./foo.txt` case is Go path cleaning, not ours)."""
    assert LABELS.find_labels_for_file(path) == labels


# Prow's testFiles (the OWNERS ones) and its aliases file.
TEST_FILES = {
    "OWNERS": "approvers:\n- cjwagner\nreviewers:\n- Alice\n- bob\nrequired_reviewers:\n- chris\n"
    "labels:\n- EVERYTHING",
    "src/OWNERS": "approvers:\n- Best-Approvers",
    "src/dir/OWNERS": 'approvers:\n- bob\nreviewers:\n- alice\n- "@CJWagner"\n- jakub\n'
    "required_reviewers:\n- ben\nlabels:\n- src-code",
    "src/dir/subdir/OWNERS": "approvers:\n- bob\n- alice\nreviewers:\n- bob\n- alice",
    "src/dir/conformance/OWNERS": "options:\n  no_parent_owners: true\n"
    "  auto_approve_unowned_subfolders: true\napprovers:\n- mml",
    "vendor/OWNERS": "approvers:\n- alice",
    "vendor/k8s.io/client-go/OWNERS": "approvers:\n- bob",
}
ALIASES = (
    "aliases:\n  Best-approvers:\n  - carl\n  - cjwagner\n  best-reviewers:\n  - Carl\n  - BOB"
)


def test_load_repo_owners_with_aliases() -> None:
    """Prow's TestLoadRepoOwnersV2 "Simple alias" expectations."""
    owners = RepoOwners.build(TEST_FILES, aliases=parse_aliases(ALIASES))
    assert owners.leaf_approvers("src/x.go") == {"carl", "cjwagner"}
    assert owners.leaf_reviewers("src/dir/x.go") == {"alice", "cjwagner", "jakub"}
    assert owners.required_reviewers("src/dir/x.go") == {"ben", "chris"}
    assert owners.find_labels_for_file("src/dir/x.go") == {"EVERYTHING", "src-code"}
    assert owners.is_no_parent_owners("src/dir/conformance")
    assert owners.is_auto_approve_unowned_subfolders("src/dir/conformance")
    assert owners.approvers("src/dir/conformance/x.go").set() == {"mml"}
    assert owners.top_level_approvers() == {"cjwagner"}
    assert owners.all_reviewers() == {"alice", "bob", "cjwagner", "jakub"}


def test_collaborator_filter() -> None:
    """Prow's "Filter collaborators": approvers and reviewers who are not collaborators go."""
    owners = RepoOwners.build(TEST_FILES).filter_collaborators(["cjwagner", "jakub"])
    assert owners.approvers("src/dir/x.go").set() == {"cjwagner"}
    assert owners.reviewers("src/dir/x.go").set() == {"cjwagner", "jakub"}
    assert owners.required_reviewers("src/dir/x.go") == {"ben", "chris"}


def test_dir_denylist() -> None:
    """Prow's TestOwnersDirDenylist: denied folders' OWNERS files are ignored."""
    owners = RepoOwners.build(TEST_FILES, dir_denylist=["^vendor/"])
    assert owners.leaf_approvers("vendor/k8s.io/client-go/x.go") == {"alice"}
    owners = RepoOwners.build(TEST_FILES, dir_denylist=["^vendor"])
    assert owners.leaf_approvers("vendor/k8s.io/client-go/x.go") == {"cjwagner"}


def test_regexp_filtering() -> None:
    """Prow's TestOwnersRegexpFiltering (testFilesRe)."""
    owners = RepoOwners.build(
        {
            "re/OWNERS": 'filters:\n  ".*":\n    labels:\n    - re/all\n  "\\\\.go$":\n    labels:\n    - re/go',
            "re/a/OWNERS": 'filters:\n  "\\\\.md$":\n    labels:\n    - re/md-in-a\n  "\\\\.go$":\n'
            "    labels:\n    - re/go-in-a",
        }
    )
    assert owners.find_labels_for_file("re/file.go") == {"re/all", "re/go"}
    assert owners.find_labels_for_file("re/file.txt") == {"re/all"}
    assert owners.find_labels_for_file("re/a/file.go") == {"re/all", "re/go", "re/go-in-a"}
    assert owners.find_labels_for_file("re/a/file.md") == {"re/all", "re/md-in-a"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aliases:\n  a: [x, Y]\n  B: {z: 1}\n  c:\n", {"a": {"x", "y"}, "b": {"z"}, "c": set()}),
        ("", {}),
    ],
)
def test_parse_aliases(text: str, expected: dict[str, set[str]]) -> None:
    """Prow's TestParseAliasesConfig: lists, maps and empty groups."""
    assert parse_aliases(text) == expected


def test_bad_files_name_the_field() -> None:
    with pytest.raises(OwnersError, match="alias group 'a' must contain a list of members"):
        parse_aliases("aliases:\n  a: bob")
    with pytest.raises(OwnersError, match=r"OWNERS\.approvers: expected a list"):
        parse_owners("approvers: bob")
    broken = RepoOwners.build({"OWNERS": "approvers: [a]", "x/OWNERS": "approvers: ["})
    assert broken.leaf_approvers("x/y") == {"a"} and len(broken.problems) == 1


ALIAS_TEAMS = {
    "team/t1": frozenset({"u1", "u2"}),
    "team/t2": frozenset({"u1", "u3"}),
    "team/t3": frozenset(),
}


@pytest.mark.parametrize(
    ("logins", "expanded"),
    [
        ({"abc", "def"}, {"abc", "def"}),
        ({"abc", "team/t1"}, {"abc", "u1", "u2"}),
        ({"u1", "team/t1"}, {"u1", "u2"}),
        ({"u1", "team/t1", "team/t2"}, {"u1", "u2", "u3"}),
        ({"Team/T1"}, {"u1", "u2"}),
        ({"Team/T3"}, set()),
    ],
    ids=[
        "no expansions",
        "one alias",
        "duplicates inside and outside",
        "duplicates in several",
        "mixed case",
        "empty team",
    ],
)
def test_expand_aliases(logins: set[str], expanded: set[str]) -> None:
    """Prow's TestExpandAliases."""
    assert expand_aliases(ALIAS_TEAMS, logins) == expanded


@pytest.mark.parametrize(
    ("text", "expected", "error"),
    [
        (
            "aliases:\n  team1:\n    - alice\n    - bob\n  team2:\n    - nikhilnishad\n",
            {"team1": {"alice", "bob"}, "team2": {"nikhilnishad"}},
            "",
        ),
        ("aliases:\n  team1: {alice, bob}\n", {"team1": {"alice", "bob"}}, ""),
        (
            "aliases:\n  empty-alias-group-with-braces: {}\n",
            {"empty-alias-group-with-braces": set()},
            "",
        ),
        ("aliases:\n  empty-alias-group:\n", {"empty-alias-group": set()}, ""),
        (
            "aliases:\n  alias-group-1:\n    - user1\n    alias-group-2:\n    - user2\n",
            None,
            "OWNERS_ALIASES",
        ),
        ('aliases:\n  alias-group-1: ""\n', None, "must contain a list of members"),
    ],
    ids=[
        "valid",
        "flow style mapping",
        "empty group with braces",
        "empty group",
        "bad indentation",
        "string group",
    ],
)
def test_parse_aliases_config(text: str, expected: dict[str, set[str]] | None, error: str) -> None:
    """Prow's TestParseAliasesConfig."""
    if expected is None:
        with pytest.raises(OwnersError, match=error):
            parse_aliases(text)
    else:
        assert parse_aliases(text) == expected
