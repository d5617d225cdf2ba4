"""Merging rules: Prow's tryMerge error handling and merge commit templates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bowsprit.clients.github import GitHubError
from bowsprit.tide.apply import StopBatch, classify, render_commit, try_merge
from tests.tide.build import pr


@pytest.mark.parametrize(
    ("status", "message", "kind"),
    [
        (409, "Head branch was modified. Review and try the merge again.", "modified-head"),
        (405, "Base branch was modified. Review and try the merge again.", "base-modified"),
        (405, "You're not authorized to push to this branch.", "unauthorized"),
        (405, "Merge commits are not allowed on this repository.", "forbidden"),
        (405, "Pull Request is not mergeable", "unmergeable"),
        (422, "Validation Failed", "other"),
    ],
)
def test_classify_as_prows_merge_errors(status: int, message: str, kind: str) -> None:
    assert classify(GitHubError(f"PUT /x: {status} {message}", status)) == kind


async def test_try_merge_retries_only_a_modified_base() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    calls = 0

    async def base_modified() -> None:
        nonlocal calls
        calls += 1
        raise GitHubError("405 Base branch was modified.", 405)

    why = await try_merge(base_modified, sleep)
    assert calls == 3 and waits == [4.0, 8.0]
    assert why is not None and why.startswith("base branch was modified")

    async def moved() -> None:
        raise GitHubError("409 Head branch was modified.", 409)

    assert (await try_merge(moved, sleep) or "").startswith("PR was modified")

    async def refused() -> None:
        raise GitHubError("405 You're not authorized to push to this branch.", 405)

    with pytest.raises(StopBatch):
        await try_merge(refused, sleep)


def test_commit_templates_see_prows_pull_request_fields() -> None:
    template = {"title": "{{ Title }} (#{{ Number }})", "body": "by {{ Author }}"}
    assert render_commit(template, pr(7, author="bob")) == ("PR 7 (#7)", "by bob")
    assert render_commit(None, pr(7)) == (None, None)


def test_commit_templates_see_the_pull_request_body() -> None:
    # Prow's default squash/merge templates commonly use .Body (converted to `Body`); tide
    # renders with StrictUndefined, so a missing field would fail every merge.
    template = {"title": "{{ Title }}", "body": "{{ Body }}"}
    assert render_commit(template, replace(pr(7), body="Fixes #3")) == ("PR 7", "Fixes #3")
