"""ProwJob bodies for crier's tests."""

from __future__ import annotations

from typing import Any

from bowsprit.crier.decide import Job

HEAD = "b" * 40
BASE = "a" * 40


def body(
    name: str = "pj-1",
    *,
    state: str = "pending",
    job: str = "unit",
    context: str | None = "unit",
    type: str = "presubmit",
    pull: int | None = 1,
    head: str = HEAD,
    optional: str | None = "false",
    prev: dict[str, str] | None = None,
    url: str | None = "https://deck/view/1",
    description: str | None = "Job triggered.",
    completed: bool | None = None,
    report: bool | None = True,
    **spec: Any,
) -> dict[str, Any]:
    labels = {"prow.k8s.io/job": job}
    if optional is not None:
        labels["prow.k8s.io/is-optional"] = optional
    refs: dict[str, Any] = {"org": "org", "repo": "repo", "base_ref": "main", "base_sha": BASE}
    if pull is not None:
        refs["pulls"] = [{"number": pull, "author": "alice", "sha": head}]
    status: dict[str, Any] = {"state": state, "startTime": "2026-11-25T05:00:00Z"}
    if completed if completed is not None else state in ("success", "failure", "error", "aborted"):
        status["completionTime"] = "2026-11-25T05:01:00Z"
    for key, value in (("url", url), ("description", description), ("prev_report_states", prev)):
        if value is not None:
            status[key] = value
    return {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "ProwJob",
        "metadata": {
            "name": name,
            "namespace": "ci",
            "uid": f"uid-{name}",
            "labels": labels,
            "creationTimestamp": "2026-11-25T05:00:00Z",
        },
        "spec": {
            "type": type,
            "job": job,
            "refs": refs,
            "rerun_command": f"/test {job}",
            **({"context": context} if context is not None else {}),
            **({"report": report} if report is not None else {}),
            **spec,
        },
        "status": status,
    }


def job(**kwargs: Any) -> Job:
    return Job.from_body(body(**kwargs))
