"""What the everyday plugins' tests share beyond plugin_harness: pull request events on
the harness repository, and a pull request in the fake to act on."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bowsprit.hook.events import GenericCommentEvent, PullRequest, PullRequestEvent
from bowsprit.testing.fakegithub import FakeGitHub, Pull
from tests.hook.plugin_harness import FULL, ORG, REPO

HEAD = "b" * 40


def pull(number: int = 1, author: str = "author", **fields: Any) -> PullRequest:
    made = PullRequest(
        number=number,
        author=author,
        title="Fix it",
        state="open",
        draft=False,
        head_sha=HEAD,
        head_ref="feature",
        base_ref="main",
        base_sha="a" * 40,
        labels=(),
        mergeable=None,
        html_url=f"https://github.com/{FULL}/pull/{number}",
        author_link=f"https://github.com/{author}",
        head_repo=FULL,
        base_repo=FULL,
    )
    return replace(made, **fields)


def pr_event(action: str, item: PullRequest | None = None, **fields: Any) -> PullRequestEvent:
    return PullRequestEvent(
        guid="guid",
        action=action,
        repo=REPO,
        pull=item or pull(**fields),
        sender="author",
        label=None,
        base_changed=False,
    )


def scene(github: FakeGitHub, labels: list[str] | None = None, author: str = "author") -> Pull:
    """The harness repository with pull request #1."""
    github.add_repo(ORG, "repo", {"main": "a" * 40, "feature": HEAD})
    return github.add_pull(FULL, 1, author, HEAD, labels=labels)


def comment(
    body: str,
    author: str = "Alice",
    *,
    is_pr: bool = True,
    state: str = "open",
    issue_author: str = "author",
) -> GenericCommentEvent:
    return GenericCommentEvent(
        guid="guid",
        action="created",
        repo=REPO,
        number=1,
        is_pr=is_pr,
        body=body,
        author=author,
        issue_state=state,
        issue_author=issue_author,
        html_url=f"https://github.com/{FULL}/pull/1#issuecomment-1",
    )
