"""`pull_request` webhooks read straight into their typed events.

Parsing the whole ~25 kB payload into Python objects (orjson) and then picking fields out
of it (events.parse) was a tenth of hook's CPU per webhook. msgspec decodes into structs
of exactly the fields events.parse reads, skipping the rest without making objects of
it: a third of that. The result must be what the full parse gives, so this only answers
when it is sure: any payload it does not take (a field missing or of another type, JSON
it refuses, bytes that are not strict UTF-8, which msgspec does not check in the fields
it skips) gets None, and the full parse then decides, with its own error messages.
`tests/hook/test_quickparse.py` holds the two paths equal on every sample and on broken
variants.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from bowsprit.hook import events

# Each struct lists the fields events.parse reads and the types it accepts there: a
# required field is one `_get` reads, an optional one (`| None = None`) one `_opt` reads
# (missing and null alike). Anything else in the payload is skipped, though checked to
# be JSON.


class _Login(msgspec.Struct):
    login: str


class _User(msgspec.Struct):
    login: str
    html_url: str | None = None
    type: str | None = None


class _Label(msgspec.Struct):
    name: str


class _RepoName(msgspec.Struct):
    full_name: str | None = None


class _Ref(msgspec.Struct):
    sha: str
    ref: str
    repo: _RepoName | None = None


class _Pull(msgspec.Struct):
    number: int
    user: _User
    state: str
    head: _Ref
    base: _Ref
    title: str | None = None
    draft: bool | None = None
    labels: list[_Label] | None = None
    mergeable: bool | None = None
    html_url: str | None = None
    body: str | None = None
    assignees: list[_Login] | None = None
    merged: bool | None = None


class _Repository(msgspec.Struct):
    owner: _Login
    name: str
    full_name: str  # repo_of's choice of HMAC tokens (without it: the full parse)
    html_url: str | None = None


class _PullRequestWebhook(msgspec.Struct):
    action: str
    repository: _Repository
    pull_request: _Pull
    sender: _Login
    label: _Label | None = None
    changes: dict[str, msgspec.Raw] | None = None


_DECODER = msgspec.json.Decoder(_PullRequestWebhook)


@dataclass(frozen=True)
class Webhook:
    """What hook reads of a webhook: the repository its HMAC tokens are chosen by, the
    action (tide's poke), and the typed events."""

    org: str | None
    repo: str | None
    action: str
    events: list[events.Event]


def pull_request(guid: str, body: bytes) -> Webhook | None:
    """A `pull_request` webhook's events, or None when the full parse must decide."""
    if not body.isascii():
        try:
            body.decode()  # strict UTF-8 everywhere, as orjson checks it
        except UnicodeDecodeError:
            return None
    try:
        hook = _DECODER.decode(body)
    except (msgspec.DecodeError, RecursionError):  # DecodeError: also a field's type
        return None
    pull, repository = hook.pull_request, hook.repository
    if not -(2**63) <= pull.number < 2**64:
        return None  # orjson reads such a number as a float, which the full parse refuses
    org, _, name = repository.full_name.partition("/")  # as events.repo_of
    event = events.PullRequestEvent(
        guid=guid,
        action=hook.action,
        repo=events.RepoRef(repository.owner.login, repository.name, repository.html_url or ""),
        pull=events.PullRequest(
            number=pull.number,
            author=pull.user.login,
            title=pull.title or "",
            state=pull.state,
            draft=bool(pull.draft),
            head_sha=pull.head.sha,
            head_ref=pull.head.ref,
            base_ref=pull.base.ref,
            base_sha=pull.base.sha,
            labels=tuple(label.name for label in pull.labels or ()),
            mergeable=pull.mergeable,
            html_url=pull.html_url or "",
            author_link=pull.user.html_url or "",
            body=pull.body or "",
            assignees=tuple(user.login for user in pull.assignees or ()),
            merged=bool(pull.merged),
            head_repo=_full_name(pull.head),
            base_repo=_full_name(pull.base),
            author_is_bot=pull.user.type == "Bot",
        ),
        sender=hook.sender.login,
        label=hook.label.name if hook.label is not None else None,
        base_changed=hook.changes is not None and "base" in hook.changes,
    )
    return Webhook(org or None, name or None, hook.action, events.with_body_comment(event))


def _full_name(ref: _Ref) -> str:
    return (ref.repo.full_name or "") if ref.repo is not None else ""
