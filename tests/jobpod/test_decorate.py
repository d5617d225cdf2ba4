"""Decoration: the pod utilities around a job's containers, as Prow lays them out, and
plank's default decoration configs merged under the job's own."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.defaults import with_decoration_defaults
from bowsprit.jobpod.render import PodRenderError, prowjob_to_pod
from bowsprit.testing import falco

GOLDEN = Path(__file__).parent / "golden"
IMAGES = {name: f"bowsprit:{name}" for name in ("clonerefs", "initupload", "entrypoint", "sidecar")}
DECORATION: dict[str, Any] = {
    "utility_images": IMAGES,
    "gcs_configuration": {"bucket": "s3://logs", "path_strategy": "explicit"},
    "s3_credentials_secret": "s3-credentials",
}
REFS = {
    "org": "falcosecurity",
    "repo": "falco",
    "base_ref": "master",
    "base_sha": "b1",
    "pulls": [{"number": 7, "author": "leo", "sha": "p1"}],
}


def spec(**fields: Any) -> ProwJobSpec:
    body = {
        "type": "presubmit",
        "job": "pull-falco-unit",
        "refs": REFS,
        "pod_spec": {"containers": [{"image": "golang", "command": ["make"], "args": ["test"]}]},
        "decoration_config": DECORATION,
        **fields,
    }
    return ProwJobSpec.model_validate(body)


def pod_of(job: ProwJobSpec) -> dict[str, Any]:
    return prowjob_to_pod("pj-1", "test-pods", job, "42", {}, {})["spec"]


def env(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container.get("env", [])}


def names(containers: list[dict[str, Any]]) -> list[str]:
    return [container["name"] for container in containers]


def test_a_decorated_presubmit_has_prows_layout() -> None:
    pod = pod_of(spec())
    assert names(pod["initContainers"]) == ["clonerefs", "initupload", "place-entrypoint"]
    assert names(pod["containers"]) == ["test", "sidecar"]
    assert {volume["name"] for volume in pod["volumes"]} == {
        "logs",
        "tools",
        "code",
        "clonerefs-tmp",
        "s3-credentials",
    }
    test = pod["containers"][0]
    assert test["command"] == ["/tools/entrypoint"] and test["args"] == ["make", "test"]
    assert test["workingDir"] == "/home/prow/go/src/github.com/falcosecurity/falco"
    options = json.loads(env(test)["ENTRYPOINT_OPTIONS"])
    assert options == {
        "args": ["make", "test"],
        "container_name": "test",
        "process_log": "/logs/process-log.txt",
        "marker_file": "/logs/marker-file.txt",
        "metadata_file": "/logs/artifacts/metadata.json",
        "timeout": 7200 * 10**9,
        "grace_period": 15 * 10**9,
        "artifact_dir": "/logs/artifacts",
    }
    assert env(test)["ARTIFACTS"] == "/logs/artifacts" and "JOB_SPEC" in env(test)
    # No grace period configured: Kubernetes' default, as Prow leaves it.
    assert "terminationGracePeriodSeconds" not in pod
    assert env(test)["GOPATH"] == "/home/prow/go"
    assert (env(test)["SRC_HOST"], env(test)["SRC_BASE"]) == ("github.com", "falcosecurity/falco")
    place = pod["initContainers"][2]
    assert place["command"] == ["bowsprit", "entrypoint", "--copy-mode-only", "/tools/entrypoint"]
    assert place["image"] == "bowsprit:entrypoint"


def test_utilities_get_prows_json_options() -> None:
    pod = pod_of(spec())
    clonerefs, initupload, _ = pod["initContainers"]
    clone = json.loads(env(clonerefs)["CLONEREFS_OPTIONS"])
    assert clone["src_root"] == "/home/prow/go" and clone["log"] == "/logs/clone.json"
    assert clone["refs"][0]["pulls"][0]["sha"] == "p1"
    upload = json.loads(env(initupload)["INITUPLOAD_OPTIONS"])
    assert upload["bucket"] == "s3://logs" and upload["log"] == "/logs/clone.json"
    assert upload["s3_credentials_file"] == "/secrets/s3-storage/service-account.json"
    sidecar = pod["containers"][1]
    options = json.loads(env(sidecar)["SIDECAR_OPTIONS"])
    assert options["gcs_options"]["items"] == ["/logs/artifacts"]
    assert options["entries"][0]["marker_file"] == "/logs/marker-file.txt"
    assert json.loads(env(sidecar)["JOB_SPEC"])["buildid"] == "42"
    assert {mount["mountPath"] for mount in sidecar["volumeMounts"]} == {
        "/logs",
        "/secrets/s3-storage",
    }


def test_user_init_containers_run_between_clonerefs_and_initupload() -> None:
    pod_spec = {
        "initContainers": [{"name": "prepare", "image": "busybox"}],
        "containers": [{"image": "golang", "command": ["make"]}],
    }
    pod = pod_of(spec(pod_spec=pod_spec))
    assert names(pod["initContainers"]) == [
        "clonerefs",
        "prepare",
        "initupload",
        "place-entrypoint",
    ]


def test_without_refs_or_with_skip_cloning_nothing_is_cloned() -> None:
    periodic = pod_of(spec(type="periodic", refs=None))
    skipped = pod_of(spec(decoration_config={**DECORATION, "skip_cloning": True}))
    for pod in (periodic, skipped):
        assert names(pod["initContainers"]) == ["initupload", "place-entrypoint"]
        assert "code" not in {volume["name"] for volume in pod["volumes"]}
        assert "workingDir" not in pod["containers"][0]
        upload = json.loads(env(pod["initContainers"][0])["INITUPLOAD_OPTIONS"])
        assert upload["log"] == ""


def test_several_test_containers_get_their_own_logs_and_markers() -> None:
    pod_spec = {
        "containers": [
            {"name": "unit", "image": "golang", "command": ["make", "unit"]},
            {"name": "lint", "image": "golang", "command": ["make", "lint"]},
        ]
    }
    pod = pod_of(spec(pod_spec=pod_spec))
    assert names(pod["containers"]) == ["unit", "lint", "sidecar"]
    entries = json.loads(env(pod["containers"][2])["SIDECAR_OPTIONS"])["entries"]
    assert [(entry["process_log"], entry["marker_file"]) for entry in entries] == [
        ("/logs/unit-log.txt", "/logs/unit-marker.txt"),
        ("/logs/lint-log.txt", "/logs/lint-marker.txt"),
    ]
    assert entries[1]["metadata_file"] == "/logs/artifacts/lint-metadata.json"


def test_the_working_directory_is_the_ref_marked_workdir() -> None:
    extra = [{"org": "falcosecurity", "repo": "libs", "base_ref": "master", "workdir": True}]
    pod = pod_of(spec(extra_refs=extra))
    assert pod["containers"][0]["workingDir"] == "/home/prow/go/src/github.com/falcosecurity/libs"
    aliased = [{**extra[0], "path_alias": "falco.org/libs"}]
    pod = pod_of(spec(extra_refs=aliased))
    assert pod["containers"][0]["workingDir"] == "/home/prow/go/src/falco.org/libs"


def test_the_working_directory_is_the_clone_whatever_the_job_said() -> None:
    """Prow sets workingDir on every test container of a job that clones (decorate's
    DetermineWorkDir overrides the job's own); without a clone the job's stays."""
    own = {"image": "golang", "command": ["make"], "workingDir": "/elsewhere"}
    pod = pod_of(spec(pod_spec={"containers": [own]}))
    assert pod["containers"][0]["workingDir"] == "/home/prow/go/src/github.com/falcosecurity/falco"
    skipped = {**DECORATION, "skip_cloning": True}
    pod = pod_of(spec(pod_spec={"containers": [own]}, decoration_config=skipped))
    assert pod["containers"][0]["workingDir"] == "/elsewhere"


def test_clone_secrets_are_mounted_as_prow_mounts_them() -> None:
    decoration = {
        **DECORATION,
        "ssh_key_secrets": ["deploy-key"],
        "cookiefile_secret": "cookies/.gitcookies",
    }
    pod = pod_of(spec(decoration_config=decoration))
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert volumes["ssh-keys-deploy-key"]["secret"] == {
        "secretName": "deploy-key",
        "defaultMode": 0o400,  # ssh refuses a key others can read
    }
    assert volumes["cookiefile"]["secret"] == {"secretName": "cookies", "defaultMode": 0o400}
    clonerefs = pod["initContainers"][0]
    assert clonerefs["args"] == ["--cookiefile=/secrets/cookiefile/.gitcookies"]
    options = json.loads(env(clonerefs)["CLONEREFS_OPTIONS"])
    assert options["cookie_path"] == "/secrets/cookiefile/.gitcookies"
    assert options["key_files"] == ["/secrets/ssh/deploy-key"]


def test_censoring_mounts_the_test_secrets_into_sidecar() -> None:
    pod_spec = {
        "containers": [
            {
                "image": "golang",
                "command": ["make"],
                "volumeMounts": [{"name": "token", "mountPath": "/etc/token"}],
            }
        ],
        "volumes": [{"name": "token", "secret": {"secretName": "github-token"}}],
    }
    decoration = {
        **DECORATION,
        "censor_secrets": True,
        "censoring_options": {"minimum_secret_length": 4},
    }
    pod = pod_of(spec(pod_spec=pod_spec, decoration_config=decoration))
    sidecar = pod["containers"][-1]
    options = json.loads(env(sidecar)["SIDECAR_OPTIONS"])["censoring_options"]
    assert options == {"secret_directories": ["/etc/token"], "minimum_secret_length": 4}
    assert {"name": "token", "mountPath": "/etc/token"} in sidecar["volumeMounts"]


def test_pod_defaults_never_override_the_job() -> None:
    decoration = {
        **DECORATION,
        "grace_period": "1m",
        "default_service_account_name": "ci",
        "run_as_user": 1000,
        "default_memory_request": "1Gi",
        "set_limit_equals_memory_request": True,
        "scheduling_options": {"tolerations": [{"key": "ci", "operator": "Exists"}]},
    }
    pod = pod_of(spec(decoration_config=decoration))
    assert pod["terminationGracePeriodSeconds"] == 75
    # The token stays out: the job itself named no service account (Prow decides this
    # before the default one is applied).
    assert pod["serviceAccountName"] == "ci" and pod["automountServiceAccountToken"] is False
    assert pod["securityContext"] == {"runAsUser": 1000}
    assert pod["tolerations"] == [{"key": "ci", "operator": "Exists"}]
    assert pod["containers"][0]["resources"] == {
        "requests": {"memory": "1Gi"},
        "limits": {"memory": "1Gi"},
    }
    pod_spec = {
        "terminationGracePeriodSeconds": 5,
        "serviceAccountName": "own",
        "securityContext": {"runAsUser": 5},
        "tolerations": [],
        "affinity": {"nodeAffinity": {}},
        "containers": [
            {"image": "g", "command": ["x"], "resources": {"requests": {"memory": "2Gi"}}}
        ],
    }
    pod = pod_of(spec(pod_spec=pod_spec, decoration_config=decoration))
    assert pod["terminationGracePeriodSeconds"] == 5 and pod["serviceAccountName"] == "own"
    assert pod["securityContext"] == {"runAsUser": 5} and pod["tolerations"] == []
    assert pod["containers"][0]["resources"]["limits"] == {"memory": "2Gi"}


@pytest.mark.parametrize(
    ("decoration", "pod_spec", "field"),
    [
        ({**DECORATION, "utility_images": {"clonerefs": "x"}}, None, "utility_images.initupload"),
        ({**DECORATION, "gcs_configuration": {}}, None, "gcs_configuration.bucket"),
        (DECORATION, {"containers": [{"image": "golang"}]}, "containers[test].command"),
    ],
)
def test_what_cannot_be_decorated_names_the_field(
    decoration: dict[str, Any], pod_spec: dict[str, Any] | None, field: str
) -> None:
    fields: dict[str, Any] = {"decoration_config": decoration}
    if pod_spec:
        fields["pod_spec"] = pod_spec
    with pytest.raises(PodRenderError, match=field.replace("[", r"\[").replace("]", r"\]")):
        pod_of(spec(**fields))


def test_defaults_apply_from_least_to_most_specific_and_the_job_wins() -> None:
    plank = PlankConfig.model_validate(
        {
            "default_decoration_configs": {
                "*": {**DECORATION, "timeout": "2h", "grace_period": "10s"},
                "falcosecurity": {"timeout": "3h", "gcs_configuration": {"path_prefix": "org"}},
                "falcosecurity/falco": {"grace_period": "20s"},
                "other": {"timeout": "9h"},
            }
        }
    )
    final = with_decoration_defaults(spec(decoration_config={"grace_period": "1m"}), plank)
    decoration = final.decoration_config
    assert decoration is not None and decoration.timeout is not None
    assert decoration.timeout.total_seconds() == 3 * 3600
    assert decoration.grace_period is not None and decoration.grace_period.total_seconds() == 60
    assert decoration.gcs_configuration is not None
    # Nested objects merge field by field: the org's prefix joins the global bucket.
    assert decoration.gcs_configuration.bucket == "s3://logs"
    assert decoration.gcs_configuration.path_prefix == "org"
    undecorated = spec(decoration_config=None)
    assert with_decoration_defaults(undecorated, plank) is undecorated


# A presubmit, a postsubmit with a service account and tolerations, a periodic with extra
# refs and a secret, from Falco's real configuration.
GOLDEN_JOBS = (
    "validate-dbg",
    "build-new-drivers-amazonlinux-postsubmit",
    "ci-test-infra-autobump-prow",
)


def falco_pod(config_dir: Path, job: ProwJobSpec) -> dict[str, Any]:
    final = with_decoration_defaults(job, falco.plank_config(config_dir))
    return prowjob_to_pod("pj-1", "test-pods", final, "1700000000000000000", {}, {})


def test_every_falco_job_decorates(falco_config: Path) -> None:
    specs = falco.job_specs(falco_config)
    assert len(specs) == 65
    for name, job in specs.items():
        pod = falco_pod(falco_config, job)["spec"]
        if job.decoration_config is None:
            continue
        assert names(pod["containers"])[-1] == "sidecar", name
        assert names(pod["initContainers"])[-2:] == ["initupload", "place-entrypoint"], name
        assert pod["terminationGracePeriodSeconds"] == 750, name  # 1.25 × Falco's 10m


@pytest.mark.parametrize("name", GOLDEN_JOBS)
def test_falco_pods_match_the_golden_files(falco_config: Path, name: str) -> None:
    pod = falco_pod(falco_config, falco.job_specs(falco_config)[name])
    golden = GOLDEN / f"{name}.yaml"
    if os.environ.get("BOWSPRIT_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(yaml.safe_dump(pod, sort_keys=False, width=1000))
    expected = yaml.safe_load(golden.read_text())
    assert pod == expected, (
        f"regenerate with BOWSPRIT_UPDATE_GOLDEN=1 and review the diff of {golden}"
    )
