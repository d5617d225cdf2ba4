"""`prowjob` validates a job's own part of the spec on its first run and reuses it after:
every later body must equal the one a first (fully validated) run builds. The refs are
those hook's trigger builds for the pull requests of Prow's trigger tests
(kubernetes-sigs/prow pkg/plugins/trigger/pull-request_test.go: PR #0 by "t" on base
"master", head "cafe..."; generic-comment_test.go: PR #1 by "t" on "master")."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.jobpod.jobs import Job
from bowsprit.jobpod.newjob import prowjob

POD = {"containers": [{"image": "busybox"}]}


def pull_refs(number: int, author: str, sha: str, base: str = "master") -> dict[str, Any]:
    link = "https://github.com/org/repo"
    return {
        "org": "org",
        "repo": "repo",
        "repo_link": link,
        "base_ref": base,
        "base_sha": "b" * 40,
        "base_link": f"{link}/commit/{'b' * 40}",
        "pulls": [
            {
                "number": number,
                "author": author,
                "sha": sha,
                "title": None,
                "head_ref": "feature",
                "link": f"{link}/pull/{number}",
                "commit_link": f"{link}/pull/{number}/commits/{sha}",
                "author_link": f"https://github.com/{author}",
            }
        ],
    }


DEFINITIONS: list[tuple[str, dict[str, Any]]] = [
    ("Presubmit", {}),
    ("BlockingPresubmit", {"always_run": True, "context": "ci/unit"}),
    (
        "BlockingPresubmit",
        {
            "name": "pull-org-repo-" + "x" * 60,  # a label value cut to 63 characters
            "labels": {"team": "infra"},
            "annotations": {"note": "a"},
            "decorate": True,
            "decoration_config": {"blobless_fetch": True},
            "path_alias": "k8s.io/repo",
            "clone_depth": 1,
            "extra_refs": [{"org": "other", "repo": "lib", "base_ref": "main"}],
            "max_concurrency": 2,
        },
    ),
    ("Presubmit", {"run_if_changed": "^docs/", "skip_report": True}),
]


def make_job(kind: str, fields: dict[str, Any]) -> Job:
    model = BlockingPresubmitSpec if kind == "BlockingPresubmit" else PresubmitSpec
    spec = model.model_validate({"org": "org", "repo": "repo", "pod_spec": POD, **fields})
    return Job(kind, "ci", "unit", spec)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "fields"), DEFINITIONS)
def test_later_runs_build_the_body_a_validated_first_run_builds(
    kind: str, fields: dict[str, Any]
) -> None:
    job = make_job(kind, fields)
    runs = [pull_refs(0, "t", "cafe" * 10), pull_refs(1, "u", "beef" * 10, base="release")]
    prowjob(job, "presubmit", runs[0], name="first", namespace="ci", guid="g0")
    for index, refs in enumerate(runs):
        kwargs: dict[str, Any] = {"name": f"pj{index}", "namespace": "ci", "guid": f"g{index}"}
        cached = prowjob(job, "presubmit", refs, retest=bool(index), **kwargs)
        fresh = prowjob(make_job(kind, fields), "presubmit", refs, retest=bool(index), **kwargs)
        assert cached == fresh
        assert cached["spec"]["refs"]["pulls"][0]["number"] == index
        assert cached["metadata"]["labels"]["prow.k8s.io/refs.pull"] == str(index)


def test_bodies_share_no_mutable_part() -> None:
    job = make_job("BlockingPresubmit", {"decorate": True, "labels": {"a": "b"}})
    first = prowjob(
        job, "presubmit", pull_refs(1, "t", "a" * 40), name="a", namespace="ci", guid="g"
    )
    first["spec"]["pod_spec"]["containers"][0]["image"] = "changed"
    second = prowjob(
        job, "presubmit", pull_refs(2, "t", "a" * 40), name="b", namespace="ci", guid="g"
    )
    assert second["spec"]["pod_spec"] == POD


def test_refs_are_still_validated_on_later_runs() -> None:
    job = make_job("Presubmit", {})
    prowjob(job, "presubmit", pull_refs(1, "t", "a" * 40), name="a", namespace="ci", guid="g")
    bad = {**pull_refs(2, "t", "a" * 40), "org": None, "repo": 3}
    with pytest.raises(ValidationError):
        prowjob(job, "presubmit", bad, name="b", namespace="ci", guid="g")
