"""A decorated pod's containers run for real, in order, against a real git repository and
a real S3 server (moto): then every object in the bucket is checked against Prow's layout.

Scenarios: a passing job (with a secret censored), a failing job, a timed-out job (grace
then kill), an aborted job (SIGTERM to the pod), and a clone failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.render import prowjob_to_pod
from bowsprit.testing import s3
from bowsprit.testing.gitrepos import Remote
from bowsprit.testing.localpod import LocalPod
from e2e.conformance.conftest import wait_for

BUILD = "1800000000000000001"
JOB = "pull-repo-unit"
SECRET = "hunter2-very-secret"
WRITE_ARTIFACTS = (
    'mkdir -p "$ARTIFACTS" && echo "<testsuite tests=\\"1\\"/>" > "$ARTIFACTS/junit.xml"'
    ' && echo \'{"tested": "yes"}\' > "$ARTIFACTS/metadata.json"'
)


@pytest.fixture(scope="module")
def server() -> Iterator[s3.S3Server]:
    running = s3.start()
    yield running
    running.stop()


@dataclass
class Run:
    pod: LocalPod
    folder: str
    objects: dict[str, bytes]

    def json(self, key: str) -> Any:
        return json.loads(self.objects[f"{self.folder}/{key}"])

    def text(self, key: str) -> str:
        return self.objects[f"{self.folder}/{key}"].decode()


@dataclass
class Setup:
    server: s3.S3Server
    bucket: str
    remote: Remote
    base: str
    pull: str
    root: Path

    def pod(
        self,
        script: str,
        pull_sha: str | None = None,
        containers: list[dict[str, Any]] | None = None,
        **decoration: Any,
    ) -> LocalPod:
        refs = {
            "org": "org",
            "repo": "repo",
            "base_ref": "main",
            "base_sha": self.base,
            "clone_uri": self.remote.url,
            "pulls": [{"number": 7, "author": "dev", "sha": pull_sha or self.pull}],
        }
        spec = ProwJobSpec.model_validate(
            {
                "type": "presubmit",
                "job": JOB,
                "refs": refs,
                "pod_spec": {
                    "containers": containers
                    or [
                        {
                            "image": "debian",
                            "command": ["sh", "-c", script],
                            "volumeMounts": [{"name": "token", "mountPath": "/etc/token"}],
                        }
                    ],
                    "volumes": [{"name": "token", "secret": {"secretName": "token"}}],
                },
                "decoration_config": {
                    "utility_images": {
                        name: "bowsprit"
                        for name in ("clonerefs", "initupload", "entrypoint", "sidecar")
                    },
                    "gcs_configuration": {
                        "bucket": f"s3://{self.bucket}",
                        "path_strategy": "explicit",
                    },
                    "s3_credentials_secret": "s3-credentials",
                    "censor_secrets": True,
                    **decoration,
                },
            }
        )
        pod = prowjob_to_pod("pj-1", "test-pods", spec, BUILD, {}, {})
        credentials = {
            "region": s3.REGION,
            "endpoint": self.server.endpoint,
            "insecure": True,
            "s3_force_path_style": True,
            "access_key": s3.ACCESS_KEY,
            "secret_key": s3.SECRET_KEY,
        }
        secrets = {
            "s3-credentials": {"service-account.json": json.dumps(credentials)},
            "token": {"token": SECRET},
        }
        return LocalPod(pod["spec"], self.root, secrets)

    def finish(self, pod: LocalPod) -> Run:
        client = self.server.client()
        listed = client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        objects = {
            item["Key"]: client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
            for item in listed
        }
        client.close()
        return Run(pod, f"pr-logs/pull/org_repo/7/{JOB}/{BUILD}", objects)


@pytest.fixture
def setup(server: s3.S3Server, tmp_path: Path) -> Setup:
    remote = Remote(tmp_path / "git")
    base = remote.commit({"README": "base\n"})
    pull = remote.pull_request(7, {"feature.txt": "from the pull request\n"})
    return Setup(server, server.new_bucket(), remote, base, pull, tmp_path / "pod")


def run_to_end(
    setup: Setup, script: str, containers: list[dict[str, Any]] | None = None, **decoration: Any
) -> tuple[dict[str, int], Run]:
    pod = setup.pod(script, containers=containers, **decoration)
    init = pod.run_init()
    assert init == {"clonerefs": 0, "initupload": 0, "place-entrypoint": 0}, pod.output(
        "initupload"
    )
    pod.start_containers()
    codes = pod.wait()
    return codes, setup.finish(pod)


def test_a_passing_job_uploads_prows_layout(setup: Setup) -> None:
    script = f"cat feature.txt && echo token=$(cat /etc/token/token) && {WRITE_ARTIFACTS}"
    codes, run = run_to_end(setup, script)
    assert codes == {"test": 0, "sidecar": 0}, run.pod.output("sidecar")
    assert sorted(run.objects) == sorted(
        [
            f"{run.folder}/{key}"
            for key in (
                "started.json",
                "clone-log.txt",
                "clone-records.json",
                "build-log.txt",
                "artifacts/junit.xml",
                "artifacts/metadata.json",
                "prowjob.json",
                "sidecar-logs.json",
                "finished.json",
            )
        ]
        + [
            f"pr-logs/directory/{JOB}/latest-build.txt",
            f"pr-logs/directory/{JOB}/{BUILD}.txt",
            f"pr-logs/pull/org_repo/7/{JOB}/latest-build.txt",
        ]
    )
    records = run.json("clone-records.json")
    merged = records[0]["final_sha"]
    assert not records[0]["failed"] and merged not in (setup.base, setup.pull)
    started = run.json("started.json")
    assert started["pull"] == "7" and started["repo-version"] == merged
    assert started["repos"] == {"org/repo": f"main:{setup.base},7:{setup.pull}"}
    finished = run.json("finished.json")
    assert finished["passed"] is True and finished["result"] == "SUCCESS"
    assert finished["revision"] == merged and finished["metadata"] == {"tested": "yes"}
    log = run.text("build-log.txt")
    assert "from the pull request" in log  # the pull request was merged into the base
    assert SECRET not in log and "token=" + "*" * len(SECRET) in log
    assert run.objects[f"pr-logs/directory/{JOB}/latest-build.txt"] == BUILD.encode()
    alias = run.objects[f"pr-logs/directory/{JOB}/{BUILD}.txt"].decode()
    assert alias == f"s3://{setup.bucket}/{run.folder}"
    assert "git merge --no-ff" in run.text("clone-log.txt")
    assert run.json("prowjob.json")["status"]["state"] == "success"
    assert "result SUCCESS" in run.text("sidecar-logs.json")


def test_merges_are_deterministic(setup: Setup) -> None:
    first, second = (run_to_end(setup, "true")[1] for _ in range(2))
    sha = first.json("clone-records.json")[0]["final_sha"]
    assert second.json("clone-records.json")[0]["final_sha"] == sha


def test_a_failing_job_is_a_failure_and_the_pod_fails(setup: Setup) -> None:
    codes, run = run_to_end(setup, "echo broken; exit 3")
    assert codes == {"test": 3, "sidecar": 0}
    finished = run.json("finished.json")
    assert finished["passed"] is False and finished["result"] == "FAILURE"
    assert "broken" in run.text("build-log.txt")


def test_a_timed_out_job_is_interrupted_then_killed(setup: Setup) -> None:
    script = "trap '' INT TERM; echo waiting; while :; do sleep 0.1; done"
    codes, run = run_to_end(setup, script, timeout="1s", grace_period="1s")
    assert codes == {"test": 127, "sidecar": 0}
    assert run.json("finished.json")["result"] == "FAILURE"
    assert "did not finish before its timeout" in run.text("build-log.txt")


def test_an_aborted_pod_records_aborted(setup: Setup) -> None:
    pod = setup.pod("echo ready; while :; do sleep 0.1; done", grace_period="2s")
    assert pod.run_init()["place-entrypoint"] == 0
    pod.start_containers()
    wait_for(lambda: "ready" in pod.output("test"), what="the test to start")
    wait_for(lambda: "waiting for" in pod.output("sidecar"), what="sidecar to start")
    pod.stop()
    codes = pod.wait()
    run = setup.finish(pod)
    assert codes == {"test": 130, "sidecar": 0}, pod.output("sidecar")
    finished = run.json("finished.json")
    assert finished["result"] == "ABORTED" and finished["passed"] is False
    assert "ready" in run.text("build-log.txt")


def test_a_clone_failure_fails_the_pod_before_the_test(setup: Setup) -> None:
    pod = setup.pod("echo must not run", pull_sha="0" * 40)
    init = pod.run_init()
    assert init == {"clonerefs": 0, "initupload": 1}  # place-entrypoint never ran
    run = setup.finish(pod)
    assert run.json("clone-records.json")[0]["failed"] is True
    finished = run.json("finished.json")
    assert finished["result"] == "FAILURE" and finished["passed"] is False
    assert "git merge" in run.text("build-log.txt")
    assert f"{run.folder}/started.json" in run.objects


def test_several_test_containers_each_get_a_log(setup: Setup) -> None:
    def container(name: str, script: str) -> dict[str, Any]:
        return {"name": name, "image": "debian", "command": ["sh", "-c", script]}

    metadata = json.dumps({"unit": 1})
    unit = (
        f"echo unit ran && mkdir -p $ARTIFACTS && echo '{metadata}' > $ARTIFACTS/unit-metadata.json"
    )
    lint = "echo lint failed; exit 2"
    codes, run = run_to_end(setup, "", [container("unit", unit), container("lint", lint)])
    assert codes == {"unit": 0, "lint": 2, "sidecar": 0}
    assert run.text("unit-build-log.txt") == "unit ran\n"
    assert run.text("lint-build-log.txt") == "lint failed\n"
    assert f"{run.folder}/build-log.txt" not in run.objects
    finished = run.json("finished.json")
    assert finished["result"] == "FAILURE" and finished["metadata"] == {"unit": 1}
