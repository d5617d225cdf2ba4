"""What deck's handler and browser tests share: runs produced by the real pod utilities
(clonerefs, initupload, entrypoint, sidecar as processes, uploading to moto's S3 server),
and deck itself served from this process against a `kube` target, the bucket and the
fake GitHub."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes

from bowsprit.api import GROUP, VERSION
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.clients.artifacts import open_bucket
from bowsprit.clients.cluster import Cluster
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.clients.informer import Informer
from bowsprit.clients.oauth import GitHubOAuth, OAuthConfig
from bowsprit.deck.auth import Signer
from bowsprit.deck.context import Deck
from bowsprit.deck.server import app
from bowsprit.deck.store import ObjectStore
from bowsprit.emulator.threaded import ThreadedApp
from bowsprit.jobpod.render import prowjob_to_pod
from bowsprit.lib.clock import random_name, utc_now
from bowsprit.testing import s3
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.gitrepos import Remote, git
from bowsprit.testing.localpod import LocalPod
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube

JOB = "pull-repo-unit"
FAILING_SCRIPT = (
    "mkdir -p \"$ARTIFACTS\" && printf '%s' "
    '\'<testsuites><testsuite name="unit" tests="2">'
    '<testcase classname="pkg" name="TestPasses" time="0.1"/>'
    '<testcase classname="pkg" name="TestBroken" time="0.2">'
    '<failure message="expected 1, got 2">broken_test.go:12: expected 1, got 2</failure>'
    '</testcase></testsuite></testsuites>\' > "$ARTIFACTS/junit_unit.xml"'
    ' && for i in $(seq 1 40); do echo "step $i ok"; done'
    " && printf '\\033[32mgreen\\033[0m <script>alert(1)</script>\\n'"
    " && echo 'ERROR: TestBroken failed' && exit 1"
)
PASSING_SCRIPT = "echo all good && true"


@dataclass(frozen=True)
class StoredRun:
    build: str
    sha: str
    folder: str


def run_job(
    server: s3.S3Server,
    bucket: str,
    remote: Remote,
    base: str,
    sha: str,
    build: str,
    script: str,
    root: Path,
) -> StoredRun:
    """One presubmit run of JOB for PR 7 at `sha`, through the real pod utilities."""
    refs = {
        "org": "org",
        "repo": "repo",
        "base_ref": "main",
        "base_sha": base,
        "clone_uri": remote.url,
        "pulls": [{"number": 7, "author": "dev", "sha": sha}],
    }
    spec = ProwJobSpec.model_validate(
        {
            "type": "presubmit",
            "job": JOB,
            "refs": refs,
            "pod_spec": {"containers": [{"image": "debian", "command": ["sh", "-c", script]}]},
            "decoration_config": {
                "utility_images": {
                    name: "bowsprit"
                    for name in ("clonerefs", "initupload", "entrypoint", "sidecar")
                },
                "gcs_configuration": {"bucket": f"s3://{bucket}", "path_strategy": "explicit"},
                "s3_credentials_secret": "s3-credentials",
            },
        }
    )
    pod = prowjob_to_pod(f"pj-{build}", "test-pods", spec, build, {}, {})
    secrets = {"s3-credentials": {"service-account.json": json.dumps(credentials(server))}}
    local = LocalPod(pod["spec"], root / build, secrets)
    assert local.run_init() == {"clonerefs": 0, "initupload": 0, "place-entrypoint": 0}
    local.start_containers()
    local.wait()
    return StoredRun(build, sha, f"pr-logs/pull/org_repo/7/{JOB}/{build}")


def credentials(server: s3.S3Server) -> dict[str, Any]:
    return {
        "region": s3.REGION,
        "endpoint": server.endpoint,
        "insecure": True,
        "s3_force_path_style": True,
        "access_key": s3.ACCESS_KEY,
        "secret_key": s3.SECRET_KEY,
    }


@dataclass
class Runs:
    server: s3.S3Server
    bucket: str
    failing: StoredRun
    passing: StoredRun
    credentials_file: Path


@contextlib.contextmanager
def stored_runs(root: Path) -> Iterator[Runs]:
    """A failing run at the PR's first commit and a passing one at its second."""
    server = s3.start()
    try:
        bucket = server.new_bucket()
        remote = Remote(root / "git")
        base = remote.commit({"README": "base\n"})
        first = remote.pull_request(7, {"feature.txt": "one\n"})
        failing = run_job(
            server, bucket, remote, base, first, "1800000000000000001", FAILING_SCRIPT, root
        )
        # A new commit pushed to the PR (force-moving its head, as GitHub does).
        second = remote.commit({"feature.txt": "two\n"}, "second commit", branch="pr-7")
        git(remote.work, "push", "--quiet", "--force", "origin", f"{second}:refs/pull/7/head")
        passing = run_job(
            server, bucket, remote, base, second, "1800000000000000002", PASSING_SCRIPT, root
        )
        path = root / "s3.json"
        path.write_text(json.dumps(credentials(server)))
        yield Runs(server, bucket, failing, passing, path)
    finally:
        server.stop()


def prowjob(
    name: str, state: str, run: StoredRun | None, bucket: str, **spec: Any
) -> dict[str, Any]:
    status: dict[str, Any] = {"state": state, "startTime": "2026-12-05T10:00:00Z"}
    if run is not None:
        status.update(build_id=run.build, url=f"/view/s3/{bucket}/{run.folder}")
    if state in ("success", "failure", "aborted", "error"):
        status["completionTime"] = "2026-12-05T10:03:10Z"
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ProwJob",
        "metadata": {"name": name, "labels": {"prow.k8s.io/job": JOB}},
        "spec": {
            "type": "presubmit",
            "job": JOB,
            "report": True,
            "refs": {
                "org": "org",
                "repo": "repo",
                "base_ref": "main",
                "base_sha": "a" * 40,
                "pulls": [{"number": 7, "author": "dev", "sha": run.sha if run else "b" * 40}],
            },
            "pod_spec": {"containers": [{"image": "debian", "command": ["true"]}]},
            **spec,
        },
    }
    return {**body, "status": status}


@dataclass
class Served:
    deck: Deck
    url: str
    objects: Any
    namespace: str

    def create(self, body: dict[str, Any]) -> None:
        status = body.pop("status", None)
        self.objects.create_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "prowjobs", body
        )
        if status:
            self.set_status(body["metadata"]["name"], status)

    def set_status(self, name: str, status: dict[str, Any]) -> None:
        self.objects.patch_namespaced_custom_object_status(
            GROUP, VERSION, self.namespace, "prowjobs", name, {"status": status}
        )
        wait_for(
            lambda: (
                (self.deck.prowjobs.get(self.namespace, name) or {}).get("status", {}).get("state")
                == status.get("state", "triggered")
            ),
            what=f"deck to see {name} {status.get('state')}",
        )

    def job(self, name: str) -> dict[str, Any]:
        found: Any = self.objects.get_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "prowjobs", name
        )
        return dict(found)

    def jobs(self) -> list[dict[str, Any]]:
        found: Any = self.objects.list_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "prowjobs"
        )
        return list(found["items"])


@contextlib.contextmanager
def served_deck(
    kube: Kube, namespace: str, runs: Runs, github: FakeGitHub, tmp: Path
) -> Iterator[Served]:
    cluster = Cluster(kube.api)
    token = tmp / "token"
    token.write_text("bot-token")
    client = GitHubClient(GitHubSettings(base_url=github.url, token_path=token))
    deck = Deck(
        prowjobs=ObjectStore(),
        prow_configs=ObjectStore(),
        tidepools=ObjectStore(),
        open_bucket=lambda bucket: open_bucket(bucket, str(runs.credentials_file)),
        cluster=cluster,
        clock=utc_now,
        new_name=random_name,
        signer=Signer(b"s" * 32),
        github=client,
        bot=github.bot,
    )
    extensions = tmp / "extensions"
    extensions.mkdir(exist_ok=True)
    (extensions / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    deck.extensions_dir = extensions
    server = ThreadedApp("deck")
    # The redirect URL needs deck's port: serve first, then configure login.
    server.start(lambda: app(deck))
    deck.oauth = GitHubOAuth(
        OAuthConfig("client", "secret", f"{server.url}/github-login/redirect"),
        github.url,
        github.url,
    )
    informers = [
        Informer(kube.api, "prowjobs", deck.prowjobs, namespace).start(),
        Informer(kube.api, "prowconfigs", deck.prow_configs, namespace).start(),
        Informer(kube.api, "tidepools", deck.tidepools, namespace).start(),
        Informer(kube.api, "pluginconfigs", deck.plugin_configs, namespace).start(),
        *(Informer(kube.api, p, store, namespace).start() for p, store in deck.definitions.items()),
    ]
    deck.config_name = "bowsprit"
    try:
        for informer in informers:
            assert informer.synced.wait(30)
        yield Served(deck, server.url, kubernetes.client.CustomObjectsApi(kube.api), namespace)
    finally:
        for informer in informers:
            informer.stop()
        server.stop()
