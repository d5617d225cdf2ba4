"""Which of plank's default decoration configs apply to a job, and in which order they
merge: Prow's cases, ported from pkg/config/config_test.go (TestDefaultMatches,
TestSetDecorationDefaults with complexConfig, TestFinalizeDefaultDecorationConfigs)."""

from __future__ import annotations

from typing import Any

import pytest

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.defaults import defaults_for, entry_matches, with_decoration_defaults

# TestDefaultMatches: (desc, given org/repo, given cluster, job's org/repo, job's cluster,
# want). Prow's Gerrit cases ("some-review.org") and http(s):// prefixed repositories are
# left out: Bowsprit's jobs only come from GitHub, whose refs carry neither.
MATCHES = [
    ("empty", "", "", "org/repo", "cluster", True),
    ("givenOrgRepo empty", "", "", "org/repo", "", True),
    ("givenOrgRepo star", "*", "", "org/repo", "", True),
    ("givenOrgRepo org match", "org", "", "org/repo", "", True),
    ("givenOrgRepo full match", "org/repo", "", "org/repo", "", True),
    ("givenOrgRepo org mismatch", "org2", "", "org/repo", "", False),
    ("givenOrgRepo repo mismatch", "org/repo2", "", "org/repo", "", False),
    ("givenCluster empty", "", "", "", "cluster", True),
    ("givenCluster star", "", "*", "", "cluster", True),
    ("givenCluster match", "", "cluster", "", "cluster", True),
    ("givenCluster mismatch", "", "cluster2", "", "cluster", False),
    # Bowsprit's own: the filters are names, not regular expressions (Bowsprit used to
    # match them as patterns), and an org filter does not match a periodic without refs.
    ("a pattern is not a pattern", "org/.*", "", "org/repo", "", False),
    ("a prefix of the org is not the org", "or", "", "org/repo", "", False),
    ("a cluster pattern is not a pattern", "", "clu.*", "", "cluster", False),
    ("an org filter and a job without refs", "org", "", "", "default", False),
    ("star and a job without refs", "*", "*", "", "default", True),
]


@pytest.mark.parametrize(
    ("given_repo", "given_cluster", "repo", "cluster", "want"),
    [case[1:] for case in MATCHES],
    ids=[case[0] for case in MATCHES],
)
def test_entry_matches_as_prow(
    given_repo: str, given_cluster: str, repo: str, cluster: str, want: bool
) -> None:
    assert entry_matches(given_repo, given_cluster, repo, cluster) is want


IMAGES = ("clonerefs", "initupload", "entrypoint", "sidecar")

# complexConfig() of Prow's config_test.go, buckets made s3:// (the only kind Bowsprit has).
COMPLEX = PlankConfig.model_validate(
    {
        "default_decoration_config_entries": [
            {
                "repo": "*",
                "cluster": "*",
                "config": {
                    "utility_images": {name: f"{name}:global" for name in IMAGES},
                    "gcs_configuration": {"bucket": "s3://global", "path_strategy": "explicit"},
                },
            },
            {
                "repo": "org",
                "cluster": "*",
                "config": {
                    "gcs_configuration": {
                        "bucket": "s3://org-specific",
                        "path_strategy": "explicit",
                    }
                },
            },
            {
                "repo": "org/repo",
                "cluster": "*",
                "config": {
                    "gcs_configuration": {
                        "bucket": "s3://repo-specific",
                        "path_strategy": "explicit",
                    }
                },
            },
            {
                "repo": "*",
                "cluster": "default",
                "config": {"gcs_credentials_secret": "default-cluster-uses-secret"},
            },
            {
                "repo": "*",
                "cluster": "trusted",
                "config": {"default_service_account_name": "trusted-cluster-uses-SA"},
            },
            {
                "repo": "override",
                "cluster": "trusted",
                "config": {
                    "utility_images": {"clonerefs": "clonerefs:override"},
                    "default_service_account_name": "",
                    "gcs_credentials_secret": "trusted-cluster-override-uses-secret",
                },
            },
        ]
    }
)


def images(clonerefs: str = "clonerefs:global") -> dict[str, str]:
    return {**{name: f"{name}:global" for name in IMAGES}, "clonerefs": clonerefs}


# TestSetDecorationDefaults, the complexConfig cases: (id, org/repo, cluster, expected).
COMPLEX_CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "unrecognized org, no cluster => use global + default cluster configs",
        "",
        "",
        {
            "utility_images": images(),
            "gcs_configuration": {"bucket": "s3://global", "path_strategy": "explicit"},
            "gcs_credentials_secret": "default-cluster-uses-secret",
        },
    ),
    (
        "unrecognized repo and explicit 'default' cluster => use global + org + default"
        " cluster configs",
        "org/foo",
        "default",
        {
            "utility_images": images(),
            "gcs_configuration": {"bucket": "s3://org-specific", "path_strategy": "explicit"},
            "gcs_credentials_secret": "default-cluster-uses-secret",
        },
    ),
    (
        "recognized repo and explicit 'trusted' cluster => use global + org + repo + trusted"
        " cluster configs",
        "org/repo",
        "trusted",
        {
            "utility_images": images(),
            "gcs_configuration": {"bucket": "s3://repo-specific", "path_strategy": "explicit"},
            "default_service_account_name": "trusted-cluster-uses-SA",
        },
    ),
    (
        "override org and in trusted cluster => use global + trusted cluster + override configs",
        "override/foo",
        "trusted",
        {
            "utility_images": images("clonerefs:override"),
            "gcs_configuration": {"bucket": "s3://global", "path_strategy": "explicit"},
            "default_service_account_name": "",
            "gcs_credentials_secret": "trusted-cluster-override-uses-secret",
        },
    ),
    (
        "override org and in default cluster => use global + default cluster configs",
        "override/foo",
        "default",
        {
            "utility_images": images(),
            "gcs_configuration": {"bucket": "s3://global", "path_strategy": "explicit"},
            "gcs_credentials_secret": "default-cluster-uses-secret",
        },
    ),
]


def periodic(repo: str, cluster: str, decoration: dict[str, Any] | None = None) -> ProwJobSpec:
    """A decorated periodic whose extra refs name `repo` (none when empty), as Prow
    resolves a periodic's repository; without decoration settings of its own by default."""
    body: dict[str, Any] = {
        "type": "periodic",
        "job": "periodic-job",
        "pod_spec": {"containers": [{"image": "golang", "command": ["make"]}]},
        "decoration_config": decoration or {},
    }
    if repo:
        org, name = repo.split("/")
        body["extra_refs"] = [{"org": org, "repo": name, "base_ref": "main"}]
    if cluster:
        body["cluster"] = cluster
    return ProwJobSpec.model_validate(body)


@pytest.mark.parametrize(
    ("repo", "cluster", "expected"),
    [case[1:] for case in COMPLEX_CASES],
    ids=[case[0] for case in COMPLEX_CASES],
)
def test_entries_merge_in_order_as_prow(repo: str, cluster: str, expected: dict[str, Any]) -> None:
    final = with_decoration_defaults(periodic(repo, cluster), COMPLEX).decoration_config
    assert final is not None
    assert final.model_dump(exclude_none=True) == expected


def test_the_jobs_own_settings_win_over_every_default() -> None:
    # TestSetDecorationDefaults: "dc in presubmit, plank's by repo config and defaults,
    # expected presubmit's dc" (field by field, as Prow's ApplyDefault).
    own = {"default_service_account_name": "the-jobs-own", "utility_images": {"sidecar": "mine"}}
    job = periodic("org/repo", "trusted", own)
    final = with_decoration_defaults(job, COMPLEX).decoration_config
    assert final is not None
    assert final.default_service_account_name == "the-jobs-own"
    assert final.gcs_configuration is not None
    assert final.gcs_configuration.bucket == "s3://repo-specific"
    assert final.utility_images is not None
    assert (final.utility_images.clonerefs, final.utility_images.sidecar) == (
        "clonerefs:global",
        "mine",
    )


def buckets(plank: PlankConfig, repo: str) -> list[str | None]:
    return [
        config.gcs_configuration.bucket if config.gcs_configuration else None
        for config in defaults_for(plank, repo, "default")
    ]


def test_the_map_form_orders_star_then_orgs_then_repositories() -> None:
    # defaultDecorationMapToSlice: `*` first, then orgs, then repositories, whatever the
    # order of the keys; a key applies only to its own org or repository.
    plank = PlankConfig.model_validate(
        {
            "default_decoration_configs": {
                f"{key}": {"gcs_configuration": {"bucket": f"s3://{key.replace('/', '-')}"}}
                for key in ("org/repo", "org", "other/repo", "*", "other")
            }
        }
    )
    assert buckets(plank, "org/repo") == ["s3://*", "s3://org", "s3://org-repo"]
    assert buckets(plank, "org/elsewhere") == ["s3://*", "s3://org"]
    assert buckets(plank, "") == ["s3://*"]
