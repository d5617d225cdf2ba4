"""Prow's own decoration cases, ported: the inputs of TestProwJobToPod and TestDecorate in
kubernetes-sigs/prow `pkg/pod-utils/decorate/podspec_test.go`, compared with Prow's expected
pods, its files `pkg/pod-utils/decorate/testdata/*.yaml` copied unchanged into `prow/` (Prow
commit a619408973827f5a8846fc61b4731156bde5fb0c).

The comparison normalises only what the README lists as deliberate differences, and Go's
serialisation of empty values:
- the utilities are commands of the one Bowsprit image (`bowsprit clonerefs`, ...), where
  Prow's images have their own entrypoints (so Prow writes no `command`, and place-entrypoint
  gets `--copy-mode-only` alone);
- test containers keep their original command as `args`: Bowsprit's entrypoint is a shell
  script that reads the command from its arguments (Prow's reads ENTRYPOINT_OPTIONS only);
- buckets: Prow's cases use bare GCS bucket names, which Bowsprit refuses (only `s3://`), so
  the inputs say `s3://<name>` and the expected options are read with that bucket;
- the utilities' JSON options are compared as JSON, with Go's `omitempty` (absent, null, false
  and empty are the same) and Go durations (`2h0m0s`) read as durations;
- Go's zero values (`creationTimestamp: null`, `status: {}`, `resources: {}`,
  `securityContext: {}`, an env entry's empty `value`) and the namespace plank passes.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.decorate import decorate
from bowsprit.jobpod.render import prowjob_to_pod
from bowsprit.lib.durations import parse_duration

PROW = Path(__file__).parent / "prow"
JSON_ENV = {
    "CLONEREFS_OPTIONS",
    "INITUPLOAD_OPTIONS",
    "SIDECAR_OPTIONS",
    "ENTRYPOINT_OPTIONS",
    "JOB_SPEC",
}
UTILITY_COMMANDS = {
    "clonerefs": ["bowsprit", "clonerefs"],
    "initupload": ["bowsprit", "initupload"],
    "sidecar": ["bowsprit", "sidecar"],
}
GO_DURATION = re.compile(r"^(\d+h)?(\d+m)?(\d+(\.\d+)?s)?$")

# --- TestProwJobToPod's inputs ---------------------------------------------------------

DECORATION: dict[str, Any] = {
    "timeout": "120m",
    "grace_period": "10s",
    "utility_images": {
        "clonerefs": "clonerefs:tag",
        "initupload": "initupload:tag",
        "entrypoint": "entrypoint:tag",
        "sidecar": "sidecar:tag",
    },
    "gcs_configuration": {
        "bucket": "s3://my-bucket",
        "path_strategy": "legacy",
        "default_org": "kubernetes",
        "default_repo": "kubernetes",
    },
    "gcs_credentials_secret": "secret-name",
}
MEDIA = {"mediaTypes": {"log": "text/plain"}}
SSH = {"ssh_key_secrets": ["ssh-1", "ssh-2"]}
TESTER = {
    "image": "tester",
    "command": ["/bin/thing"],
    "args": ["some", "args"],
    "env": [{"name": "MY_ENV", "value": "rocks"}],
}
RUN_AS = {"run_as_group": 1000, "run_as_user": 1000, "fs_group": 2000}
SCHEDULING = {
    "scheduling_options": {
        "tolerations": [
            {"key": "prow.k8s.io/schedulable", "effect": "NoSchedule", "operator": "Exists"}
        ],
        "affinity": {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 10,
                        "preference": {
                            "matchExpressions": [
                                {"key": "node-type", "values": ["prowjobs"], "operator": "In"}
                            ]
                        },
                    }
                ]
            }
        },
    }
}


def decoration(*extra: dict[str, Any], storage: dict[str, Any] | None = None) -> dict[str, Any]:
    config = copy.deepcopy(DECORATION)
    config["gcs_configuration"].update(storage or {})
    for fields in extra:
        config.update(fields)
    return config


def refs(head_ref: str, title: bool = True) -> dict[str, Any]:
    pull = {"number": 1, "author": "author-name", "sha": "pull-sha", "head_ref": head_ref}
    if title:
        pull["title"] = "pull-title"
    return {
        "org": "org-name",
        "repo": "repo-name",
        "base_ref": "base-ref",
        "base_sha": "base-sha",
        "pulls": [pull],
        "path_alias": "somewhere/else",
    }


def job(containers: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "type": "presubmit",
        "job": "job-name",
        "context": "job-context",
        "agent": "kubernetes",
        "extra_refs": [],
        "pod_spec": {"containers": containers},
        **fields,
    }


EXTRA = [{"org": "extra-org", "repo": "extra-repo"}]
PRESUBMIT = {
    "org": "org-name",
    "repo": "repo-name",
    "base_ref": "base-ref",
    "base_sha": "base-sha",
    "pulls": [
        {
            "number": 1,
            "author": "author-name",
            "sha": "pull-sha",
            "head_ref": "pull-branch-name",
            "title": "pull-title",
        }
    ],
}
PROW_JOB_TO_POD: list[dict[str, Any]] = [
    {  # 0: undecorated
        "type": "presubmit",
        "job": "job-name",
        "context": "job-context",
        "agent": "kubernetes",
        "refs": PRESUBMIT,
        "pod_spec": {
            "containers": [{"image": "tester", "env": [{"name": "MY_ENV", "value": "rocks"}]}]
        },
    },
    job(  # 1
        [TESTER],
        decoration_config=decoration({"cookiefile_secret": "yummy/.gitcookies"}, storage=MEDIA),
        refs=refs("my-big-change"),
    ),
    job(  # 2
        [TESTER],
        decoration_config=decoration({"cookiefile_secret": "yummy"}),
        refs=refs("fix-typos-99"),
    ),
    job(  # 3
        [{**TESTER, "terminationMessagePolicy": "File"}],
        decoration_config=decoration(SSH, {"ssh_host_fingerprints": ["hello", "world"]}),
        refs=refs("fixes-fixes-fixes"),
    ),
    job([TESTER], decoration_config=decoration(SSH), refs=refs("fixes-9")),  # 4
    {  # 5: a periodic
        "type": "periodic",
        "job": "job-name",
        "context": "job-context",
        "agent": "kubernetes",
        "decoration_config": decoration(SSH),
        "pod_spec": {"containers": [TESTER]},
    },
    job(  # 6
        [TESTER],
        decoration_config=decoration(SSH, {"skip_cloning": True}),
        refs=refs("best-branch-name"),
        extra_refs=EXTRA,
    ),
    job(  # 7: two test containers
        [
            {**TESTER, "name": "test-0"},
            {
                "name": "test-1",
                "image": "othertester",
                "command": ["/bin/otherthing"],
                "args": ["other", "args"],
                "env": [{"name": "MY_ENV", "value": "stones"}],
            },
        ],
        decoration_config=decoration(SSH, {"cookiefile_secret": "yummy"}),
        refs=refs("pr-head-ref-11"),
        extra_refs=EXTRA,
    ),
]
SERVICE_ACCOUNT = {
    "default_service_account_name": "default-SA",
    "cookiefile_secret": "yummy/.gitcookies",
}


def without_gcs_secret(config: dict[str, Any]) -> dict[str, Any]:
    config.pop("gcs_credentials_secret")
    return config


PROW_JOB_TO_POD += [
    job(  # 8: a Kubernetes service account instead of a storage secret
        [TESTER],
        decoration_config=without_gcs_secret(decoration(SERVICE_ACCOUNT, storage=MEDIA)),
        refs=refs("orig-branch-name"),
    ),
    job(  # 9
        [TESTER],
        decoration_config=without_gcs_secret(decoration(SERVICE_ACCOUNT, RUN_AS, storage=MEDIA)),
        refs=refs("orig-branch-name"),
    ),
    job(  # 10
        [TESTER],
        decoration_config=without_gcs_secret(
            decoration(SERVICE_ACCOUNT, RUN_AS, SCHEDULING, storage=MEDIA)
        ),
        refs=refs("orig-branch-name", title=False),
    ),
]

# --- TestDecorate's inputs ---------------------------------------------------------------

EMPTY_RESOURCES = {"limits": {"cpu": "0"}, "requests": {"memory": "0"}}
DECORATE_CONFIG: dict[str, Any] = {
    "timeout": "1m",
    "grace_period": "1h",
    "utility_images": {
        "clonerefs": "cloneimage",
        "initupload": "initimage",
        "entrypoint": "entrypointimage",
        "sidecar": "sidecarimage",
    },
    "resources": {
        name: EMPTY_RESOURCES for name in ("clonerefs", "initupload", "place_entrypoint", "sidecar")
    },
    "gcs_configuration": {
        "bucket": "s3://bucket",
        "path_strategy": "single",
        "default_org": "org",
        "default_repo": "repo",
    },
    "gcs_credentials_secret": "gcs-secret",
    "default_service_account_name": "default-sa",
}
DECORATE_REFS = {
    "org": "org",
    "repo": "repo",
    "base_ref": "main",
    "base_sha": "abcd1234",
    "pulls": [{"number": 1, "author": "", "sha": "aksdjhfkds"}],
}
DECORATE_EXTRA = [
    {"org": "other", "repo": "something", "base_ref": "release", "base_sha": "sldijfsd"}
]
WITH_SECRET = {
    "volumes": [{"name": "secret", "secret": {"secretName": "secretname"}}],
    "containers": [
        {
            "name": "test",
            "command": ["/bin/ls"],
            "args": ["-l", "-a"],
            "volumeMounts": [{"name": "secret", "mountPath": "/secret"}],
        }
    ],
    "serviceAccountName": "tester",
}
BIG_MEMORY = {
    "name": "test",
    "command": ["/bin/ls"],
    "args": ["-l", "-a"],
    "resources": {"requests": {"memory": "8Gi"}, "limits": {"memory": "100Gi"}},
}
DECORATE: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "basic_happy_case": (WITH_SECRET, {}),
    "enforcing_memory_limit": (
        {"containers": [BIG_MEMORY], "serviceAccountName": "tester"},
        {"set_limit_equals_memory_request": True},
    ),
    "default_memory_request": (
        {
            "containers": [
                BIG_MEMORY,
                {"name": "test2", "command": ["/bin/ls"], "args": ["-l", "-a"]},
            ],
            "serviceAccountName": "tester",
        },
        {"set_limit_equals_memory_request": True, "default_memory_request": "4Gi"},
    ),
    "censor_secrets_in_sidecar": (WITH_SECRET, {"censor_secrets": True}),
    "ignore_interrupts_in_sidecar": (WITH_SECRET, {"upload_ignores_interrupts": True}),
}

# --- the comparison --------------------------------------------------------------------


def go_empty(value: Any) -> bool:
    return value is None or value is False or value == [] or value == {} or value == ""


def normal_json(value: Any, buckets: dict[str, str]) -> Any:
    """Options as Go's encoding/json and ours both mean them: omitempty, durations, buckets."""
    if isinstance(value, dict):
        found = {key: normal_json(item, buckets) for key, item in value.items()}
        return {key: item for key, item in found.items() if not go_empty(item)}
    if isinstance(value, list):
        return [normal_json(item, buckets) for item in value]
    if isinstance(value, str) and value and GO_DURATION.match(value):
        return parse_duration(value).total_seconds()
    if isinstance(value, str):
        return buckets.get(value, value)
    return value


def normal_env(env: list[dict[str, Any]], buckets: dict[str, str]) -> list[dict[str, Any]]:
    found = []
    for item in env:
        entry = dict(item)
        if entry["name"] in JSON_ENV and entry.get("value"):
            entry["value"] = normal_json(json.loads(entry["value"]), buckets)
        if go_empty(entry.get("value")):
            entry.pop("value", None)
        found.append(entry)
    return found


def normal_container(container: dict[str, Any], buckets: dict[str, str]) -> dict[str, Any]:
    found = {key: value for key, value in container.items() if not go_empty(value)}
    if "env" in found:
        found["env"] = normal_env(found["env"], buckets)
    return found


def normal_pod_spec(spec: dict[str, Any], buckets: dict[str, str]) -> dict[str, Any]:
    found = {key: value for key, value in spec.items() if not go_empty(value)}
    for field in ("containers", "initContainers"):
        if field in found:
            found[field] = [normal_container(item, buckets) for item in found[field]]
    return found


def ours_as_prow(spec: dict[str, Any]) -> dict[str, Any]:
    """Our pod spec with the deliberate differences taken out (see the module docstring)."""
    spec = copy.deepcopy(spec)
    for container in spec.get("initContainers", []) + spec["containers"]:
        name = container["name"]
        if name in UTILITY_COMMANDS:
            assert container.pop("command") == UTILITY_COMMANDS[name]
        elif name == "place-entrypoint":
            copy_only = ["bowsprit", "entrypoint", "--copy-mode-only", "/tools/entrypoint"]
            assert container.pop("command") == copy_only
            container["args"] = ["--copy-mode-only"]
        elif container.get("command") == ["/tools/entrypoint"]:
            options = next(e for e in container["env"] if e["name"] == "ENTRYPOINT_OPTIONS")
            assert container.pop("args") == json.loads(options["value"])["args"]
    return spec


def prow_expected(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PROW / name).read_text())
    return loaded


@pytest.mark.parametrize("index", range(len(PROW_JOB_TO_POD)))
def test_prow_job_to_pod_matches_prows_expected_pod(index: int) -> None:
    spec = ProwJobSpec.model_validate(PROW_JOB_TO_POD[index])
    pod = prowjob_to_pod("pod", "test-pods", spec, "blabla", {"needstobe": "inherited"}, {})
    expected = prow_expected(f"TestProwJobToPod_{index}.yaml")
    buckets = {"my-bucket": "s3://my-bucket"}
    labels = dict(pod["metadata"]["labels"])
    assert labels == expected["metadata"]["labels"]
    assert pod["metadata"]["annotations"] == expected["metadata"]["annotations"]
    assert pod["metadata"]["name"] == expected["metadata"]["name"]
    ours = normal_pod_spec(ours_as_prow(pod["spec"]), buckets)
    assert ours == normal_pod_spec(expected["spec"], buckets)


@pytest.mark.parametrize("case", sorted(DECORATE))
def test_decorate_matches_prows_expected_pod_spec(case: str) -> None:
    pod_spec, config = DECORATE[case]
    spec = ProwJobSpec.model_validate(
        {
            "type": "presubmit",
            "job": "job",
            "refs": DECORATE_REFS,
            "extra_refs": DECORATE_EXTRA,
            "decoration_config": {**DECORATE_CONFIG, **config},
        }
    )
    ours = copy.deepcopy(pod_spec)  # Prow's cases have containers without an image
    decorate(ours, spec, {"custom": "env"})
    expected = prow_expected(f"zz_fixture_TestDecorate_{case}.yaml")
    buckets = {"bucket": "s3://bucket"}
    assert normal_pod_spec(ours_as_prow(ours), buckets) == normal_pod_spec(expected, buckets)


@pytest.mark.parametrize(
    ("pod_spec", "grace", "expected"),
    [  # Prow's TestProwJobToPod_setsTerminationGracePeriodSeconds, plus the unset case
        ({}, "10s", 12),
        ({"terminationGracePeriodSeconds": 60}, None, 60),
        ({}, None, None),
    ],
)
def test_termination_grace_period_follows_the_configured_grace_period(
    pod_spec: dict[str, Any], grace: str | None, expected: int | None
) -> None:
    config = copy.deepcopy(DECORATE_CONFIG)
    config.pop("grace_period")
    if grace:
        config["grace_period"] = grace
    spec = ProwJobSpec.model_validate(
        {
            "type": "periodic",
            "job": "job",
            "decoration_config": config,
            "pod_spec": {**pod_spec, "containers": [{"image": "i", "command": ["x"]}]},
        }
    )
    pod = prowjob_to_pod("p", "ns", spec, "1", {}, {})["spec"]
    assert pod.get("terminationGracePeriodSeconds") == expected
