"""The job list's pure parts; badge cases from Prow's cmd/deck/badge_test.go."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bowsprit.deck import jobs


def pj(
    name: str,
    job: str = "unit",
    state: str = "success",
    start: str = "2026-01-01T00:00:00Z",
    **spec: Any,
) -> dict[str, Any]:
    refs = {
        "org": "org",
        "repo": "repo",
        "base_ref": "main",
        "pulls": [{"number": 1, "author": "alice", "sha": "abc"}],
    }
    return {
        "metadata": {
            "name": name,
            "labels": {"a": "b"},
            "annotations": {"c": "d"},
            "managedFields": [{}],
        },
        "spec": {
            "type": "presubmit",
            "job": job,
            "refs": refs,
            "pod_spec": {"containers": [{"image": "x"}, {"image": "y"}]},
            **spec,
        },
        "status": {"state": state, "startTime": start},
    }


def test_pick_latest_as_prow() -> None:
    # TestPickLatest: newest run of each job matching any glob.
    runs = [
        pj("g1-new", "glob-1", start="2026-01-02T00:00:00Z"),
        pj("g2", "glob-2", start="2026-01-02T00:00:00Z"),
        pj("a-new", "job-a", start="2026-01-02T00:00:00Z"),
        pj("ab", "job-ab", start="2026-01-02T00:00:00Z"),
        pj("g1-old", "glob-1"),
        pj("a-old", "job-a"),
    ]
    picked = jobs.pick_latest(runs, "glob-*,job-a")
    assert [p["metadata"]["name"] for p in picked] == ["g1-new", "g2", "a-new"]


@pytest.mark.parametrize(
    ("states", "colour", "status"),
    [
        ([], "darkgrey", "no results"),
        (["success"], "brightgreen", "passing"),
        (["success", "failure"], "red", "failing 2"),
        (["success", "failure", "failure", "failure", "failure"], "red", "failing 2, 3, 4, ..."),
    ],
)
def test_render_badge_as_prow(states: list[str], colour: str, status: str) -> None:
    runs = [pj(str(i), str(i + 1), state) for i, state in enumerate(states)]
    assert jobs.badge(runs) == (status, colour)


def test_filters_from_the_url() -> None:
    one = pj("one", "pull-unit", "failure")
    other = pj("two", "ci-e2e", "success", type="periodic")
    assert jobs.Filters.from_query({"job": "pull-*"}).matches(one)
    assert not jobs.Filters.from_query({"job": "pull-*"}).matches(other)
    assert jobs.Filters.from_query({"state": "failure", "author": "alice", "pull": "1"}).matches(
        one
    )
    assert not jobs.Filters.from_query({"repo": "org/other"}).matches(one)
    assert jobs.Filters.from_query({"repo": "org"}).matches(one)
    assert jobs.Filters.from_query({"type": "periodic"}).as_query() == {"type": "periodic"}


def test_visibility_of_hidden_jobs_and_repos() -> None:
    hidden, secret, plain = pj("h", hidden=True), pj("s"), pj("p")
    secret["spec"]["refs"] = {"org": "secret", "repo": "r"}
    default = jobs.Visibility(("secret",))
    assert [default.shows(x) for x in (hidden, secret, plain)] == [False, False, True]
    assert jobs.Visibility(("secret",), show_hidden=True).shows(hidden)
    only = jobs.Visibility(("secret",), hidden_only=True)
    assert [only.shows(x) for x in (hidden, secret, plain)] == [True, True, False]


def test_prowjobs_js_omits_as_prow() -> None:
    data = jobs.prowjobs_js(
        [pj("one")], jobs.Visibility(), {"omit": "annotations,labels,decoration_config,pod_spec"}
    )
    item = data["items"][0]
    assert "labels" not in item["metadata"] and "annotations" not in item["metadata"]
    assert "managedFields" not in item["metadata"]
    assert item["spec"]["pod_spec"] == {"containers": [{}, {}]}
    full = jobs.prowjobs_js([pj("one")], jobs.Visibility(), {})["items"][0]
    assert full["metadata"]["labels"] == {"a": "b"} and "managedFields" not in full["metadata"]
    assert jobs.prowjobs_js([pj("one")], jobs.Visibility(), {"owner": "bob"}) == {"items": []}


def test_row_and_duration() -> None:
    run = pj("one", state="pending", start="2026-01-01T00:00:00Z")
    row = jobs.row(run, datetime(2026, 1, 1, 1, 2, 3, tzinfo=UTC))
    assert row["duration"] == "1h2m3s" and row["running"] and row["repo"] == "org/repo"
    assert row["pulls"][0]["number"] == 1 and row["author"] == "alice"
