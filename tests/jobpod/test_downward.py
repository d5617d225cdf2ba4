"""The downward-API environment: Prow's TestEnvironmentForSpec (kubernetes-sigs/prow
pkg/pod-utils/downwardapi/jobspec_test.go), ported. Prow's table leaves the agent empty,
which no real ProwJob has; an unset agent is `kubernetes` here, so those cases expect
BUILD_NUMBER as Prow's "kubernetes agent" case does."""

from __future__ import annotations

from typing import Any

import pytest

from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.downward import env_for

BASE = {"org": "org-name", "repo": "repo-name", "base_ref": "base-ref", "base_sha": "base-sha"}
COMMON = {"CI": "true", "JOB_NAME": "job-name", "BUILD_ID": "0", "PROW_JOB_ID": "prowjob"}
POSTSUBMIT_ENV = {
    "REPO_OWNER": "org-name",
    "REPO_NAME": "repo-name",
    "SRC_BASE": "org-name/repo-name",
    "SRC_HOST": "github.com",
    "PULL_BASE_REF": "base-ref",
    "PULL_BASE_SHA": "base-sha",
    "PULL_REFS": "base-ref:base-sha",
}
BATCH_PULLS = [
    {"number": 1, "author": "author-name", "sha": "pull-sha", "head_ref": "branch-name-1"},
    {
        "number": 2,
        "author": "other-author-name",
        "sha": "second-pull-sha",
        "head_ref": "branch-name-2",
    },
]
PRESUBMIT_PULL = {
    "number": 1,
    "author": "author-name",
    "sha": "pull-sha",
    "head_ref": "branch-name",
    "title": "pull-title",
}
CASES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "periodic job": (
        {"type": "periodic"},
        {
            "JOB_TYPE": "periodic",
            "JOB_SPEC": '{"type":"periodic","job":"job-name","buildid":"0","prowjobid":"prowjob"}',
        },
    ),
    "postsubmit job": (
        {"type": "postsubmit", "refs": BASE},
        {
            "JOB_TYPE": "postsubmit",
            "JOB_SPEC": '{"type":"postsubmit","job":"job-name","buildid":"0","prowjobid":"prowjob",'
            '"refs":{"org":"org-name","repo":"repo-name","base_ref":"base-ref","base_sha":"base-sha"}}',
            **POSTSUBMIT_ENV,
        },
    ),
    "batch job": (
        {"type": "batch", "refs": {**BASE, "pulls": BATCH_PULLS}},
        {
            "JOB_TYPE": "batch",
            "JOB_SPEC": '{"type":"batch","job":"job-name","buildid":"0","prowjobid":"prowjob",'
            '"refs":{"org":"org-name","repo":"repo-name","base_ref":"base-ref","base_sha":"base-sha",'
            '"pulls":[{"number":1,"author":"author-name","sha":"pull-sha","head_ref":"branch-name-1"},'
            '{"number":2,"author":"other-author-name","sha":"second-pull-sha",'
            '"head_ref":"branch-name-2"}]}}',
            **POSTSUBMIT_ENV,
            "PULL_REFS": "base-ref:base-sha,1:pull-sha,2:second-pull-sha",
        },
    ),
    "presubmit job": (
        {"type": "presubmit", "refs": {**BASE, "pulls": [PRESUBMIT_PULL]}},
        {
            "JOB_TYPE": "presubmit",
            "JOB_SPEC": '{"type":"presubmit","job":"job-name","buildid":"0","prowjobid":"prowjob",'
            '"refs":{"org":"org-name","repo":"repo-name","base_ref":"base-ref","base_sha":"base-sha",'
            '"pulls":[{"number":1,"author":"author-name","sha":"pull-sha","title":"pull-title",'
            '"head_ref":"branch-name"}]}}',
            **POSTSUBMIT_ENV,
            "PULL_REFS": "base-ref:base-sha,1:pull-sha",
            "PULL_HEAD_REF": "branch-name",
            "PULL_NUMBER": "1",
            "PULL_PULL_SHA": "pull-sha",
            "PULL_TITLE": "pull-title",
        },
    ),
    "postsubmit job with path alias": (
        {"type": "postsubmit", "refs": {**BASE, "path_alias": "k8s.io/repo-name"}},
        {
            "JOB_TYPE": "postsubmit",
            "JOB_SPEC": '{"type":"postsubmit","job":"job-name","buildid":"0","prowjobid":"prowjob",'
            '"refs":{"org":"org-name","repo":"repo-name","base_ref":"base-ref","base_sha":"base-sha",'
            '"path_alias":"k8s.io/repo-name"}}',
            **POSTSUBMIT_ENV,
            "SRC_BASE": "repo-name",
            "SRC_HOST": "k8s.io",
        },
    ),
    "postsubmit job with repo link": (
        {
            "type": "postsubmit",
            "refs": {**BASE, "repo_link": "https://gitlab.com/org-name/repo-name"},
        },
        {
            "JOB_TYPE": "postsubmit",
            "JOB_SPEC": '{"type":"postsubmit","job":"job-name","buildid":"0","prowjobid":"prowjob",'
            '"refs":{"org":"org-name","repo":"repo-name",'
            '"repo_link":"https://gitlab.com/org-name/repo-name","base_ref":"base-ref",'
            '"base_sha":"base-sha"}}',
            **POSTSUBMIT_ENV,
            "SRC_HOST": "gitlab.com",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_environment_for_spec(name: str) -> None:
    fields, expected = CASES[name]
    spec = ProwJobSpec.model_validate({"job": "job-name", "agent": "kubernetes", **fields})
    assert env_for(spec, "prowjob", "0") == {**COMMON, "BUILD_NUMBER": "0", **expected}


def test_only_the_kubernetes_agent_gets_build_number() -> None:
    jenkins = ProwJobSpec.model_validate(
        {"type": "periodic", "job": "job-name", "agent": "jenkins"}
    )
    assert "BUILD_NUMBER" not in env_for(jenkins, "prowjob", "0")
    unset = ProwJobSpec.model_validate(
        {"type": "periodic", "job": "job-name", "pod_spec": {"containers": [{"image": "i"}]}}
    )
    assert env_for(unset, "prowjob", "0")["BUILD_NUMBER"] == "0"
