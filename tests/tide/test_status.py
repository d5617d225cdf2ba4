"""The `tide` context: Prow's TestExpectedStatus, TestTargetUrl and retestingStatus cases
(pkg/tide/status_test.go), ported."""

from __future__ import annotations

import pytest

from bowsprit.api.prowconfig import TideConfig
from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.tide.contexts import ContextChecker
from bowsprit.tide.decide import PoolSettings, merge_blocked_reason
from bowsprit.tide.model import Blocker
from bowsprit.tide.status import (
    IN_POOL,
    expected_status,
    requirement_diff,
    retesting,
    target_url,
)
from tests.tide.build import pr

NEEDED_WITH_ALT = [
    "need-1",
    "need-2",
    "need-a-very-super-duper-extra-not-short-at-all-label-name,need-3",
]
NEEDED = ["need-1", "need-2", "need-a-very-super-duper-extra-not-short-at-all-label-name"]
FORBIDDEN = ["forbidden-1", "forbidden-2"]


def queries(
    author: str = "",
    deny: list[str] | None = None,
    allow: list[str] | None = None,
    extra: list[TidePoolSpec] | None = None,
) -> list[TidePoolSpec]:
    first = TidePoolSpec(
        orgs=["o"],
        excludedBranches=deny,
        includedBranches=allow,
        labels=NEEDED_WITH_ALT,
        missingLabels=FORBIDDEN,
        author=author or None,
        milestone="v1.0",
    )
    second = TidePoolSpec(
        orgs=["o"],
        labels=["1", "2", "3", "4", "5", "6", "7"],
        author=author or None,
        milestone="v1.0",
    )
    return [first, second, *(extra or [])]


CASES = [
    ("in pool", {"in_pool": True}, {}, ("success", IN_POOL)),
    (
        "check truncation of label list",
        {"author": "batman", "milestone": "v1.0"},
        {"author": "batman"},
        ("pending", "Not mergeable. Needs need-1, need-2 labels."),
    ),
    (
        "check truncation of label list is not excessive",
        {"labels": NEEDED[:2], "author": "batman", "milestone": "v1.0"},
        {"author": "batman"},
        (
            "pending",
            "Not mergeable. Needs need-a-very-super-duper-extra-not-short-at-all-label-name"
            " or need-3 label.",
        ),
    ),
    (
        "has forbidden labels",
        {"labels": NEEDED + FORBIDDEN, "author": "batman", "milestone": "v1.0"},
        {"author": "batman"},
        ("pending", "Not mergeable. Should not have forbidden-1, forbidden-2 labels."),
    ),
    (
        "has one forbidden label",
        {"labels": [*NEEDED, FORBIDDEN[0]], "author": "batman", "milestone": "v1.0"},
        {"author": "batman"},
        ("pending", "Not mergeable. Should not have forbidden-1 label."),
    ),
    (
        "only mention one requirement class",
        {"labels": [*NEEDED[1:], FORBIDDEN[0]], "author": "batman", "milestone": "v1.0"},
        {"author": "batman"},
        ("pending", "Not mergeable. Needs need-1 label."),
    ),
    (
        "mention all possible queries when opted in",
        {"labels": [*NEEDED[1:], FORBIDDEN[0]], "author": "batman", "milestone": "v1.0"},
        {"author": "batman", "display_all": True},
        ("pending", "Not mergeable. Needs need-1 label OR Needs 1, 2, 3, 4, 5, 6, 7 labels."),
    ),
    (
        "displayAllTideQueries when there is no matching query",
        {
            "branch": "bad",
            "labels": [*NEEDED[1:], FORBIDDEN[0]],
            "author": "batman",
            "milestone": "v1.0",
        },
        {"author": "batman", "deny": ["bad"], "same_branch": True, "display_all": True},
        ("pending", "Not mergeable. No Tide query for branch bad found."),
    ),
    (
        "against excluded branch",
        {"branch": "bad", "labels": NEEDED},
        {"deny": ["bad"], "same_branch": True},
        ("pending", "Not mergeable. Merging to branch bad is forbidden."),
    ),
    (
        "not against included branch",
        {"branch": "bad", "labels": NEEDED},
        {"allow": ["good"], "same_branch": True},
        ("pending", "Not mergeable. Merging to branch bad is forbidden."),
    ),
    (
        "choose query for correct branch",
        {"branch": "bad", "labels": NEEDED, "author": "batman", "milestone": "v1.0"},
        {"author": "batman", "allow": ["good"]},
        ("pending", "Not mergeable. Needs 1, 2, 3, 4, 5, 6, 7 labels."),
    ),
    (
        "tides own context failed but is ignored",
        {
            "labels": NEEDED,
            "author": "batman",
            "milestone": "v1.0",
            "contexts": [("tide", "error")],
        },
        {"author": "batman"},
        ("success", IN_POOL),
    ),
    (
        "single bad context",
        {
            "labels": NEEDED,
            "author": "batman",
            "milestone": "v1.0",
            "contexts": [("job-name", "error")],
        },
        {"author": "batman"},
        ("pending", "Not mergeable. Job job-name has not succeeded."),
    ),
    (
        "multiple bad contexts",
        {
            "labels": NEEDED,
            "author": "batman",
            "milestone": "v1.0",
            "contexts": [("job-name", "error"), ("other-job-name", "error")],
        },
        {"author": "batman"},
        ("pending", "Not mergeable. Jobs job-name, other-job-name have not succeeded."),
    ),
    (
        "wrong author",
        {"labels": NEEDED, "author": "robin", "milestone": "v1.0"},
        {"author": "batman"},
        ("pending", "Not mergeable. Must be by author batman."),
    ),
    (
        "wrong milestone",
        {"labels": NEEDED, "author": "batman", "milestone": "v2.0"},
        {"author": "batman"},
        ("pending", "Not mergeable. Must be in milestone v1.0."),
    ),
    (
        "merge conflict",
        {"labels": NEEDED, "mergeable": False},
        {},
        ("error", "Not mergeable. PR has a merge conflict."),
    ),
    (
        "blocked by one issue",
        {"labels": NEEDED},
        {"blocks": [1]},
        ("error", "Not mergeable. Merging is blocked by issue 1."),
    ),
    (
        "blocked by issues",
        {"labels": NEEDED},
        {"blocks": [1, 2]},
        ("error", "Not mergeable. Merging is blocked by issues 1, 2."),
    ),
    (
        "in pool, retesting",
        {"in_pool": True},
        {"required": ["unit"]},
        ("pending", "Not mergeable. Retesting: unit"),
    ),
    (
        "in pool, passing on this base",
        {"in_pool": True},
        {"required": ["unit"], "passing": ["unit"]},
        ("success", IN_POOL),
    ),
]


@pytest.mark.parametrize(
    ("pull", "options", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_expected_status(pull: dict, options: dict, expected: tuple[str, str]) -> None:  # type: ignore[type-arg]
    in_pool = pull.pop("in_pool", False)
    subject = pr(1, **pull)
    spec = queries(options.get("author", ""), options.get("deny"), options.get("allow"))
    if options.get("same_branch"):  # Prow's sameBranchReqs
        branches = {
            "excludedBranches": options.get("deny"),
            "includedBranches": options.get("allow"),
        }
        spec[1] = spec[1].model_copy(update=branches)
    checker = ContextChecker(required=frozenset(options.get("required", [])))
    settings = PoolSettings(checker=checker, squash_label="tide/squash", merge_label="tide/merge")
    blocks = [Blocker("o", "r", n, "") for n in options.get("blocks", [])]
    found = expected_status(
        subject,
        spec,
        checker,
        in_pool=in_pool,
        merge_blocked=merge_blocked_reason(subject, settings),
        blockers=blocks,
        passing_current=options.get("passing", []),
        display_all=options.get("display_all", False),
    )
    assert found == expected


def test_conflicting_merge_labels_are_an_error() -> None:
    subject = pr(1, labels=[*NEEDED, "tide/merge", "tide/squash"])
    settings = PoolSettings(squash_label="tide/squash", merge_label="tide/merge")
    found = expected_status(
        subject,
        queries(),
        settings.checker,
        in_pool=False,
        merge_blocked=merge_blocked_reason(subject, settings),
        blockers=[],
        passing_current=[],
    )
    assert found == ("error", "Not mergeable. PR has conflicting merge method override labels")


def test_retesting_lists_jobs_until_too_long() -> None:
    assert retesting(["b", "a"]) == "Not mergeable. Retesting: a b"
    many = [f"a-rather-long-job-name-{n}" for n in range(8)]
    assert retesting(many) == "Not mergeable. Retesting 8 jobs."


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (TideConfig(), ""),
        (TideConfig(target_url="https://tide.com"), "https://tide.com"),
        (TideConfig(target_urls={"*": "https://tide.com"}), "https://tide.com"),
        (TideConfig(target_urls={"o": "https://tide.com"}), "https://tide.com"),
        (TideConfig(target_urls={"o/r": "https://tide.com", "*": "https://x"}), "https://tide.com"),
        (
            TideConfig(pr_status_base_url="https://prow.k8s.io/pr"),
            "https://prow.k8s.io/pr?query=is%3Apr+repo%3Ao%2Fr+author%3Aalice+head%3Apr-1",
        ),
    ],
    ids=[
        "no config",
        "tide overview config",
        "wildcard",
        "org",
        "repo over wildcard",
        "PR dashboard config",
    ],
)
def test_target_url(config: TideConfig, expected: str) -> None:
    assert target_url(config, pr(1)) == expected


@pytest.mark.parametrize(
    ("table", "org", "repo", "state", "blocked"),
    [
        ({"*": "block"}, "o", "r", "BLOCKED", True),
        ({"*": "permit"}, "o", "r", "BLOCKED", False),
        ({"*": "ignore"}, "o", "r", "BLOCKED", False),
        (None, "o", "r", "BLOCKED", False),
        ({"o": "block"}, "o", "r", "BLOCKED", True),
        ({"o": "block"}, "other", "r", "BLOCKED", False),
        ({"o/r": "block"}, "o", "r", "BLOCKED", True),
        ({"o/r": "block"}, "o", "other", "BLOCKED", False),
        ({"o": "block", "o/r": "ignore"}, "o", "r", "BLOCKED", False),
        ({"o": "ignore", "o/r": "block"}, "o", "r", "BLOCKED", True),
        ({"*": "block"}, "o", "r", "CLEAN", False),
    ],
    ids=[
        "Block policy globally",
        "Permit policy globally",
        "Ignore policy globally",
        "Policy not configured (default to permit)",
        "Block policy for specific org",
        "different org uses the default",
        "Block policy for specific repo",
        "different repo uses the default",
        "repo overrides org: ignore",
        "repo overrides org: block",
        "CLEAN merge state",
    ],
)
def test_github_merge_blocks_policy(
    table: dict[str, str] | None, org: str, repo: str, state: str, blocked: bool
) -> None:
    """Prow's TestGitHubMergeBlocksPolicy (requirementDiff) and poolStatus."""
    from dataclasses import replace

    from bowsprit.tide.settings import by_repo

    policy = by_repo(table, org, repo, "permit")
    subject = replace(pr(1, labels=NEEDED), org=org, repo=repo, merge_state=state)
    query = TidePoolSpec(orgs=["o"])
    desc, _ = requirement_diff(subject, query, ContextChecker(), policy)
    assert ("Blocked by GitHub" in desc) is blocked
    settings = PoolSettings(merge_blocks_policy=policy)
    assert bool(merge_blocked_reason(subject, settings)) is blocked
    in_pool = expected_status(
        subject,
        [query],
        ContextChecker(),
        in_pool=True,
        merge_blocked="",
        blockers=[],
        passing_current=[],
        blocks_policy=policy,
    )
    despite = policy == "permit" and state == "BLOCKED"
    assert in_pool == ("success", "In merge pool (despite BLOCKED)." if despite else IN_POOL)
