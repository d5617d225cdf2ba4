"""What Tide observes, as plain values: pull requests with their head contexts, ProwJob
results, and one org/repo/branch sub-pool. Built by `gather` from GitHub and the ProwJob
cache; read by the pure decisions in `contexts`, `decide` and `status`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SimpleState = Literal["success", "pending", "failure"]
# Prow's TideContext name, and the one context Tide never counts as a job.
TIDE_CONTEXT = "tide"


@dataclass(frozen=True)
class Context:
    """A status context on a pull request's head commit (GitHub's lowercase states)."""

    name: str
    state: str  # success, pending, failure, error, or "expected" for a missing required one
    description: str = ""


@dataclass(frozen=True)
class PullRequest:
    org: str
    repo: str
    number: int
    author: str
    title: str
    base_ref: str
    head_ref: str
    head_sha: str
    labels: frozenset[str] = frozenset()
    mergeable: bool | None = True
    merge_state: str = ""  # GitHub's mergeStateStatus: CLEAN, BLOCKED, DIRTY, ...
    milestone: str | None = None
    review_approved: bool = False
    contexts: tuple[Context, ...] = ()
    files: tuple[str, ...] | None = None  # None: not fetched (no job filters on files)
    html_url: str = ""
    author_link: str = ""
    body: str = ""  # for merge commit templates (Prow's .Body)

    @property
    def key(self) -> str:
        return f"{self.org}/{self.repo}#{self.number}"

    def context(self, name: str) -> Context | None:
        for each in self.contexts:
            if each.name == name:
                return each
        return None


@dataclass(frozen=True)
class JobResult:
    """The part of a ProwJob Tide reads."""

    name: str
    job: str
    type: str
    context: str
    state: str
    org: str
    repo: str
    base_ref: str
    base_sha: str
    pulls: tuple[tuple[int, str], ...]  # (number, head SHA)
    created_by_tide: bool = False
    description: str = ""
    url: str = ""

    @property
    def simple_state(self) -> SimpleState:
        """Prow's toSimpleState."""
        if self.state in ("triggered", "pending"):
            return "pending"
        if self.state == "success":
            return "success"
        return "failure"


@dataclass(frozen=True)
class Blocker:
    """An open issue with the blocker label; `branches` empty means the whole repo."""

    org: str
    repo: str
    number: int
    title: str
    branches: frozenset[str] = frozenset()

    def applies(self, org: str, repo: str, branch: str) -> bool:
        return (org, repo) == (self.org, self.repo) and (
            not self.branches or branch in self.branches
        )


@dataclass
class SubPool:
    """Pull requests of one org/repo/branch with the branch's current head and the
    ProwJobs run against exactly that head."""

    org: str
    repo: str
    branch: str
    sha: str
    prs: list[PullRequest] = field(default_factory=list)
    jobs: list[JobResult] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.org}/{self.repo}:{self.branch}"


def better(previous: SimpleState | None, current: SimpleState) -> SimpleState:
    """Prow's getBetterSimpleState: success > pending > failure > none."""
    if previous is None or previous == "failure" or current == "success":
        return current
    return previous


@dataclass(frozen=True)
class MergeTrial:
    """A trial merge of a new batch's candidates onto the base in a real checkout (Prow's
    pickNewBatch): the heads tried, in order, and the numbers of those that merged cleanly
    together (up to the batch size limit)."""

    tried: tuple[tuple[int, str], ...]
    clean: tuple[int, ...]
