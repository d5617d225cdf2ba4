"""Prow's TestCheckRunNodesToContexts (pkg/tide/tide_test.go), ported."""

from __future__ import annotations

import random

import pytest

from bowsprit.tide.checkruns import contexts

DONE = "COMPLETED"


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        ([{}], []),
        ([{"name": "some-job", "status": "queued"}], [("some-job", "pending")]),
        (
            [{"name": "some-job", "status": DONE, "conclusion": "NEUTRAL"}],
            [("some-job", "success")],
        ),
        (
            [{"name": "some-job", "status": DONE, "conclusion": "SUCCESS"}],
            [("some-job", "success")],
        ),
        (
            [{"name": "some-job", "status": DONE, "conclusion": "unclear"}],
            [("some-job", "failure")],
        ),
        (
            [
                {"name": "some-job", "status": DONE, "conclusion": "NEUTRAL"},
                {"name": "another-job", "status": DONE, "conclusion": "NEUTRAL"},
            ],
            [("another-job", "success"), ("some-job", "success")],
        ),
        (
            [
                {"name": "some-job", "status": DONE, "conclusion": "FAILURE"},
                {"name": "some-job", "status": DONE, "conclusion": "ERROR"},
                {"name": "some-job", "status": DONE},
                {"name": "some-job", "status": DONE, "conclusion": "SUCCESS"},
            ],
            [("some-job", "success")],
        ),
        (
            [
                {"name": "some-job", "status": DONE, "conclusion": "FAILURE"},
                {"name": "some-job", "status": DONE, "conclusion": "ERROR"},
                {"name": "some-job", "status": DONE},
                {"name": "some-job", "status": DONE, "conclusion": "NEUTRAL"},
            ],
            [("some-job", "success")],
        ),
        (
            [
                {"name": "some-job", "status": DONE, "conclusion": "FAILURE"},
                {"name": "some-job", "status": DONE, "conclusion": "ERROR"},
                {"name": "some-job", "status": DONE},
                {"name": "some-job"},
            ],
            [("some-job", "pending")],
        ),
        (
            [
                {"name": "some-job", "status": DONE, "conclusion": "FAILURE"},
                {"name": "some-job", "status": DONE, "conclusion": "ERROR"},
                {"name": "some-job", "status": DONE},
            ],
            [("some-job", "failure")],
        ),
    ],
    ids=[
        "Empty checkrun is ignored",
        "Incomplete checkrun is considered pending",
        "Neutral checkrun is considered success",
        "Successful checkrun is considered success",
        "Other checkrun conclusion is considered failure",
        "Multiple checkruns are translated correctly",
        "De-duplicate checkruns, success > everything",
        "De-duplicate checkruns, neutral > everything",
        "De-duplicate checkruns, pending > failure",
        "De-duplicate checkruns, only failures",
    ],
)
def test_check_run_nodes_to_contexts(
    runs: list[dict[str, str]], expected: list[tuple[str, str]]
) -> None:
    for seed in range(5):  # the order of the runs must not matter
        shuffled = list(runs)
        random.Random(seed).shuffle(shuffled)
        assert [(c.name, c.state) for c in contexts(shuffled)] == expected
