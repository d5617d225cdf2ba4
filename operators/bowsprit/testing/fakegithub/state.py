"""The fake GitHub's state, and typed records of what it was asked to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Label:
    name: str
    color: str = "ededed"


@dataclass
class Comment:
    id: int
    author: str
    body: str
    created_at: str
    updated_at: str


@dataclass
class CommitStatus:
    context: str
    state: str  # error, failure, pending, success
    description: str
    target_url: str | None
    creator: str
    created_at: str


@dataclass
class Review:
    id: int
    author: str
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED
    commit_id: str


@dataclass
class Pull:
    number: int
    author: str
    title: str
    base_ref: str
    head_ref: str
    head_sha: str
    body: str = ""
    state: str = "open"
    draft: bool = False
    mergeable: bool | None = True
    merged: bool = False
    merge_commit_sha: str | None = None
    milestone: str | None = None
    labels: list[Label] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    commit_messages: dict[str, str] = field(default_factory=dict)  # sha -> message
    commit_authors: dict[str, str] = field(default_factory=dict)  # sha -> login (default author)
    assignees: list[str] = field(default_factory=list)
    merge_state: str | None = None  # mergeStateStatus when set (e.g. BLOCKED), else derived
    requested_reviewers: list[str] = field(default_factory=list)
    file_changes: dict[str, tuple[int, int]] = field(default_factory=dict)  # (adds, dels)
    merge_commits: set[str] = field(default_factory=set)  # commits with two parents


@dataclass
class Repo:
    org: str
    name: str
    default_branch: str = "main"
    branches: dict[str, str] = field(default_factory=dict)  # name -> head SHA
    collaborators: set[str] = field(default_factory=set)
    pulls: dict[int, Pull] = field(default_factory=dict)
    statuses: dict[str, list[CommitStatus]] = field(default_factory=dict)  # sha -> newest last
    check_runs: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    allowed_merge_methods: tuple[str, ...] = ("merge", "squash", "rebase")
    labels: list[str] = field(default_factory=list)  # the repository's labels
    milestones: dict[int, str] = field(default_factory=dict)  # number -> title (open ones)

    @property
    def full_name(self) -> str:
        return f"{self.org}/{self.name}"


# What the fake was asked to do, in order, for tests to assert outcomes on.
@dataclass(frozen=True)
class StatusCreated:
    repo: str
    sha: str
    context: str
    state: str
    description: str


@dataclass(frozen=True)
class CommentCreated:
    repo: str
    number: int
    author: str
    body: str


@dataclass(frozen=True)
class CommentEdited:
    repo: str
    comment_id: int
    body: str


@dataclass(frozen=True)
class CommentDeleted:
    repo: str
    comment_id: int


@dataclass(frozen=True)
class LabelAdded:
    repo: str
    number: int
    label: str


@dataclass(frozen=True)
class LabelRemoved:
    repo: str
    number: int
    label: str


@dataclass(frozen=True)
class Merged:
    repo: str
    number: int
    method: str
    sha: str


Action = (
    StatusCreated
    | CommentCreated
    | CommentEdited
    | CommentDeleted
    | LabelAdded
    | LabelRemoved
    | Merged
)


@dataclass(frozen=True)
class Fault:
    """Answer the next `count` requests matching method and path prefix with this."""

    method: str
    path_prefix: str
    status: int
    count: int = 1
    headers: tuple[tuple[str, str], ...] = ()
    body: str = '{"message": "Server Error"}'


@dataclass(frozen=True)
class InstallationToken:
    """A GitHub App installation token the fake handed out."""

    installation: int
    token: str
    expires_at: datetime
