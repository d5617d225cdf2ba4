"""hook pokes tide: with a 10-minute sync period, a PR whose `lgtm` label arrives through
a webhook merges within seconds, because hook POSTs tide's /poke (#17); on every target."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bowsprit.lib.contexts import description_with_base_sha
from bowsprit.testing import envtest
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import CommitStatus, Label
from bowsprit.testing.secretvolume import write_secret
from e2e.conftest import Kube, operator_process
from e2e.test_hook import hook_running, sample_body
from e2e.test_tide import (
    BASE,
    ORG,
    merges,
    setup,
    tide_argv,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("crds")

SYNC_PERIOD = 600.0


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


def searched(github: FakeGitHub) -> bool:
    return any(r.path in ("/graphql", "/search/issues") for r in github.requests)


def labeled(repo: str, number: int, label: str) -> bytes:
    """GitHub's `pull_request` `labeled` webhook for `repo`#`number`."""
    body = sample_body("pull_request", "opened.payload")
    org, name = repo.split("/")
    body["action"] = "labeled"
    body["number"] = number
    body["label"] = {"name": label}
    body["pull_request"] = {**body["pull_request"], "number": number}
    body["repository"] = {
        **body["repository"],
        "name": name,
        "full_name": repo,
        "owner": {**body["repository"]["owner"], "login": org},
    }
    return json.dumps(body).encode()


def test_a_label_added_through_hook_merges_well_before_the_sync_period(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    github.add_repo(ORG, "r", {"master": BASE})
    sha = "1" * 40
    github.add_pull("o/r", 1, "alice", sha, base="master", head="pr-1", labels=["approved"])
    passed = description_with_base_sha("Job succeeded.", BASE)  # on the current base
    github.repos["o/r"].statuses[sha] = [
        CommitStatus("unit", "success", passed, None, "bot", github.now())
    ]
    setup(kube, namespace, ["o/r"], sync_period=f"{SYNC_PERIOD:.0f}s")
    (tmp_path / "hook").mkdir()
    token = tmp_path / "poke-token"
    token.write_text("poke-s3cret\n")
    port = envtest.free_port()
    tide = [*tide_argv(kube, namespace, github, tmp_path), "--poke-port", str(port)]
    tide += ["--poke-token-file", str(token)]
    poke = ["--tide-url", f"http://127.0.0.1:{port}/poke", "--tide-token-file", str(token)]
    with (
        operator_process(tide),
        hook_running(kube, namespace, github, tmp_path / "hook", *poke) as hook,
    ):
        # The pool's search reached GitHub: tide synced once, without lgtm in the PR.
        wait_for(lambda: searched(github), what="tide's first sync")
        assert merges(github) == []  # lgtm is missing
        github.repos["o/r"].pulls[1].labels.append(Label("lgtm"))
        poked = time.monotonic()
        assert hook.post("pull_request", labeled("o/r", 1, "lgtm")).status == 200
        wait_for(lambda: merges(github), timeout=60, what="the merge after the poke")
        assert time.monotonic() - poked < SYNC_PERIOD / 10  # a sync period never passed
    assert merges(github) == [("o/r", 1, sha)]


def poke_status(port: int, token: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/poke",
        method="POST",
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_rotated_poke_token_is_followed_by_hook_and_tide(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    """The Secret both mount is rotated while they run (the kubelet's atomic rewrite):
    hook's next poke carries the new token, tide takes it and refuses the old one."""
    passed = description_with_base_sha("Job succeeded.", BASE)
    for repo in ("o/r", "o/s"):
        github.add_repo(ORG, repo.split("/")[1], {"master": BASE})
        github.add_pull(repo, 1, "alice", "1" * 40, base="master", head="pr", labels=["approved"])
        github.repos[repo].statuses["1" * 40] = [
            CommitStatus("unit", "success", passed, None, "bot", github.now())
        ]
    setup(kube, namespace, ["o/r", "o/s"], sync_period=f"{SYNC_PERIOD:.0f}s")
    (tmp_path / "hook").mkdir()
    volume = write_secret(tmp_path / "tide-poke", {"token": "before"})
    port = envtest.free_port()
    tide = [*tide_argv(kube, namespace, github, tmp_path), "--poke-port", str(port)]
    tide += ["--poke-token-file", str(volume / "token")]
    poke = ["--tide-url", f"http://127.0.0.1:{port}/poke"]
    poke += ["--tide-token-file", str(volume / "token")]
    with (
        operator_process(tide),
        hook_running(kube, namespace, github, tmp_path / "hook", *poke) as hook,
    ):
        wait_for(lambda: searched(github), what="tide's first sync")
        for repo, token in (("o/r", "before"), ("o/s", "after")):
            write_secret(volume, {"token": token})  # the second round: rotated
            github.repos[repo].pulls[1].labels.append(Label("lgtm"))
            poked = time.monotonic()
            assert hook.post("pull_request", labeled(repo, 1, "lgtm")).status == 200
            wait_for(
                lambda repo=repo: (repo, 1, "1" * 40) in merges(github),
                timeout=60,
                what=f"{repo}'s merge after the poke",
            )
            assert time.monotonic() - poked < SYNC_PERIOD / 10
        assert poke_status(port, "before") == 401
        assert poke_status(port, "after") == 202
