"""Builders of Tide's snapshot values for table tests."""

from __future__ import annotations

from collections.abc import Iterable

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.jobpod.jobs import Job
from bowsprit.tide.model import Context, JobResult, PullRequest

ORG, REPO, BRANCH, BASE = "o", "r", "master", "8d287a3aeae90fd0aef4a70009c715712ff302cd"


def job(
    context: str,
    *,
    always_run: bool = True,
    run_if_changed: str | None = None,
    branches: list[str] | None = None,
    optional: bool = False,
    run_before_merge: bool | None = None,
) -> Job:
    fields: dict[str, object] = {"org": ORG, "repo": REPO, "name": context}
    if run_if_changed:
        fields["run_if_changed"] = run_if_changed
    elif always_run:
        fields["always_run"] = True
    if branches:
        fields["branches"] = branches
    if optional:
        return Job("Presubmit", "ns", context, PresubmitSpec.model_validate(fields))
    if run_before_merge is not None:
        fields["run_before_merge"] = run_before_merge
    return Job("BlockingPresubmit", "ns", context, BlockingPresubmitSpec.model_validate(fields))


def pr(
    number: int,
    sha: str | None = None,
    *,
    labels: Iterable[str] = (),
    contexts: Iterable[tuple[str, str] | tuple[str, str, str]] = (),
    mergeable: bool | None = True,
    files: Iterable[str] | None = None,
    branch: str = BRANCH,
    author: str = "alice",
    milestone: str | None = None,
) -> PullRequest:
    return PullRequest(
        org=ORG,
        repo=REPO,
        number=number,
        author=author,
        title=f"PR {number}",
        base_ref=branch,
        head_ref=f"pr-{number}",
        head_sha=f"origin/pr-{number}" if sha is None else sha,
        labels=frozenset(labels),
        mergeable=mergeable,
        milestone=milestone,
        contexts=tuple(Context(*each) for each in contexts),
        files=None if files is None else tuple(files),
    )


def run(
    context: str,
    state: str,
    pulls: Iterable[tuple[int, str]],
    *,
    base: str = BASE,
    batch: bool | None = None,
    by_tide: bool = False,
) -> JobResult:
    pulls = tuple(pulls)
    is_batch = len(pulls) > 1 if batch is None else batch
    return JobResult(
        name=f"{context}-{state}",
        job=context,
        type="batch" if is_batch else "presubmit",
        context=context,
        state=state,
        org=ORG,
        repo=REPO,
        base_ref=BRANCH,
        base_sha=base,
        pulls=pulls,
        created_by_tide=by_tide,
    )
