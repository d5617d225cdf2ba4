"""GitHub webhook payloads as the typed events plugins handle (Prow's github types).

Only the fields plugins read are taken, each checked for its type: a payload of a known
event that lacks one, or has the wrong type, is refused (400) rather than failing later
in a plugin. Comments on issues and pull requests, reviews with a body and review
comments are all normalised into a GenericCommentEvent, as are the bodies of opened and edited pull
requests and issues, as Prow does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class BadPayload(ValueError):
    """The payload is not the event it claims to be."""


@dataclass(frozen=True)
class RepoRef:
    org: str
    name: str
    html_url: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.org}/{self.name}"


@dataclass(frozen=True)
class PullRequest:
    number: int
    author: str
    title: str
    state: str
    draft: bool
    head_sha: str
    head_ref: str
    base_ref: str
    base_sha: str
    labels: tuple[str, ...]
    mergeable: bool | None
    html_url: str
    author_link: str
    body: str = ""
    assignees: tuple[str, ...] = ()
    merged: bool = False
    head_repo: str = ""  # org/repo the head branch is in ("" when that fork is gone)
    base_repo: str = ""  # org/repo of the base branch
    author_is_bot: bool = False  # GitHub's user type "Bot"


@dataclass(frozen=True)
class PullRequestEvent:
    guid: str
    action: str
    repo: RepoRef
    pull: PullRequest
    sender: str
    label: str | None  # the label of labeled/unlabeled
    base_changed: bool  # an `edited` event that changed the base branch


@dataclass(frozen=True)
class GenericCommentEvent:
    guid: str
    action: str  # created, edited, deleted (reviews: submitted counts as created)
    repo: RepoRef
    number: int
    is_pr: bool
    body: str
    author: str
    issue_state: str
    issue_author: str
    html_url: str
    assignees: tuple[str, ...] = ()  # of the issue or pull request
    # The webhook it came from: issue_comment, issues, pull_request, pull_request_review
    # or pull_request_review_comment (Prow's IssueCommentHandlers see issue_comment only).
    event_type: str = "issue_comment"


@dataclass(frozen=True)
class PushEvent:
    guid: str
    repo: RepoRef
    ref: str
    before: str
    after: str
    deleted: bool
    changed_files: tuple[str, ...]
    pusher: str
    compare: str

    @property
    def branch(self) -> str:
        """The branch (or tag) name, as Prow's PushEvent.Branch()."""
        return self.ref.removeprefix("refs/heads/").removeprefix("refs/tags/")


@dataclass(frozen=True)
class ReviewEvent:
    """A pull_request_review event (Prow's ReviewEvent): submitted, edited or dismissed,
    with the review's state (upper-cased, as the REST API spells it)."""

    guid: str
    action: str
    repo: RepoRef
    pull: PullRequest
    author: str
    author_is_bot: bool
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
    body: str
    html_url: str


@dataclass(frozen=True)
class IssueEvent:
    """An `issues` webhook (Prow's IssueEvent), for the plugins Prow registers as issue
    handlers (require-matching-label): opened, labeled, closed and every other action."""

    guid: str
    action: str
    repo: RepoRef
    number: int
    is_pr: bool
    author: str  # of the issue
    state: str
    labels: tuple[str, ...]  # the issue's labels after the change, as the payload has them
    label: str | None  # the label of labeled/unlabeled
    sender: str
    html_url: str


Event = PullRequestEvent | GenericCommentEvent | PushEvent | ReviewEvent | IssueEvent


def _get(data: Any, key: str, kind: type[T], where: str) -> T:
    if not isinstance(data, dict):
        raise BadPayload(f"{where}: expected an object")
    value = data.get(key)
    # bool is an int in Python; a number field must not accept true/false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadPayload(f"{where}.{key}: expected {kind.__name__}")
    return value


def _opt(data: dict[str, Any], key: str, kind: type[T], where: str) -> T | None:
    return None if data.get(key) is None else _get(data, key, kind, where)


def _login(data: dict[str, Any], key: str, where: str) -> str:
    return _get(_get(data, key, dict, where), "login", str, f"{where}.{key}")


def _opt_login(data: dict[str, Any], key: str, where: str) -> str:
    user = _opt(data, key, dict, where)
    return _get(user, "login", str, f"{where}.{key}") if user is not None else ""


def repo_of(payload: Any) -> tuple[str | None, str | None]:
    """The org and repository a payload is about, without trusting its shape (the HMAC
    token is chosen by them before the signature is checked)."""
    if not isinstance(payload, dict):
        return None, None
    repository = payload.get("repository")
    if isinstance(repository, dict) and isinstance(repository.get("full_name"), str):
        org, _, name = repository["full_name"].partition("/")
        return org or None, name or None
    organization = payload.get("organization")
    if isinstance(organization, dict) and isinstance(organization.get("login"), str):
        return organization["login"], None
    return None, None


def _owner(repository: dict[str, Any], push: bool) -> str:
    """The repository owner's login; push events' owners may carry only `name` (older
    GitHub push payloads, Prow's own phony payload), which Prow reads for pushes."""
    owner = _get(repository, "owner", dict, "repository")
    if push and isinstance(owner.get("name"), str) and owner["name"]:
        return str(owner["name"])
    return _get(owner, "login", str, "repository.owner")


def _repo(payload: dict[str, Any], push: bool = False) -> RepoRef:
    repository = _get(payload, "repository", dict, "payload")
    return RepoRef(
        _owner(repository, push),
        _get(repository, "name", str, "repository"),
        _opt(repository, "html_url", str, "repository") or "",
    )


def _assignees(data: dict[str, Any], where: str) -> tuple[str, ...]:
    return tuple(
        _get(user, "login", str, f"{where}.assignees[]")
        for user in _opt(data, "assignees", list, where) or []
    )


def _labels(data: dict[str, Any], where: str) -> tuple[str, ...]:
    labels = _opt(data, "labels", list, where) or []
    return tuple(_get(label, "name", str, f"{where}.labels[]") for label in labels)


def parse_pull(data: dict[str, Any]) -> PullRequest:
    where = "pull_request"
    head = _get(data, "head", dict, where)
    base = _get(data, "base", dict, where)
    user = _get(data, "user", dict, where)
    return PullRequest(
        number=_get(data, "number", int, where),
        author=_get(user, "login", str, f"{where}.user"),
        title=_opt(data, "title", str, where) or "",
        state=_get(data, "state", str, where),
        draft=bool(_opt(data, "draft", bool, where)),
        head_sha=_get(head, "sha", str, f"{where}.head"),
        head_ref=_get(head, "ref", str, f"{where}.head"),
        base_ref=_get(base, "ref", str, f"{where}.base"),
        base_sha=_get(base, "sha", str, f"{where}.base"),
        labels=_labels(data, where),
        mergeable=_opt(data, "mergeable", bool, where),
        html_url=_opt(data, "html_url", str, where) or "",
        author_link=_opt(user, "html_url", str, f"{where}.user") or "",
        body=_opt(data, "body", str, where) or "",
        assignees=_assignees(data, where),
        merged=bool(_opt(data, "merged", bool, where)),
        head_repo=_full_name(head, f"{where}.head"),
        base_repo=_full_name(base, f"{where}.base"),
        author_is_bot=_opt(user, "type", str, f"{where}.user") == "Bot",
    )


def _full_name(ref: dict[str, Any], where: str) -> str:
    repo = _opt(ref, "repo", dict, where)
    return (_opt(repo, "full_name", str, f"{where}.repo") or "") if repo else ""


def pull_request_event(guid: str, payload: dict[str, Any]) -> PullRequestEvent:
    label = _opt(payload, "label", dict, "payload")
    changes = _opt(payload, "changes", dict, "payload") or {}
    return PullRequestEvent(
        guid=guid,
        action=_get(payload, "action", str, "payload"),
        repo=_repo(payload),
        pull=parse_pull(_get(payload, "pull_request", dict, "payload")),
        sender=_login(payload, "sender", "payload"),
        label=_get(label, "name", str, "label") if label is not None else None,
        base_changed="base" in changes,
    )


def issue_comment_event(guid: str, payload: dict[str, Any]) -> GenericCommentEvent:
    issue = _get(payload, "issue", dict, "payload")
    comment = _get(payload, "comment", dict, "payload")
    return GenericCommentEvent(
        guid=guid,
        action=_get(payload, "action", str, "payload"),
        repo=_repo(payload),
        number=_get(issue, "number", int, "issue"),
        is_pr=isinstance(issue.get("pull_request"), dict),
        body=_opt(comment, "body", str, "comment") or "",
        author=_login(comment, "user", "comment"),
        issue_state=_get(issue, "state", str, "issue"),
        issue_author=_login(issue, "user", "issue"),
        html_url=_opt(comment, "html_url", str, "comment") or "",
        assignees=_assignees(issue, "issue"),
        event_type="issue_comment",
    )


def review_event(guid: str, payload: dict[str, Any], key: str) -> GenericCommentEvent:
    """pull_request_review (key `review`) and pull_request_review_comment (`comment`)."""
    action = _get(payload, "action", str, "payload")
    item = _get(payload, key, dict, "payload")
    pull = parse_pull(_get(payload, "pull_request", dict, "payload"))
    return GenericCommentEvent(
        guid=guid,
        action="created" if action == "submitted" else action,
        repo=_repo(payload),
        number=pull.number,
        is_pr=True,
        body=_opt(item, "body", str, key) or "",
        author=_login(item, "user", key),
        issue_state=pull.state,
        issue_author=pull.author,
        html_url=_opt(item, "html_url", str, key) or "",
        assignees=pull.assignees,
        event_type="pull_request_review" if key == "review" else "pull_request_review_comment",
    )


def pull_request_review_event(guid: str, payload: dict[str, Any]) -> ReviewEvent:
    review = _get(payload, "review", dict, "payload")
    user = _get(review, "user", dict, "review")
    return ReviewEvent(
        guid=guid,
        action=_get(payload, "action", str, "payload"),
        repo=_repo(payload),
        pull=parse_pull(_get(payload, "pull_request", dict, "payload")),
        author=_get(user, "login", str, "review.user"),
        author_is_bot=_opt(user, "type", str, "review.user") == "Bot",
        state=(_opt(review, "state", str, "review") or "").upper(),
        body=_opt(review, "body", str, "review") or "",
        html_url=_opt(review, "html_url", str, "review") or "",
    )


def push_event(guid: str, payload: dict[str, Any]) -> PushEvent:
    changed: dict[str, None] = {}  # ordered set: the union of every commit's files
    for commit in _opt(payload, "commits", list, "payload") or []:
        for key in ("added", "removed", "modified"):
            for path in _opt(commit, key, list, "commits[]") or []:
                if not isinstance(path, str):
                    raise BadPayload(f"commits[].{key}[]: expected str")
                changed[path] = None
    pusher = _get(payload, "pusher", dict, "payload")
    return PushEvent(
        guid=guid,
        repo=_repo(payload, push=True),
        ref=_get(payload, "ref", str, "payload"),
        before=_get(payload, "before", str, "payload"),
        after=_get(payload, "after", str, "payload"),
        deleted=bool(_opt(payload, "deleted", bool, "payload")),
        changed_files=tuple(changed),
        pusher=_get(pusher, "name", str, "pusher"),
        compare=_opt(payload, "compare", str, "payload") or "",
    )


# Prow's genericCommentAction: the body of an opened item reads as a new comment.
BODY_ACTIONS = {"opened": "created", "edited": "edited"}


def pull_request_events(guid: str, payload: dict[str, Any]) -> list[Event]:
    """The pull request event, then its body as a comment when it was opened or edited."""
    return with_body_comment(pull_request_event(guid, payload))


def with_body_comment(event: PullRequestEvent) -> list[Event]:
    """The event, then its pull request's body as a comment when it was opened or edited."""
    guid = event.guid
    found: list[Event] = [event]
    pull = event.pull
    if event.action in BODY_ACTIONS and pull.body:
        found.append(
            GenericCommentEvent(
                guid=guid,
                action=BODY_ACTIONS[event.action],
                repo=event.repo,
                number=pull.number,
                is_pr=True,
                body=pull.body,
                author=pull.author,
                issue_state=pull.state,
                issue_author=pull.author,
                html_url=pull.html_url,
                assignees=pull.assignees,
                event_type="pull_request",
            )
        )
    return found


def issue_event(guid: str, payload: dict[str, Any]) -> IssueEvent:
    issue = _get(payload, "issue", dict, "payload")
    label = _opt(payload, "label", dict, "payload")
    return IssueEvent(
        guid=guid,
        action=_get(payload, "action", str, "payload"),
        repo=_repo(payload),
        number=_get(issue, "number", int, "issue"),
        is_pr=isinstance(issue.get("pull_request"), dict),
        # Lenient where the issue handlers do not need a field: every action's payload
        # reaches them now, and some (pinned, transferred) carry no state.
        author=_opt_login(issue, "user", "issue"),
        state=_opt(issue, "state", str, "issue") or "",
        labels=_labels(issue, "issue"),
        label=_get(label, "name", str, "label") if label is not None else None,
        sender=_opt_login(payload, "sender", "payload"),
        html_url=_opt(issue, "html_url", str, "issue") or "",
    )


def issue_events(guid: str, payload: dict[str, Any]) -> list[Event]:
    """The issue event, then the issue's (or pull request's) body as a comment when it was
    opened or edited (Prow's handleIssueEvent)."""
    event = issue_event(guid, payload)
    issue = _get(payload, "issue", dict, "payload")
    body = _opt(issue, "body", str, "issue") or ""
    if event.action not in BODY_ACTIONS or not body:
        return [event]
    author = _login(issue, "user", "issue")  # a comment needs its author
    return [
        event,
        GenericCommentEvent(
            guid=guid,
            action=BODY_ACTIONS[event.action],
            repo=event.repo,
            number=event.number,
            is_pr=event.is_pr,
            body=body,
            author=author,
            issue_state=event.state,
            issue_author=author,
            html_url=event.html_url,
            assignees=_assignees(issue, "issue"),
            event_type="issues",
        ),
    ]


def parse(event_type: str, guid: str, payload: Any) -> list[Event]:
    """The typed events of a webhook, in order (none for event types no plugin handles);
    BadPayload when the payload does not have the shape of its event type."""
    if not isinstance(payload, dict):
        raise BadPayload("the payload is not a JSON object")
    if event_type == "pull_request":
        return pull_request_events(guid, payload)
    if event_type == "issues":
        return issue_events(guid, payload)
    if event_type == "issue_comment":
        return [issue_comment_event(guid, payload)]
    if event_type == "pull_request_review":
        return [review_event(guid, payload, "review"), pull_request_review_event(guid, payload)]
    if event_type == "pull_request_review_comment":
        return [review_event(guid, payload, "comment")]
    if event_type == "push":
        return [push_event(guid, payload)]
    return []
