"""A whole sync against the fake GitHub, with the cluster replaced by a recorder: what
Tide creates, merges and writes, and the merge failures Prow's tryMerge handles."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.tidepool import TidePoolSpec
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.jobpod.jobs import Job
from bowsprit.lib.contexts import description_with_base_sha
from bowsprit.testing.fakegithub import FakeGitHub, Fault
from bowsprit.testing.fakegithub.state import Merged, StatusCreated
from bowsprit.tide.model import MergeTrial, SubPool
from bowsprit.tide.sync import Caches, Syncer
from bowsprit.tide.trial import Candidate

BASE = "b" * 40
POD = {"containers": [{"image": "busybox", "command": ["true"]}]}
BASE_MODIFIED = '{"message": "Base branch was modified. Review and try the merge again."}'
UNAUTHORIZED = '{"message": "You\'re not authorized to push to this branch."}'


class RecordingCluster:
    """The two calls Tide makes to the API server."""

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.statuses: dict[tuple[str, str], dict[str, Any]] = {}

    def create_custom(self, namespace: str, plural: str, body: dict[str, Any]) -> dict[str, Any]:
        assert plural == "prowjobs"
        self.created.append(body)
        return body

    def patch_custom_status(
        self, namespace: str, plural: str, name: str, patch: dict[str, Any]
    ) -> dict[str, Any]:
        self.statuses[(namespace, name)] = patch
        return patch


async def _no_wait(_: float) -> None:
    return None


def head(number: int) -> str:
    return f"{number}" * 40


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("o", "r", {"main": BASE})
        for number in (1, 2, 3):
            fake.add_pull(
                "o/r",
                number,
                "alice",
                head(number),
                labels=["lgtm", "approved"],
                files=[f"{number}.go"],
            )
            fake.repos["o/r"].statuses[head(number)] = []
        yield fake


def green(github: FakeGitHub, number: int) -> None:
    """unit passed on an earlier base, as crier reported it."""
    from bowsprit.testing.fakegithub.state import CommitStatus

    description = description_with_base_sha("Job succeeded.", "0" * 40)
    github.repos["o/r"].statuses[head(number)].append(
        CommitStatus("unit", "success", description, None, "bot", github.now())
    )


async def all_clean(pool: SubPool, candidates: Sequence[Candidate], limit: int) -> MergeTrial:
    """Trial merges where every candidate merges (real git: tests/tide/test_trial.py)."""
    clean = tuple(c.number for c in candidates)
    return MergeTrial(
        tuple((c.number, c.sha) for c in candidates), clean[:limit] if limit > 0 else clean
    )


@pytest.fixture
async def syncer(github: FakeGitHub, tmp_path: Path) -> AsyncIterator[Syncer]:
    token = tmp_path / "token"
    token.write_text("t")
    client = GitHubClient(
        GitHubSettings(base_url=github.url, token_path=token), sleep=_no_wait, rand=lambda: 0.0
    )
    caches = Caches()
    caches.pools[("ns", "main")] = TidePoolSpec(repos=["o/r"], labels=["lgtm", "approved"])
    spec = BlockingPresubmitSpec.model_validate(
        {"org": "o", "repo": "r", "always_run": True, "pod_spec": POD}
    )
    caches.jobs[("BlockingPresubmit", "ns", "unit")] = Job("BlockingPresubmit", "ns", "unit", spec)
    names = (f"job-{n}" for n in itertools.count())
    made = Syncer(
        client,
        RecordingCluster(),
        caches,  # type: ignore[arg-type]
        clock=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        new_name=lambda: next(names),
        merge_pause=0.0,
        sleep=_no_wait,
        trier=all_clean,
    )
    yield made
    await client.aclose()


def tide_contexts(github: FakeGitHub) -> dict[str, tuple[str, str]]:
    found = {}
    for action in github.actions:
        if isinstance(action, StatusCreated) and action.context == "tide":
            found[action.sha] = (action.state, action.description)
    return found


def finish(syncer: Syncer, state: str) -> None:
    for body in syncer.cluster.created:  # type: ignore[attr-defined]
        syncer.caches.upsert_prowjob({**body, "status": {"state": state}})


async def test_batch_tested_then_merged_with_tested_shas(
    github: FakeGitHub, syncer: Syncer
) -> None:
    for number in (1, 2, 3):
        green(github, number)
    [outcome] = await syncer.sync()
    assert outcome.decision.action == "TRIGGER_BATCH"
    [batch] = syncer.cluster.created  # type: ignore[attr-defined]
    assert batch["spec"]["type"] == "batch"
    assert [(p["number"], p["sha"]) for p in batch["spec"]["refs"]["pulls"]] == [
        (n, head(n)) for n in (1, 2, 3)
    ]
    assert batch["spec"]["refs"]["base_sha"] == BASE
    assert batch["metadata"]["labels"]["created-by-tide"] == "true"
    assert tide_contexts(github)[head(1)] == ("pending", "Not mergeable. Retesting: unit")

    # While the batch runs, the oldest PR is retested alone (Prow's "pending batch,
    # should trigger serial"); then nothing more starts.
    await syncer.sync()
    serial = syncer.cluster.created[1]  # type: ignore[attr-defined]
    assert serial["spec"]["type"] == "presubmit"
    assert [p["number"] for p in serial["spec"]["refs"]["pulls"]] == [1]
    await syncer.sync()
    assert len(syncer.cluster.created) == 2  # type: ignore[attr-defined]

    finish(syncer, "success")
    [outcome] = await syncer.sync()
    assert outcome.decision.action == "MERGE_BATCH" and outcome.error is None
    merged = [a for a in github.actions if isinstance(a, Merged)]
    assert [(m.number, m.sha) for m in merged] == [(n, head(n)) for n in (1, 2, 3)]
    assert all(tide_contexts(github)[head(n)] == ("success", "In merge pool.") for n in (1, 2, 3))
    status = syncer.cluster.statuses[("ns", "main")]  # type: ignore[attr-defined]
    assert status["lastAction"] == "MERGE_BATCH o/r:main #1 #2 #3"
    assert [entry["action"] for entry in status["history"]] == [
        "TRIGGER_BATCH",
        "TRIGGER",
        "MERGE_BATCH",
    ]


async def test_a_pr_without_lgtm_is_told_why(github: FakeGitHub, syncer: Syncer) -> None:
    green(github, 1)
    github.repos["o/r"].pulls[2].labels = [
        label for label in github.repos["o/r"].pulls[2].labels if label.name != "lgtm"
    ]
    await syncer.sync()
    assert tide_contexts(github)[head(2)] == ("pending", "Not mergeable. Needs lgtm label.")
    assert tide_contexts(github)[head(3)] == (
        "pending",
        "Not mergeable. Job unit has not succeeded.",
    )
    writes = len(github.actions)
    syncer.last_status = 0.0
    await syncer.sync()  # nothing changed: nothing written again
    assert [a for a in github.actions[writes:] if isinstance(a, StatusCreated)] == []


async def test_base_branch_modified_is_retried(github: FakeGitHub, syncer: Syncer) -> None:
    green(github, 1)
    [_] = await syncer.sync()  # TRIGGER (only PR 1 is green)
    finish(syncer, "success")
    github.fail(Fault("PUT", "/repos/o/r/pulls/1/merge", 405, count=2, body=BASE_MODIFIED))
    [outcome] = await syncer.sync()
    assert (outcome.decision.action, outcome.error) == ("MERGE", None)
    assert [a.number for a in github.actions if isinstance(a, Merged)] == [1]


async def test_a_pr_pushed_during_its_batch_is_not_merged(
    github: FakeGitHub, syncer: Syncer
) -> None:
    for number in (1, 2, 3):
        green(github, number)
    await syncer.sync()
    finish(syncer, "success")
    github.push("o/r", 2, "f" * 40)
    github.repos["o/r"].statuses["f" * 40] = list(github.repos["o/r"].statuses[head(2)])
    [outcome] = await syncer.sync()
    # The batch is void (PR 2 changed head): no merge, a new batch with the new head.
    assert outcome.decision.action == "TRIGGER_BATCH"
    assert [a for a in github.actions if isinstance(a, Merged)] == []
    assert syncer.cluster.created[-1]["spec"]["refs"]["pulls"][1]["sha"] == "f" * 40  # type: ignore[attr-defined]


async def test_head_moved_at_merge_time_fails_that_pr_only(
    github: FakeGitHub, syncer: Syncer
) -> None:
    for number in (1, 2, 3):
        green(github, number)
    await syncer.sync()
    finish(syncer, "success")
    github.fail(
        Fault(
            "PUT", "/repos/o/r/pulls/2/merge", 409, body='{"message": "Head branch was modified."}'
        )
    )
    [outcome] = await syncer.sync()
    assert [a.number for a in github.actions if isinstance(a, Merged)] == [1, 3]
    assert outcome.error is not None and "#2: PR was modified" in outcome.error


async def test_an_authorisation_refusal_stops_the_batch(github: FakeGitHub, syncer: Syncer) -> None:
    for number in (1, 2, 3):
        green(github, number)
    await syncer.sync()
    finish(syncer, "success")
    github.fail(Fault("PUT", "/repos/o/r/pulls/2/merge", 405, body=UNAUTHORIZED))
    [outcome] = await syncer.sync()
    assert [a.number for a in github.actions if isinstance(a, Merged)] == [1]
    assert outcome.error is not None and "allow this robot to push" in outcome.error


async def test_a_failed_batch_is_not_merged_and_not_started_twice_while_pending(
    github: FakeGitHub, syncer: Syncer
) -> None:
    for number in (1, 2, 3):
        green(github, number)
    await syncer.sync()
    finish(syncer, "failure")
    [outcome] = await syncer.sync()
    # Tried again as it was (Prow's pickNewBatch has no memory of failures: a flake passes).
    assert outcome.decision.action == "TRIGGER_BATCH"
    assert [pr.number for pr in outcome.decision.targets] == [1, 2, 3]
    assert [a for a in github.actions if isinstance(a, Merged)] == []


async def test_overwrite_pending_contexts_on_a_batch_merge(
    github: FakeGitHub, syncer: Syncer
) -> None:
    """Prow's overwrite-pending-contexts: PR 1's own retest is still running when its batch
    passed; its context is set to the batch's result and the failure comment goes."""
    from bowsprit.api.tidepool import TideContextPolicyOptions
    from bowsprit.testing.fakegithub.state import CommentDeleted

    syncer.caches.config.tide.context_options = TideContextPolicyOptions.model_validate(
        {"overwrite-pending-contexts": True}
    )
    for number in (1, 2, 3):
        green(github, number)
    report = github.add_comment("o/r", 1, github.bot, "unit failed <!-- test report -->")
    await syncer.sync()  # the batch
    await syncer.sync()  # PR 1 retested alone meanwhile
    batch, serial = syncer.cluster.created  # type: ignore[attr-defined]
    syncer.caches.upsert_prowjob(
        {
            **batch,
            "status": {
                "state": "success",
                "description": "Job succeeded.",
                "url": "https://deck/batch",
            },
        }
    )
    syncer.caches.upsert_prowjob({**serial, "status": {"state": "pending"}})
    [outcome] = await syncer.sync()
    assert outcome.decision.action == "MERGE_BATCH"
    overwritten = [
        a
        for a in github.actions
        if isinstance(a, StatusCreated) and a.context == "unit" and a.state == "success"
    ]
    assert [a.sha for a in overwritten] == [head(1)]
    assert overwritten[0].description.endswith(f"BaseSHA:{BASE}")
    assert CommentDeleted("o/r", report.id) in github.actions
    assert [a.number for a in github.actions if isinstance(a, Merged)] == [1, 2, 3]


async def test_dry_run_changes_nothing(github: FakeGitHub, syncer: Syncer) -> None:
    syncer.dry_run = True
    for number in (1, 2, 3):
        green(github, number)
    [outcome] = await syncer.sync()
    assert outcome.decision.action == "TRIGGER_BATCH"
    assert syncer.cluster.created == [] and syncer.cluster.statuses == {}  # type: ignore[attr-defined]
    assert [r for r in github.requests if r.method != "GET" and r.path != "/graphql"] == []


async def test_metrics_follow_the_pools(github: FakeGitHub, syncer: Syncer) -> None:
    from prometheus_client import REGISTRY

    for number in (1, 2, 3):
        green(github, number)
    github.repos["o/r"].pulls[3].mergeable = False
    before = (
        REGISTRY.get_sample_value(
            "tide_retests_total",
            {"org": "o", "repo": "r", "branch": "main", "action": "TRIGGER_BATCH"},
        )
        or 0.0
    )
    await syncer.sync()
    pool = {"org": "o", "repo": "r", "branch": "main"}
    assert REGISTRY.get_sample_value("pooledprs", pool) == 2
    assert REGISTRY.get_sample_value("tide_pool_missing_prs", pool) == 2
    after = REGISTRY.get_sample_value("tide_retests_total", {**pool, "action": "TRIGGER_BATCH"})
    assert after == before + 1
    assert (REGISTRY.get_sample_value("syncdur") or 0) > 0
