"""A ProwJob's pod: Prow's labels, annotations, environment and pod rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.labels import for_spec
from bowsprit.jobpod.render import PodRenderError, prowjob_to_pod

LONG = "pull-falco-" + "x" * 60 + "-"


def spec(**fields: Any) -> ProwJobSpec:
    body = {
        "type": "presubmit",
        "job": "pull-falco-unit",
        "context": "unit",
        "refs": {
            "org": "falcosecurity",
            "repo": "falco",
            "base_ref": "master",
            "base_sha": "b1",
            "pulls": [
                {"number": 7, "author": "leo", "sha": "p1", "title": "Fix", "head_ref": "fix"}
            ],
        },
        "pod_spec": {"containers": [{"image": "busybox", "env": [{"name": "A", "value": "1"}]}]},
        **fields,
    }
    return ProwJobSpec.model_validate(body)


def test_labels_are_prows_and_long_names_are_cut() -> None:
    labels, annotations = for_spec(spec(job=LONG), {"team": "falco", "path": "a/b/c/ok"})
    assert labels == {
        "created-by-prow": "true",
        "prow.k8s.io/type": "presubmit",
        "prow.k8s.io/job": LONG[:63].rstrip("-_."),
        "prow.k8s.io/context": "unit",
        "prow.k8s.io/refs.org": "falcosecurity",
        "prow.k8s.io/refs.repo": "falco",
        "prow.k8s.io/refs.base_ref": "master",
        "prow.k8s.io/refs.pull": "7",
        "team": "falco",
        "path": "ok",  # an invalid value gives way to its basename
    }
    assert annotations == {"prow.k8s.io/job": LONG, "prow.k8s.io/context": "unit"}
    periodic, _ = for_spec(spec(type="periodic"))
    assert "prow.k8s.io/refs.org" not in periodic


def test_the_pod_is_named_after_the_job_and_carries_prows_environment() -> None:
    pod = prowjob_to_pod("pj-1", "test-pods", spec(), "1234", {"team": "x"}, {"note": "y"})
    assert pod["metadata"]["name"] == "pj-1" and pod["metadata"]["namespace"] == "test-pods"
    labels = pod["metadata"]["labels"]
    assert labels["prow.k8s.io/id"] == "pj-1" and labels["prow.k8s.io/build-id"] == "1234"
    assert pod["metadata"]["annotations"]["note"] == "y"
    pod_spec = pod["spec"]
    assert pod_spec["restartPolicy"] == "Never"
    assert pod_spec["automountServiceAccountToken"] is False
    (container,) = pod_spec["containers"]
    assert container["name"] == "test"
    assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["A"] == "1" and container["env"][0]["name"] == "A"  # the job's own come first
    assert {key: env[key] for key in env if key != "JOB_SPEC"} == {
        "A": "1",
        "BUILD_ID": "1234",
        "BUILD_NUMBER": "1234",
        "CI": "true",
        "JOB_NAME": "pull-falco-unit",
        "JOB_TYPE": "presubmit",
        "PROW_JOB_ID": "pj-1",
        "REPO_OWNER": "falcosecurity",
        "REPO_NAME": "falco",
        "SRC_HOST": "github.com",  # also undecorated, as Prow's EnvForSpec
        "SRC_BASE": "falcosecurity/falco",
        "PULL_BASE_REF": "master",
        "PULL_BASE_SHA": "b1",
        "PULL_REFS": "master:b1,7:p1",
        "PULL_NUMBER": "7",
        "PULL_PULL_SHA": "p1",
        "PULL_HEAD_REF": "fix",
        "PULL_TITLE": "Fix",
    }
    job_spec = json.loads(env["JOB_SPEC"])
    assert list(job_spec) == ["type", "job", "buildid", "prowjobid", "refs"]
    assert job_spec["refs"]["pulls"][0]["number"] == 7


@pytest.mark.parametrize(
    ("extra", "host", "base"),
    [  # Prow's downwardapi cases: path_alias split at its first slash, else repo_link
        ({"path_alias": "somewhere/else"}, "somewhere", "else"),
        ({"path_alias": "k8s.io/test-infra/sub"}, "k8s.io", "test-infra/sub"),
        ({"path_alias": "alone"}, "alone", "falcosecurity/falco"),
        ({"repo_link": "https://gitlab.example/team/falco"}, "gitlab.example", "team/falco"),
    ],
)
def test_the_source_location_follows_path_alias_and_repo_link(
    extra: dict[str, str], host: str, base: str
) -> None:
    refs = {**spec().refs.model_dump(exclude_none=True), **extra}  # type: ignore[union-attr]
    pod = prowjob_to_pod("p", "ns", spec(refs=refs), "1", {}, {})
    env = {item["name"]: item["value"] for item in pod["spec"]["containers"][0]["env"]}
    assert (env["SRC_HOST"], env["SRC_BASE"]) == (host, base)


def test_periodics_get_no_repository_environment() -> None:
    pod = prowjob_to_pod("p", "ns", spec(type="periodic", refs=None), "1", {}, {})
    names = {item["name"] for item in pod["spec"]["containers"][0]["env"]}
    assert "REPO_OWNER" not in names and "JOB_NAME" in names


def test_several_containers_keep_their_names_and_a_service_account_keeps_its_token() -> None:
    pod_spec = {
        "serviceAccountName": "builder",
        "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}],
    }
    pod = prowjob_to_pod("p", "ns", spec(pod_spec=pod_spec), "1", {}, {})
    assert [c["name"] for c in pod["spec"]["containers"]] == ["a", "b"]
    assert "automountServiceAccountToken" not in pod["spec"]


def test_what_cannot_become_a_pod_says_why() -> None:
    with pytest.raises(PodRenderError, match="decoration_config.utility_images.clonerefs"):
        prowjob_to_pod("p", "ns", spec(decoration_config={}), "1", {}, {})
