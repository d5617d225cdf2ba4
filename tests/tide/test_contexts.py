"""Context policy: Prow's TestTideContextPolicy_IsOptional, _MissingRequiredContexts,
TestConfigGetTideContextPolicy and TestParseTideContextPolicyOptions
(pkg/config/tide_test.go), ported; and the search queries (TestTideQuery,
TestOrgQueries)."""

from __future__ import annotations

import re

import pytest

from bowsprit.api.tidepool import TideContextPolicy, TideContextPolicyOptions, TidePoolSpec
from bowsprit.tide.contexts import ContextChecker, branch_policy, required_presubmits
from bowsprit.tide.gather import open_queries, pool_queries
from tests.tide.build import job, pr


@pytest.mark.parametrize(
    ("skip", "required", "optional", "regex", "contexts", "results"),
    [
        (False, [], ["o1", "o2"], [], ["c1", "o1", "o2"], [False, True, True]),
        (False, [], [], [], ["t2"], [False]),
        (False, ["c1", "c2", "c3"], [], [], ["c1", "c2", "c3", "t1"], [False] * 4),
        (
            False,
            ["c1", "c2", "c3"],
            ["o1", "o2"],
            [],
            ["o1", "o2", "c1", "c2", "c3", "t1"],
            [True, True, False, False, False, False],
        ),
        (True, [], ["o1", "o2"], [], ["c1", "o1", "o2"], [True, True, True]),
        (True, [], [], [], ["t2"], [True]),
        (True, ["c1", "c2", "c3"], [], [], ["c1", "c2", "c3", "t1"], [False, False, False, True]),
        (
            True,
            ["c1", "c2", "c3"],
            ["o1", "o2"],
            [],
            ["o1", "o2", "c1", "c2", "c3", "t1"],
            [True, True, False, False, False, True],
        ),
        (True, [], [], ["o.*"], ["c1", "o1", "o2"], [True, True, True]),
        (False, [], [], ["o.*"], ["c1", "o1", "o2"], [False, True, True]),
        (
            False,
            ["c1", "c2", "c3"],
            [],
            ["o.*"],
            ["o1", "o2", "c1", "c2", "c3", "t1"],
            [True, True, False, False, False, False],
        ),
    ],
)
def test_is_optional(skip, required, optional, regex, contexts, results) -> None:  # type: ignore[no-untyped-def]
    checker = ContextChecker(
        frozenset(required),
        frozenset(),
        frozenset(optional),
        tuple(re.compile(r) for r in regex),
        skip,
    )
    assert [checker.is_optional(c) for c in contexts] == results


@pytest.mark.parametrize(
    ("required", "existing", "missing"),
    [
        ([], ["c1", "c2"], []),
        (["c1", "c2", "c3"], ["c1", "c2"], ["c3"]),
        (["c1", "c2", "c3"], ["c1", "c2", "c3"], []),
        (["c1", "c2"], ["c1", "c2", "c4"], []),
    ],
)
def test_missing_required_contexts(
    required: list[str], existing: list[str], missing: list[str]
) -> None:
    assert ContextChecker(required=frozenset(required)).missing_required(existing) == missing


def test_policy_from_prow_jobs() -> None:
    """ "no policy - use prow jobs": always_run jobs required, optional ones optional;
    conditional jobs required if present; jobs of other branches not at all."""
    jobs = [
        job("pr1"),
        job("po1", optional=True),
        job("docs", run_if_changed="^docs/"),
        job("manual", always_run=False),
        job("release", branches=["release-1"]),
    ]
    policy = branch_policy("o", "r", "master", jobs)
    assert policy.required == {"pr1"}
    assert policy.optional == {"po1"}
    assert policy.required_if_present == {"docs", "manual"}


def test_options_merge_from_global_to_branch_and_pool() -> None:
    """TestParseTideContextPolicyOptions: lists join, booleans override."""
    options = TideContextPolicyOptions.model_validate(
        {
            "required-contexts": ["global"],
            "skip-unknown-contexts": True,
            "orgs": {
                "o": {
                    "required-contexts": ["org"],
                    "repos": {
                        "r": {
                            "optional-contexts": ["repo-optional"],
                            "branches": {
                                "master": {
                                    "required-contexts": ["branch"],
                                    "skip-unknown-contexts": False,
                                }
                            },
                        }
                    },
                }
            },
        }
    )
    policy = branch_policy("o", "r", "master", [], options)
    assert policy.required == {"global", "org", "branch"}
    assert policy.optional == {"repo-optional"}
    assert policy.skip_unknown is False
    other = branch_policy("o", "r", "dev", [], options)
    assert other.required == {"global", "org"} and other.skip_unknown is True
    pool = TideContextPolicy.model_validate({"required-if-present-contexts": ["pool"]})
    assert branch_policy("x", "y", "z", [], options, pool).required_if_present == {"pool"}


def test_branch_protection_contexts_only_when_asked() -> None:
    asked = TideContextPolicyOptions.model_validate({"from-branch-protection": True})
    assert branch_policy("o", "r", "m", [], asked, protected=["bp"]).required == {"bp"}
    assert branch_policy("o", "r", "m", [], None, protected=["bp"]).required == frozenset()


def test_required_presubmits_per_pr() -> None:
    """TestPresubmitsByPull: file filters decide per PR; run_before_merge always."""
    jobs = [
        job("unit"),
        job("docs", run_if_changed="^docs/"),
        job("optional", optional=True),
        job("manual", always_run=False),
        job("gate", always_run=False, run_before_merge=True),
    ]
    code = required_presubmits(jobs, "master", pr(1, files=["main.go"]))
    doc = required_presubmits(jobs, "master", pr(2, files=["docs/x.md"]))
    assert [j.context for j in code] == ["gate", "unit"]
    assert [j.context for j in doc] == ["docs", "gate", "unit"]


TEST_QUERY = TidePoolSpec(
    orgs=["org"],
    repos=["k/k", "k/t-i"],
    excludedRepos=["org/repo"],
    labels=["lgtm", "approved", "this,or,that"],
    missingLabels=["foo"],
    author="batman",
    milestone="milestone",
    reviewApprovedRequired=True,
)
COMPONENTS = [
    "is:pr",
    "state:open",
    "archived:false",
    'label:"lgtm"',
    'label:"approved"',
    'label:"this","or","that"',
    '-label:"foo"',
    'author:"batman"',
    'milestone:"milestone"',
    "review:approved",
]


def test_org_queries() -> None:
    queries = pool_queries(TEST_QUERY)
    assert sorted(queries) == ["k", "org"]
    for query in queries.values():
        tokens = query.split()
        assert len(tokens) == len(set(tokens))
        for component in COMPONENTS:
            assert component in tokens
    assert 'org:"org"' in queries["org"].split() and '-repo:"org/repo"' in queries["org"].split()
    assert {'repo:"k/k"', 'repo:"k/t-i"'} <= set(queries["k"].split())


def test_open_prs_queries() -> None:
    """TestOpenPRsQuery: every open PR of the pools' orgs and repos, one search per org."""
    assert open_queries([TEST_QUERY]) == {
        "k": 'is:pr state:open archived:false repo:"k/k" repo:"k/t-i"',
        "org": 'is:pr state:open archived:false org:"org"',
    }


def test_branch_protection_contexts_from_the_converted_prowconfig() -> None:
    """`spec.tide.branch_protection` as `bowsprit convert` writes it (org -> repo ->
    branch, `*` for the others)."""
    from types import SimpleNamespace

    from bowsprit.tide.settings import protected_contexts

    def checks(*names: str) -> dict[str, object]:
        return {"required_status_checks": {"contexts": list(names)}}

    config = SimpleNamespace(
        branch_protection={
            "o": {
                "*": {"*": checks("org-wide")},
                "r": {"*": checks("org-wide", "repo"), "release": checks("rel")},
            }
        }
    )
    assert protected_contexts(config, "o", "r", "main") == ["org-wide", "repo"]  # type: ignore[arg-type]
    assert protected_contexts(config, "o", "r", "release") == ["rel"]  # type: ignore[arg-type]
    assert protected_contexts(config, "o", "other", "main") == ["org-wide"]  # type: ignore[arg-type]
    assert protected_contexts(config, "x", "r", "main") == []  # type: ignore[arg-type]
