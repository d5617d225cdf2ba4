"""The junit lens's parsing and the bucket histories, on in-memory buckets."""

from __future__ import annotations

import json

from bowsprit.deck import history, junit

SUITES = b"""<testsuites><testsuite name="s">
<testcase classname="c" name="ok" time="1"/>
<testcase classname="c" name="bad"><failure message="boom">trace</failure>
<system-out>out</system-out></testcase>
<testcase classname="c" name="later"><skipped message="not now"/></testcase>
<testcase classname="c" name="err"><error message="crash"/></testcase>
</testsuite></testsuites>"""


def test_failures_first_with_their_output() -> None:
    report = junit.parse(
        {
            "artifacts/junit_a.xml": SUITES,
            "artifacts/junit_b.xml": b"<testsuite name='t'><testcase name='x'/></testsuite>",
            "artifacts/junit_c.xml": b"not xml",
        }
    )
    assert [c.name for c in report.failed] == ["bad", "err"]
    assert report.failed[0].output == "boom\ntrace\nout"
    assert [c.name for c in report.passed] == ["ok", "x"]
    assert [(c.name, c.output) for c in report.skipped] == [("later", "not now")]
    assert report.errors and report.errors[0].startswith("artifacts/junit_c.xml")


class Bucket:
    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects

    def get(self, key: str) -> bytes:
        return self.objects[key]

    def children(self, prefix: str) -> tuple[list[str], list[str]]:
        folder = prefix.rstrip("/") + "/"
        below = [key[len(folder) :] for key in self.objects if key.startswith(folder)]
        return sorted({k.split("/")[0] for k in below if "/" in k}), sorted(
            k for k in below if "/" not in k
        )


def run(folder: str, build: int, sha: str, result: str) -> dict[str, bytes]:
    started = {"timestamp": 100 + build, "pull": "7", "repos": {"o/r": f"main:base,7:{sha}"}}
    finished = {"timestamp": 160 + build, "result": result, "revision": "merge"}
    return {
        f"{folder}/{build}/started.json": json.dumps(started).encode(),
        f"{folder}/{build}/finished.json": json.dumps(finished).encode(),
    }


def test_job_history_pages_newest_first() -> None:
    objects: dict[str, bytes] = {"logs/j/latest-build.txt": b"25"}
    for build in range(1, 26):
        objects.update(run("logs/j", build, "s", "SUCCESS" if build % 2 else "FAILURE"))
    bucket = Bucket(objects)
    first = history.job_history(bucket, "logs/j", None)
    assert [b.id for b in first.builds] == [str(n) for n in range(25, 5, -1)]
    assert first.latest == "25" and first.older == "6" and first.builds[0].duration == "1m0s"
    second = history.job_history(bucket, "logs/j", first.older)
    assert [b.id for b in second.builds] == ["5", "4", "3", "2", "1"] and not second.older


def test_job_history_follows_presubmit_aliases() -> None:
    objects = run("pr-logs/pull/o_r/7/j", 3, "abc", "FAILURE")
    objects["pr-logs/directory/j/3.txt"] = b"s3://bucket/pr-logs/pull/o_r/7/j/3"
    found = history.job_history(Bucket(objects), "pr-logs/directory/j", None)
    assert [(b.id, b.result, b.folder) for b in found.builds] == [
        ("3", "FAILURE", "pr-logs/pull/o_r/7/j/3")
    ]


def test_pr_history_groups_by_the_pulls_head_commit() -> None:
    objects = {
        **run("pr-logs/pull/o_r/7/unit", 1, "first", "FAILURE"),
        **run("pr-logs/pull/o_r/7/lint", 2, "first", "SUCCESS"),
        **run("pr-logs/pull/o_r/7/unit", 3, "second", "SUCCESS"),
    }
    commits = history.pr_history(Bucket(objects), "pr-logs/pull/o_r/7")
    assert [c.sha for c in commits] == ["second", "first"]
    assert [(job, b.id) for job, b in commits[1].builds] == [("lint", "2"), ("unit", "1")]
