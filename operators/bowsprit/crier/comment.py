"""The failure comment: one bot comment per pull request listing the failed jobs.

Prow's pkg/github/report (parseIssueComments, createEntry, createComment): the bot's
comments holding the `<!-- test report -->` tag carry a table; rows of contexts with a
newer result are dropped, the job's row is added when it failed. Older report comments
are deleted; the latest is edited when rows only went away, recreated when a new failure
arrived (so the author is notified), deleted when nothing fails. A comment that already
reads exactly as it should is left alone, so reporting twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bowsprit.crier.decide import IS_OPTIONAL_LABEL, Job

COMMENT_TAG = "<!-- test report -->"
ABOUT = (
    "Instructions for interacting with me using PR comments are available in the "
    "`/help` command's output and on this installation's plugin help page."
)
HEADER = "Test name | Commit | Details | Required | Rerun command"


@dataclass(frozen=True)
class CommentPlan:
    """What to do on the pull request, in order: delete, then edit or create."""

    delete: tuple[int, ...] = ()
    edit: tuple[int, str] | None = None
    create: str | None = None


def entry(job: Job) -> str:
    """One table row: context, head SHA, details link, required, rerun command."""
    required = "unknown"
    optional = job.labels.get(IS_OPTIONAL_LABEL, "").lower()
    if job.spec.type == "presubmit" and optional in ("true", "false"):
        required = "false" if optional == "true" else "true"
    refs = job.spec.refs
    assert refs is not None and refs.pulls
    return " | ".join(
        [
            job.context,
            refs.pulls[0].sha,
            f"[link]({job.status.url or ''})",
            required,
            f"`{job.spec.rerun_command or ''}`",
        ]
    )


def _rows(body: str) -> list[str]:
    rows, tracking = [], False
    for raw in body.split("\n"):
        line = raw.strip()
        if line.startswith("---"):
            tracking = True
        elif not line:
            tracking = False
        elif tracking:
            rows.append(line)
    return rows


def render(author: str, rows: list[str], extra: str | None) -> str:
    """The comment: the failed rows, or (a summary with none) that everything passed."""
    plural = "s" if len(rows) > 1 else ""
    lines = [
        f"@{author}: The following test{plural} **failed**, say `/retest` to rerun all "
        "failed tests or `/retest-required` to rerun all mandatory failed tests:",
        "",
        HEADER,
        "--- | --- | --- | --- | ---",
        *rows,
    ]
    if not rows:
        lines = [f"@{author}: all tests **passed!**", ""]
    if extra:
        lines += ["", extra]
    lines += ["", "<details>", "", ABOUT, "</details>", COMMENT_TAG]
    return "\n".join(lines)


def plan_comment(
    jobs: list[Job],
    comments: list[dict[str, Any]],
    bot: str,
    extra: str | None = None,
    summary: bool = False,
) -> CommentPlan:
    """The changes that make the pull request's failure comment reflect `jobs` (one job,
    or every job of the head commit for a summary, which is posted even when all passed
    unless one was aborted)."""
    ours = [
        c
        for c in comments
        if (c.get("user") or {}).get("login") == bot and COMMENT_TAG in str(c.get("body", ""))
    ]
    rows = [row for c in ours for row in _rows(str(c["body"]))]
    contexts = [row.split(" | ")[0] for row in rows]
    reported = {job.context for job in jobs}
    kept = [
        row
        for i, row in enumerate(rows)
        # a newer row for the same context wins; the jobs' own results replace their rows
        if contexts[i] not in reported and contexts[i] not in contexts[i + 1 :]
    ]
    failed = [job for job in jobs if job.state == "failure"]
    kept += [entry(job) for job in failed]
    refs = jobs[0].spec.refs
    assert refs is not None and refs.pulls
    body = None
    if kept or (summary and not any(job.state == "aborted" for job in jobs)):
        body = render(refs.pulls[0].author, kept, extra)
    latest = ours[-1] if ours else None
    delete = [int(c["id"]) for c in ours[:-1]]
    if latest is not None and body is not None and latest.get("body") == body:
        return CommentPlan(tuple(delete))  # already says this: nothing to redo
    if latest is not None and (failed or not kept):
        delete.append(int(latest["id"]))
        latest = None
    if body is None:
        return CommentPlan(tuple(delete))
    if latest is None:
        return CommentPlan(tuple(delete), create=body)
    return CommentPlan(tuple(delete), edit=(int(latest["id"]), body))
