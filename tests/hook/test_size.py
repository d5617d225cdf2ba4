"""The size plugin, with Prow's TestHandlePR table (pkg/plugins/size/size_test.go) run
against the HTTP fake GitHub, and Prow's gitattributes pattern cases
(pkg/gitattributes/pattern_test.go)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bowsprit.api.pluginconfig import SizeSettings
from bowsprit.clients.github import GitHubClient
from bowsprit.hook.plugins import size
from bowsprit.hook.plugins.generated import Pattern, PatternError
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.everyday_harness import pr_event, scene
from tests.hook.plugin_harness import FULL, apply, client, context, fake, github

__all__ = ["client", "fake", "github"]  # fixtures

GENERATED_FILES = """
\t\t\t\t\t\t# Comments
\t\t\t\t\t\tfile-name foobar

\t\t\t\t\t\tpath-prefix generated

\t\t\t\t\t\tpaths-from-repo docs/.generated_docs
"""
GENERATED_DOCS = """
\t\t\t\t\t# Comments work

\t\t\t\t\t# And empty lines don't matter
\t\t\t\t\tfoobar
\t\t\t\t\tmypath1
\t\t\t\t\tmypath2
\t\t\t\t\tmydir/mypath3
"""
MANY = {
    "foobar": (10, 10),
    "barfoo": (5, 0),
    "generated/what.txt": (30, 0),
    "generated/my/file.txt": (300, 0),
    "mypath1": (300, 0),
    "mydir/mypath3": (300, 0),
}


@dataclass(frozen=True)
class Case:
    name: str
    changes: dict[str, tuple[int, int]]
    final: list[str]
    action: str = "opened"
    files: dict[str, str] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    sizes: SizeSettings | None = None


CASES = [
    Case("simple size/S, no .generated_files", {"foobar": (10, 10), "barfoo": (3, 4)}, ["size/S"]),
    Case(
        "simple size/M, with .generated_files",
        {
            "foobar": (10, 10),
            "barfoo": (50, 0),
            "generated/what.txt": (30, 0),
            "generated/my/file.txt": (300, 0),
        },
        ["size/M"],
        files={".generated_files": "\n\t\tfile-name foobar\n\n\t\tpath-prefix generated\n"},
    ),
    Case(
        "simple size/M, with .gitattributes",
        {
            "foobar": (10, 10),
            "barfoo": (50, 0),
            "generated/what.txt": (30, 0),
            "generated/my/file.txt": (300, 0),
        },
        ["size/M"],
        files={
            ".gitattributes": "\n\t\t# comments\n\t\tfoobar linguist-generated=true\n"
            "\t\tgenerated/**/*.txt linguist-generated=true\n"
        },
    ),
    Case(
        "simple size/XS, with .generated_files and paths-from-repo",
        MANY,
        ["size/XS"],
        files={".generated_files": GENERATED_FILES, "docs/.generated_docs": GENERATED_DOCS},
    ),
    Case("pr closed event", {"foobar": (100, 0)}, [], action="closed"),
    Case(
        "XS -> S transition",
        MANY,
        ["irrelevant", "size/XS"],
        files={".generated_files": GENERATED_FILES, "docs/.generated_docs": GENERATED_DOCS},
        labels=["irrelevant", "size/XS"],
    ),
    Case(
        "pull request reopened",
        {"foobar": (10, 10), "barfoo": (3, 4)},
        ["size/S"],
        action="reopened",
    ),
    Case("pull request edited", {"foobar": (30, 40)}, ["size/M"], action="edited"),
    Case(
        "different label constraints",
        {"foobar": (10, 10), "barfoo": (3, 4)},
        ["size/XXL"],
        sizes=SizeSettings(s=0, m=1, l=2, xl=3, xxl=4),
    ),
    # Beyond Prow's table: a push re-labels, and Falco's thresholds.
    Case(
        "push moves M to L",
        {"foobar": (60, 40)},
        ["size/L"],
        action="synchronize",
        labels=["size/M"],
    ),
    Case(
        "Falco's thresholds",
        {"foobar": (60, 40)},
        ["size/L"],
        sizes=SizeSettings(s=10, m=30, l=90, xl=270, xxl=520),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_handle_pr(case: Case, github: FakeGitHub, client: GitHubClient) -> None:
    item = scene(github, labels=case.labels)
    item.files = list(case.changes)
    item.file_changes = dict(case.changes)
    github.git.set_files(FULL, "a" * 40, case.files)  # at the base commit
    ctx = context(client, "size", size=case.sizes)
    await apply(client, await size.handle_pull_request(ctx, pr_event(case.action)))
    assert sorted(label.name for label in item.labels) == sorted(case.final)


@pytest.mark.parametrize(
    ("lines", "label"),
    [(0, "size/XS"), (9, "size/XS"), (10, "size/S"), (29, "size/S"), (30, "size/M")]
    + [(99, "size/M"), (100, "size/L"), (499, "size/L"), (500, "size/XL"), (1000, "size/XXL")],
)
def test_bucket_with_prow_defaults(lines: int, label: str) -> None:
    assert size.bucket(lines, size.thresholds(None)) == label


def test_config_help_lists_the_configured_thresholds() -> None:
    shown = size.config_help(SizeSettings(s=10, m=30, l=90, xl=270, xxl=520))
    assert "<li>size/L:   90-269</li>" in shown
    assert "<li>size/XXL: 520+</li>" in shown


# Prow's pkg/gitattributes/pattern_test.go TestMatch.
@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("abc.json", "abc.json", True),
        ("abc.json", "a/abc.json", True),
        ("abc.js", "abc.json", False),
        ("*.json", "abc.json", True),
        ("a/*.json", "a/abc.json", True),
        ("*/abc.json", "a/abc.json", True),
        ("*/abc.json", "a/b/abc.json", False),
        ("**/abc.json", "a/b/abc.json", True),
        ("**/abc.js", "a/b/abc.json", False),
        ("a/**", "a/b/abc.json", True),
    ],
)
def test_gitattributes_patterns(pattern: str, path: str, matches: bool) -> None:
    assert Pattern.parse(pattern).match(path) is matches


# Prow's TestParsePattern: which patterns load.
@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        ("abc.json", False),
        ("!abc.json", True),
        ("abc/", True),
        ("abc/**", False),
        ("a/*/c", False),
        ("abc.json ", False),
    ],
)
def test_gitattributes_parse(pattern: str, refused: bool) -> None:
    if refused:
        with pytest.raises(PatternError):
            Pattern.parse(pattern)
    else:
        Pattern.parse(pattern)
