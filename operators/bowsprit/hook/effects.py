"""What plugins ask for, as values: the dispatcher carries them out in order, so a
plugin's decisions can be tested without GitHub or Kubernetes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CreateProwJob:
    body: dict[str, Any] = field(hash=False)

    @property
    def job(self) -> str:
        return str(self.body["spec"]["job"])


@dataclass(frozen=True)
class AbortPresubmits:
    """Abort the incomplete presubmits of a pull request (Prow's abortAllJobs)."""

    namespace: str  # where the ProwJobs are
    org: str
    repo: str
    number: int


@dataclass(frozen=True)
class Comment:
    org: str
    repo: str
    number: int
    body: str


@dataclass(frozen=True)
class AddLabel:
    org: str
    repo: str
    number: int
    label: str


@dataclass(frozen=True)
class RemoveLabel:
    org: str
    repo: str
    number: int
    label: str


# Effects of the label, dco, needs-rebase and require-matching-label plugins ----------------


@dataclass(frozen=True)
class SetStatus:
    """A commit status (the dco context)."""

    org: str
    repo: str
    sha: str
    context: str
    state: str  # error, failure, pending, success
    description: str
    target_url: str = ""


@dataclass(frozen=True)
class UpsertComment:
    """The bot's one comment containing `marker`: edited when there is one (extra copies
    deleted), created otherwise; never a duplicate."""

    org: str
    repo: str
    number: int
    bot: str
    marker: str
    body: str


@dataclass(frozen=True)
class PruneComments:
    """Delete the bot's comments containing `marker` (Prow's comment pruner)."""

    org: str
    repo: str
    number: int
    bot: str
    marker: str


@dataclass(frozen=True)
class AssignIssue:
    org: str
    repo: str
    number: int
    logins: tuple[str, ...]


# Effects of the lgtm, approve and verify-owners plugins ----------------------------------


@dataclass(frozen=True)
class EditComment:
    """Replace the body of one of the bot's comments (found by the plugin)."""

    org: str
    repo: str
    comment_id: int
    body: str


@dataclass(frozen=True)
class DeleteComment:
    org: str
    repo: str
    comment_id: int


@dataclass(frozen=True)
class RequestReview:
    org: str
    repo: str
    number: int
    logins: tuple[str, ...]


@dataclass(frozen=True)
class ReviewComment:
    path: str
    position: int
    body: str


@dataclass(frozen=True)
class CreateReview:
    """A COMMENT review with line comments (verify-owners points at bad OWNERS lines)."""

    org: str
    repo: str
    number: int
    body: str
    commit_sha: str
    comments: tuple[ReviewComment, ...] = ()


GitHubEffect = SetStatus | UpsertComment | PruneComments | AssignIssue
OwnersEffect = EditComment | DeleteComment | RequestReview | CreateReview


# Effects of the everyday plugins (assign, lifecycle, retitle, milestone, branchcleaner;
# review requests are the owners plugins' RequestReview) ---------------------------------


@dataclass(frozen=True)
class UnassignIssue:
    org: str
    repo: str
    number: int
    logins: tuple[str, ...]


@dataclass(frozen=True)
class UnrequestReview:
    org: str
    repo: str
    number: int
    logins: tuple[str, ...]


@dataclass(frozen=True)
class EditIssue:
    """Change an issue's or pull request's title, state or milestone (None: unchanged)."""

    org: str
    repo: str
    number: int
    title: str | None = None
    state: str | None = None  # open, closed
    milestone: int | None = None
    clear_milestone: bool = False
    state_reason: str | None = None  # completed, not_planned (issues only)
    body: str | None = None


@dataclass(frozen=True)
class DeleteBranch:
    org: str
    repo: str
    branch: str


EverydayEffect = UnassignIssue | UnrequestReview | EditIssue | DeleteBranch

Effect = (
    CreateProwJob
    | AbortPresubmits
    | Comment
    | AddLabel
    | RemoveLabel
    | GitHubEffect
    | OwnersEffect
    | EverydayEffect
)
