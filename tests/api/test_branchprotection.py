"""Prow's branch-protection resolved into the contexts tide requires (cases after Prow's
pkg/config/branch_protection_test.go TestConfig_GetBranchProtection and TestApply)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bowsprit.api.branchprotection import BranchRequirements, required_contexts, resolve
from bowsprit.api.prowconfig import ProwConfig
from bowsprit.api.prowimport import import_prow_config


def lookup(section: dict[str, Any], org: str, repo: str, branch: str) -> list[str]:
    resolved = {
        o: {
            r: {b: BranchRequirements.model_validate(v) for b, v in bs.items()}
            for r, bs in rs.items()
        }
        for o, rs in resolve(section).items()
    }
    return required_contexts(resolved, org, repo, branch)


CHECKS = {"required_status_checks": {"contexts": ["a"]}}


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({}, []),  # unprotected by default
        ({"protect": True, **CHECKS, "orgs": {"unknown": {}}}, []),  # undefined org
        ({"protect": True, **CHECKS, "orgs": {"org": {}}}, ["a"]),  # config default
        ({"orgs": {"org": {"protect": True, **CHECKS}}}, ["a"]),  # org default
        ({"orgs": {"org": {"repos": {"repo": {"protect": True, **CHECKS}}}}}, ["a"]),
        (
            {
                "orgs": {
                    "org": {
                        "repos": {"repo": {"branches": {"branch": {"protect": True, **CHECKS}}}}
                    }
                }
            },
            ["a"],
        ),
        # ignore other org settings
        ({"protect": False, **CHECKS, "orgs": {"other": {"protect": True}, "org": {}}}, []),
        # contexts are a union down the levels; protect is the most specific one set
        (
            {
                "protect": True,
                **CHECKS,
                "orgs": {
                    "org": {
                        "required_status_checks": {"contexts": ["b"]},
                        "repos": {
                            "repo": {
                                "branches": {
                                    "branch": {"required_status_checks": {"contexts": ["c", "a"]}}
                                }
                            }
                        },
                    }
                },
            },
            ["a", "b", "c"],
        ),
        # a branch that turns protection off requires nothing, even under a protected repo
        (
            {
                "orgs": {
                    "org": {
                        "protect": True,
                        **CHECKS,
                        "repos": {"repo": {"branches": {"branch": {"protect": False}}}},
                    }
                }
            },
            [],
        ),
        # protected but without contexts: nothing to require
        ({"protect": True, "orgs": {"org": {}}}, []),
    ],
)
def test_required_contexts(section: dict[str, Any], expected: list[str]) -> None:
    assert lookup(section, "org", "repo", "branch") == expected


def test_other_repos_and_branches_use_the_wildcards() -> None:
    section = {
        "orgs": {
            "org": {
                "protect": True,
                "required_status_checks": {"contexts": ["dco"]},
                "repos": {
                    "listed": {
                        "required_status_checks": {"contexts": ["test"]},
                        "branches": {"old": {"protect": False}},
                    }
                },
            }
        }
    }
    assert lookup(section, "org", "unlisted", "main") == ["dco"]
    assert lookup(section, "org", "listed", "main") == ["dco", "test"]
    assert lookup(section, "org", "listed", "old") == []
    assert lookup(section, "other", "listed", "main") == []


def test_falco_branch_protection_reaches_tide(falco_config: Any) -> None:
    document = yaml.safe_load((falco_config / "prow/aws/config.yaml").read_text())
    (config,) = [obj for obj in import_prow_config(document).objects if isinstance(obj, ProwConfig)]
    protection = config.spec.tide.branch_protection
    assert protection is not None
    # Falco: dco for every repo of the org, plus each repo's own contexts.
    assert required_contexts(protection, "falcosecurity", "charts", "master") == [
        "dco",
        "readme",
        "test",
    ]
    assert required_contexts(protection, "falcosecurity", "falco", "release/0.45.x") == [
        "dco",
        "format code 🐲",
        "test-dev-packages / test-packages",
        "test-dev-packages-arm64 / test-packages",
    ]
    assert required_contexts(protection, "falcosecurity", "advocacy", "master") == ["dco"]
    assert required_contexts(protection, "kubernetes", "test-infra", "master") == []
