"""Tide end to end, with plank running the ProwJobs it starts (the test kubelet finishes
their pods), the fake GitHub holding the pull requests, and crier where results must
reach GitHub; on every target."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import kubernetes
import pytest

from bowsprit.lib.contexts import description_with_base_sha
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.fakegithub.state import CommitStatus, Label, Merged, Pull, Repo, StatusCreated
from bowsprit.testing.gitrepos import Remote, git
from bowsprit.testing.kubelet import TestKubelet
from e2e.conformance.conftest import wait_for as _wait_for
from e2e.conftest import Kube, component_argv, operator_process, prow_config, running
from e2e.test_crier import crier_argv
from e2e.test_hook import create, prowjobs

pytestmark = pytest.mark.usefixtures("crds")

ORG = "o"
BASE = "b" * 40
OLD_BASE = "0" * 40
POD = {"containers": [{"image": "busybox", "command": ["true"]}]}
Decide = Callable[[dict[str, Any]], int | None]

# A sync is a GitHub search, a decision and GitHub writes, with plank and a kubelet running
# the batch: on a loaded 2-core machine the envtest runs took over 30 s, so each wait has a
# generous deadline (a passing run never waits for it).
TIDE_DEADLINE = 120.0
T = TypeVar("T")


def wait_for(
    condition: Callable[[], T], timeout: float = TIDE_DEADLINE, what: str = "condition"
) -> T:
    return _wait_for(condition, timeout=timeout, what=what)


def head(number: int) -> str:
    return f"{number:x}" * 40


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


def open_green_pull(
    github: FakeGitHub, repo: str, number: int, sha: str | None = None, file: str = ""
) -> str:
    """A PR with lgtm and approved whose `unit` passed on an earlier base (as crier
    reported it when hook ran it); its head is `sha` (a real commit) or made up."""
    if repo not in github.repos:
        github.add_repo(ORG, repo.split("/")[1], {"master": BASE})
    sha = sha or head(number)
    github.add_pull(
        repo,
        number,
        "alice",
        sha,
        base="master",
        head=f"pr-{number}",
        labels=["lgtm", "approved"],
        files=[file or f"{number}.go"],
    )
    description = description_with_base_sha("Job succeeded.", OLD_BASE)
    github.repos[repo].statuses[sha] = [
        CommitStatus("unit", "success", description, None, "bot", github.now())
    ]
    return sha


class GitPulls:
    """Pull requests whose heads are real commits of a real remote, which tide's trial
    merges fetch and into which the fake GitHub's merges are made."""

    def __init__(self, github: FakeGitHub, root: Path) -> None:
        self.github, self.root = github, root
        self.remotes: dict[str, Remote] = {}
        github.merger = self._merge

    def remote(self, repo: str) -> Remote:
        if repo not in self.remotes:
            made = Remote(self.root, *repo.split("/"))
            made.commit({"README": "base"}, branch="master")
            self.remotes[repo] = made
            self.github.add_repo(made.org, made.name, {"master": made.head("master")})
        return self.remotes[repo]

    def open(self, repo: str, number: int, file: str = "", content: str = "") -> str:
        file = file or f"{number}.go"
        remote = self.remote(repo)
        sha = remote.pull_request(number, {file: content or f"change {number}"}, base="master")
        return open_green_pull(self.github, repo, number, sha, file)

    def push(self, repo: str, number: int) -> str:
        """A new commit on the PR's branch, published as its head and given its statuses."""
        remote = self.remotes[repo]
        sha = remote.commit({f"{number}.go": "pushed"}, branch=f"pr-{number}")
        git(remote.work, "push", "--quiet", "origin", f"{sha}:refs/pull/{number}/head")
        statuses = self.github.repos[repo].statuses
        statuses[sha] = list(statuses[self.github.repos[repo].pulls[number].head_sha])
        self.github.push(repo, number, sha)
        return sha

    def _merge(self, repo: Repo, item: Pull, method: str) -> str:
        return self.remotes[repo.full_name].merge_pull(item.number, item.base_ref, method)


@pytest.fixture
def pulls(github: FakeGitHub, tmp_path: Path) -> GitPulls:
    return GitPulls(github, tmp_path / "git")


def setup(kube: Kube, namespace: str, repos: list[str], sync_period: str = "1s") -> None:
    prow_config(kube, namespace, tide={"sync_period": sync_period})
    create(
        kube,
        namespace,
        "tidepools",
        "TidePool",
        "main",
        {"repos": repos, "labels": ["lgtm", "approved"]},
    )
    for repo in repos:
        spec = {
            "org": ORG,
            "repo": repo.split("/")[1],
            "always_run": True,
            "pod_spec": POD,
            "name": "unit",
        }
        create(
            kube,
            namespace,
            "blockingpresubmits",
            "BlockingPresubmit",
            f"unit-{repo.split('/')[1]}",
            spec,
        )


def tide_argv(kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path) -> list[str]:
    token = tmp_path / "tide-token"
    token.write_text("s3cret\n")
    return [
        *component_argv(kube, "tide", namespace),
        "--git-url-template",
        f"{(tmp_path / 'git').as_uri()}/remotes/{{org}}/{{repo}}.git",
        "--git-work-dir",
        str(tmp_path / "tide-git"),
        "--github-endpoint",
        github.url,
        "--github-token-path",
        str(token),
        "--batch-merge-pause",
        "0",
    ]


def settle(kube: Kube, namespace: str, decide: Decide) -> None:
    """Play the kubelet: finish each pod not yet started with the code `decide` gives
    (None leaves it waiting)."""
    kubelet, core = TestKubelet(kube.api), kubernetes.client.CoreV1Api(kube.api)
    for pod in core.list_namespaced_pod(namespace).items:
        if pod.status.phase != "Pending":
            continue
        code = decide(pod.metadata.labels or {})
        if code is not None:
            kubelet.start(namespace, pod.metadata.name)
            kubelet.finish(namespace, pod.metadata.name, code)


def merges(github: FakeGitHub) -> list[tuple[str, int, str]]:
    return [(a.repo, a.number, a.sha) for a in github.actions if isinstance(a, Merged)]


def tide_context(github: FakeGitHub, sha: str) -> tuple[str, str] | None:
    found = None
    for action in github.actions:
        if isinstance(action, StatusCreated) and action.context == "tide" and action.sha == sha:
            found = (action.state, action.description)
    return found


def batches(kube: Kube, namespace: str) -> list[dict[str, Any]]:
    return [j for j in prowjobs(kube, namespace) if j["spec"]["type"] == "batch"]


def pulls_of(job: dict[str, Any]) -> list[tuple[int, str]]:
    return [(p["number"], p["sha"]) for p in job["spec"]["refs"]["pulls"]]


def merge_requests(github: FakeGitHub, repo: str, number: int) -> int:
    path = f"/repos/{repo}/pulls/{number}/merge"
    return sum(1 for r in github.requests if r.method == "PUT" and r.path == path)


def test_a_batch_of_three_is_tested_and_merged_with_its_tested_shas(
    kube: Kube, namespace: str, github: FakeGitHub, pulls: GitPulls, tmp_path: Path
) -> None:
    heads = {n: pulls.open("o/r", n) for n in (1, 2, 3)}
    base = github.repos["o/r"].branches["master"]
    setup(kube, namespace, ["o/r"])
    with (
        running(kube, "plank", namespace),
        operator_process(tide_argv(kube, namespace, github, tmp_path)),
    ):
        batch = wait_for(lambda: batches(kube, namespace), what="a batch ProwJob")[0]
        assert pulls_of(batch) == [(n, heads[n]) for n in (1, 2, 3)]
        assert batch["spec"]["refs"]["base_sha"] == base
        wait_for(
            lambda: (settle(kube, namespace, lambda _: 0), len(merges(github)) == 3)[1],
            timeout=TIDE_DEADLINE,
            what="three merges",
        )
    assert merges(github) == [("o/r", n, heads[n]) for n in (1, 2, 3)]
    assert all(merge_requests(github, "o/r", n) == 1 for n in (1, 2, 3))
    assert github.repos["o/r"].branches["master"] == pulls.remotes["o/r"].head("master") != base
    assert len(batches(kube, namespace)) == 1


def test_failing_pr_is_never_merged_and_a_pr_losing_lgtm_leaves_the_pool(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    open_green_pull(github, "o/fails", 4)
    open_green_pull(github, "o/loses", 6)
    setup(kube, namespace, ["o/fails", "o/loses"])

    def decide(labels: dict[str, str]) -> int | None:
        if labels.get("prow.k8s.io/refs.repo") == "fails":
            return 1
        return None  # o/loses: kept running until lgtm is gone

    with (
        running(kube, "plank", namespace),
        operator_process(crier_argv(kube, namespace, github, tmp_path)),
        operator_process(tide_argv(kube, namespace, github, tmp_path)),
    ):
        # Each PR alone in its sub-pool: retested serially on the current base.
        wait_for(lambda: len(prowjobs(kube, namespace)) >= 2, what="serial retests")
        assert all(j["spec"]["type"] == "presubmit" for j in prowjobs(kube, namespace))
        github.repos["o/loses"].pulls[6].labels = [Label("approved")]
        wait_for(
            lambda: (
                settle(kube, namespace, decide),
                tide_context(github, head(4))
                == ("pending", "Not mergeable. Job unit has not succeeded."),
            )[1],
            timeout=TIDE_DEADLINE,
            what="PR 4's tide context naming the failed job",
        )
        wait_for(
            lambda: (
                tide_context(github, head(6)) == ("pending", "Not mergeable. Needs lgtm label.")
            ),
            what="PR 6's tide context naming the missing label",
        )
        settle(kube, namespace, lambda _: 0)  # PR 6's retest passes, too late
        started = len(prowjobs(kube, namespace))
        syncs = _sync_count(kube, namespace)
        wait_for(lambda: _sync_count(kube, namespace) >= syncs + 2, what="two more syncs")
        assert len(prowjobs(kube, namespace)) == started  # nothing retested again
    assert merges(github) == []


def _sync_count(kube: Kube, namespace: str) -> int:
    """Syncs seen through the TidePool's history and lastSyncTime changes."""
    body = kubernetes.client.CustomObjectsApi(kube.api).get_namespaced_custom_object(
        "bowsprit.dev", "v1", namespace, "tidepools", "main"
    )
    _SEEN.setdefault(namespace, set()).add((body.get("status") or {}).get("lastSyncTime"))
    return len(_SEEN[namespace])


_SEEN: dict[str, set[Any]] = {}


def test_a_pr_pushed_while_its_batch_runs_is_not_merged(
    kube: Kube, namespace: str, github: FakeGitHub, pulls: GitPulls, tmp_path: Path
) -> None:
    heads = {n: pulls.open("o/r", n) for n in (1, 2, 3)}
    setup(kube, namespace, ["o/r"])
    with (
        running(kube, "plank", namespace),
        operator_process(tide_argv(kube, namespace, github, tmp_path)),
    ):
        first = wait_for(lambda: batches(kube, namespace), what="a batch ProwJob")[0]
        pushed = pulls.push("o/r", 2)
        wait_for(
            lambda: (settle(kube, namespace, lambda _: 0), len(merges(github)) == 3)[1],
            timeout=TIDE_DEADLINE,
            what="every PR merged, PR 2 after a test of its new head",
        )
    assert ("o/r", 2, heads[2]) not in merges(github)
    assert ("o/r", 2, pushed) in merges(github)
    retested = [j for j in prowjobs(kube, namespace) if (2, pushed) in pulls_of(j)]
    assert retested and (2, heads[2]) in pulls_of(first)


@contextlib.contextmanager
def killable(argv: list[str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ)
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def test_tide_killed_between_merges_merges_nothing_twice(
    kube: Kube, namespace: str, github: FakeGitHub, pulls: GitPulls, tmp_path: Path
) -> None:
    for number in (1, 2, 3):
        pulls.open("o/r", number)
    setup(kube, namespace, ["o/r"])
    argv = tide_argv(kube, namespace, github, tmp_path)
    held = github.hold("PUT", "/repos/o/r/pulls/2/merge")
    with running(kube, "plank", namespace):
        with killable(argv) as tide:
            wait_for(
                lambda: (settle(kube, namespace, lambda _: 0), held.arrived.is_set())[1],
                timeout=TIDE_DEADLINE,
                what="the second merge carried out, its answer held",
            )
            tide.send_signal(signal.SIGKILL)
            tide.wait(timeout=30)
        held.release()
        assert [n for _, n, _ in merges(github)] == [1, 2]
        with operator_process(argv):
            wait_for(
                lambda: (settle(kube, namespace, lambda _: 0), len(merges(github)) == 3)[1],
                timeout=TIDE_DEADLINE,
                what="PR 3 retested on the new base and merged",
            )
    assert [n for _, n, _ in merges(github)] == [1, 2, 3]
    assert [merge_requests(github, "o/r", n) for n in (1, 2, 3)] == [1, 1, 1]


def test_prs_that_conflict_with_each_other_in_git_are_never_batched_together(
    kube: Kube, namespace: str, github: FakeGitHub, pulls: GitPulls, tmp_path: Path
) -> None:
    """PRs 1 and 2 change one file differently: each merges alone, not together (GitHub
    calls both mergeable). The trial merge keeps 2 out of the batch with 1 and 3; once 1
    merged, GitHub reports 2 as conflicting, which its tide context says."""
    heads = {
        1: pulls.open("o/r", 1, "same.go", "one"),
        2: pulls.open("o/r", 2, "same.go", "two"),
        3: pulls.open("o/r", 3),
    }
    setup(kube, namespace, ["o/r"])
    with (
        running(kube, "plank", namespace),
        operator_process(tide_argv(kube, namespace, github, tmp_path)),
    ):
        batch = wait_for(lambda: batches(kube, namespace), what="a batch ProwJob")[0]
        assert pulls_of(batch) == [(1, heads[1]), (3, heads[3])]
        wait_for(
            lambda: (settle(kube, namespace, lambda _: 0), len(merges(github)) == 2)[1],
            timeout=TIDE_DEADLINE,
            what="PRs 1 and 3 merged",
        )
        wait_for(
            lambda: (
                tide_context(github, heads[2])
                == ("error", "Not mergeable. PR has a merge conflict.")
            ),
            what="PR 2's tide context naming the conflict",
        )
    assert merges(github) == [("o/r", 1, heads[1]), ("o/r", 3, heads[3])]
    assert all((2, heads[2]) not in pulls_of(job) for job in batches(kube, namespace))
