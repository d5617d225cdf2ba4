"""The refs a triggered job gets: Prow's TestCompletePrimaryRefs (kubernetes-sigs/prow
pkg/pjutil/pjutil_test.go), ported, and hook's ProwJobs carrying them."""

from __future__ import annotations

from typing import Any

import pytest

from bowsprit.api.postsubmit import PostsubmitSpec
from bowsprit.jobpod.jobs import Job
from bowsprit.jobpod.newjob import complete_primary_refs, prowjob

POD = {"containers": [{"image": "busybox"}]}


def definition(**fields: Any) -> PostsubmitSpec:
    return PostsubmitSpec.model_validate({"org": "org", "repo": "repo", "pod_spec": POD, **fields})


@pytest.mark.parametrize(
    ("refs", "job", "expected"),
    [
        ({}, {}, {}),  # basically works
        (  # use values from refs
            {
                "path_alias": "this",
                "clone_uri": "that",
                "skip_submodules": True,
                "clone_depth": 1,
                "skip_fetch_head": True,
            },
            {},
            {
                "path_alias": "this",
                "clone_uri": "that",
                "skip_submodules": True,
                "clone_depth": 1,
                "skip_fetch_head": True,
            },
        ),
        (  # use values from job base
            {},
            {
                "path_alias": "more",
                "clone_uri": "fun",
                "skip_submodules": True,
                "clone_depth": 2,
                "skip_fetch_head": True,
                "decoration_config": {"blobless_fetch": True},
            },
            {
                "path_alias": "more",
                "clone_uri": "fun",
                "skip_submodules": True,
                "clone_depth": 2,
                "skip_fetch_head": True,
                "blobless_fetch": True,
            },
        ),
        (  # prefer job base values
            {"path_alias": "this", "clone_uri": "that", "clone_depth": 1},
            {"path_alias": "more", "clone_uri": "fun", "clone_depth": 2},
            {"path_alias": "more", "clone_uri": "fun", "clone_depth": 2},
        ),
        (  # sparse checkout files from decoration config are applied to ref
            {"org": "org", "repo": "repo", "base_ref": "main"},
            {"decoration_config": {"sparse_checkout_files": ["Dockerfile"]}},
            {
                "org": "org",
                "repo": "repo",
                "base_ref": "main",
                "sparse_checkout_files": ["Dockerfile"],
            },
        ),
    ],
)
def test_complete_primary_refs(
    refs: dict[str, Any], job: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert complete_primary_refs(refs, definition(**job)) == expected


def test_a_postsubmit_prowjob_carries_the_jobs_clone_settings() -> None:
    job = Job(
        "Postsubmit",
        "ci",
        "build",
        definition(path_alias="k8s.io/repo", clone_depth=1, skip_submodules=True),
    )
    refs = {"org": "org", "repo": "repo", "base_ref": "main", "base_sha": "a" * 40}
    body = prowjob(job, "postsubmit", refs, name="pj", namespace="ci", guid="g")
    assert body["spec"]["refs"] == {
        **refs,
        "path_alias": "k8s.io/repo",
        "clone_depth": 1,
        "skip_submodules": True,
    }
