"""An HTTP-level fake of the GitHub REST API subset Bowsprit uses, for tests.

It serves real HTTP on 127.0.0.1 from its own thread, holds repositories, pull requests,
comments, labels, statuses, reviews, members and collaborators in memory, answers with
GitHub's shapes, status codes, rate-limit headers and ETags, records what it was asked
to do as typed dataclasses, and can be told to fail (5xx, rate limits) on purpose.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bowsprit.emulator.threaded import ThreadedApp
from bowsprit.lib.clock import Clock, rfc3339, utc_now
from bowsprit.testing.fakegithub.gitdata import GitData
from bowsprit.testing.fakegithub.oauth import OAuthRoutes, OAuthState
from bowsprit.testing.fakegithub.routes import NOT_FOUND, NotFound, Routes, reply
from bowsprit.testing.fakegithub.state import (
    Action,
    Comment,
    CommitStatus,
    Fault,
    InstallationToken,
    Label,
    Pull,
    Repo,
    Review,
)
from bowsprit.testing.fakegithub.webhooks import deliver_webhook, sign, webhook_samples

__all__ = [
    "Action",
    "FakeGitHub",
    "Fault",
    "Hold",
    "Pull",
    "Repo",
    "Request",
    "deliver_webhook",
    "sign",
    "webhook_samples",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Request:
    """One request the fake received."""

    method: str
    path: str
    query: str
    authorization: str


class Hold:
    """A request the fake carried out but has not answered yet."""

    LONGEST = 60.0  # answered anyway after this, so a forgotten hold cannot hang a test

    def __init__(self, method: str, path_prefix: str) -> None:
        self.method = method
        self.path_prefix = path_prefix
        self.arrived = threading.Event()
        self.released = threading.Event()

    def release(self) -> None:
        self.released.set()


class FakeGitHub:
    """Start with `with FakeGitHub() as github:`; point clients at `github.url`."""

    def __init__(self, bot: str = "bowsprit-bot", clock: Clock = utc_now) -> None:
        self.bot = bot
        self.clock = clock
        self.repos: dict[str, Repo] = {}
        self.members: dict[str, set[str]] = {}
        self.teams: dict[tuple[str, str], set[str]] = {}  # (org, team slug) -> logins
        self.actions: list[Action] = []
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.holds: list[Hold] = []
        self.remaining = 5000
        # GitHub App: installation IDs by org, and the installation tokens handed out.
        self.app_slug = "bowsprit"
        self.installations: dict[str, int] = {}
        self.installation_tokens: list[InstallationToken] = []
        self.token_lifetime = timedelta(hours=1)
        self._ids = itertools.count(1000)
        self._lock = threading.RLock()
        self._server = ThreadedApp("fake-github")
        self.oauth = OAuthState()
        self.busy_users: set[str] = set()  # GitHub status "busy" (blunderbuss)
        self.git = GitData(self)  # files per commit and the owners plugins' calls
        # A merge in real git (repo, pull, method -> the base's new head, e.g. a
        # gitrepos.Remote's merge_pull); without it a merge makes up the new head's SHA.
        self.merger: Callable[[Repo, Pull, str], str] | None = None

    # Setting the scene -----------------------------------------------------------------

    def add_repo(self, org: str, name: str, branches: dict[str, str] | None = None) -> Repo:
        with self._lock:
            repo = Repo(org, name, branches=dict(branches or {"main": "a" * 40}))
            self.repos[repo.full_name] = repo
            return repo

    def add_pull(
        self,
        repo: str,
        number: int,
        author: str,
        head_sha: str,
        *,
        title: str = "",
        base: str = "main",
        head: str = "feature",
        files: list[str] | None = None,
        labels: list[str] | None = None,
        draft: bool = False,
    ) -> Pull:
        with self._lock:
            item = Pull(
                number,
                author,
                title or f"PR {number}",
                base,
                head,
                head_sha,
                draft=draft,
                files=list(files or []),
                labels=[Label(name) for name in labels or []],
            )
            self.repos[repo].pulls[number] = item
            return item

    def push(self, repo: str, number: int, head_sha: str) -> Pull:
        """A new commit on a pull request's branch: its head moves."""
        with self._lock:
            item = self.repos[repo].pulls[number]
            item.commits.append(item.head_sha)
            item.head_sha = head_sha
            return item

    def merged_into(self, repo: Repo, merged: Pull) -> None:
        """GitHub recomputes mergeability after a merge moves the base: here, an open pull
        request into the same branch that changes a file the merged one changed conflicts."""
        touched = set(merged.files)
        for other in repo.pulls.values():
            same_base = other.state == "open" and other.base_ref == merged.base_ref
            if same_base and other is not merged and touched & set(other.files):
                other.mergeable = False

    def add_member(self, org: str, login: str) -> None:
        with self._lock:
            self.members.setdefault(org, set()).add(login)

    def add_collaborator(self, repo: str, login: str) -> None:
        with self._lock:
            self.repos[repo].collaborators.add(login)

    def add_comment(self, repo: str, number: int, author: str, body: str) -> Comment:
        with self._lock:
            now = self.now()
            created = Comment(next(self._ids), author, body, now, now)
            self.repos[repo].pulls[number].comments.append(created)
            return created

    def add_review(self, repo: str, number: int, author: str, state: str = "APPROVED") -> None:
        with self._lock:
            item = self.repos[repo].pulls[number]
            item.reviews.append(Review(next(self._ids), author, state, item.head_sha))

    def add_installation(self, org: str) -> int:
        """Install the GitHub App on an org; returns the installation ID."""
        with self._lock:
            return self.installations.setdefault(org, next(self._ids))

    def issue_installation_token(self, installation: int) -> InstallationToken:
        with self._lock:
            count = len(self.installation_tokens) + 1
            issued = InstallationToken(
                installation, f"ghs_{count:036d}", self.clock() + self.token_lifetime
            )
            self.installation_tokens.append(issued)
            return issued

    def add_status(
        self, repo: str, sha: str, context: str, state: str, description: str = ""
    ) -> None:
        """A commit status as some reporter left it, without recording an action."""
        with self._lock:
            item = CommitStatus(context, state, description, None, "someone", self.now())
            self.repos[repo].statuses.setdefault(sha, []).append(item)

    def hold(self, method: str, path_prefix: str) -> Hold:
        """Carry out the next matching request but keep its answer back until released, so
        a test can stop a client between GitHub acting and the client hearing of it."""
        held = Hold(method, path_prefix)
        with self._lock:
            self.holds.append(held)
        return held

    def fail(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    # Inspection ------------------------------------------------------------------------

    def now(self) -> str:
        return rfc3339(self.clock())

    def record(self, action: Action) -> None:
        self.actions.append(action)

    def known_shas(self, repo: Repo) -> set[str]:
        shas = set(repo.branches.values())
        for item in repo.pulls.values():
            shas.add(item.head_sha)
            shas.update(item.commits)
        return shas

    def statuses(self, repo: str, sha: str) -> dict[str, str]:
        """The newest state of every context on a commit."""
        with self._lock:
            return {item.context: item.state for item in self.repos[repo].statuses.get(sha, [])}

    # Serving ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> FakeGitHub:
        self._server.start(self._make_app)
        return self

    def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        Routes(self).add_to(app)
        OAuthRoutes(self).add_to(app)
        self.git.add_to(app)
        return app

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        with self._lock:
            self.requests.append(
                Request(
                    request.method,
                    request.path,
                    request.query_string,
                    request.headers.get("Authorization", ""),
                )
            )
            fault = self._take_fault(request)
            response: web.StreamResponse
            if fault is not None:
                response = web.Response(
                    status=fault.status,
                    text=fault.body,
                    content_type="application/json",
                    headers=dict(fault.headers),
                )
            else:
                try:
                    response = await handler(request)
                except NotFound:
                    response = reply(NOT_FOUND, 404)
            self.remaining = max(self.remaining - 1, 0)
            held = self._take_hold(request)
        if held is not None:
            held.arrived.set()
            await asyncio.to_thread(held.released.wait, Hold.LONGEST)
        return self._finish(request, response)

    def _take_hold(self, request: web.Request) -> Hold | None:
        for index, held in enumerate(self.holds):
            if held.method == request.method and request.path.startswith(held.path_prefix):
                return self.holds.pop(index)
        return None

    def _take_fault(self, request: web.Request) -> Fault | None:
        for index, fault in enumerate(self.faults):
            if fault.method == request.method and request.path.startswith(fault.path_prefix):
                if fault.count <= 1:
                    self.faults.pop(index)
                else:
                    self.faults[index] = Fault(
                        fault.method,
                        fault.path_prefix,
                        fault.status,
                        fault.count - 1,
                        fault.headers,
                        fault.body,
                    )
                return fault
        return None

    def _finish(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        response.headers.setdefault("X-RateLimit-Limit", "5000")
        response.headers.setdefault("X-RateLimit-Remaining", str(self.remaining))
        response.headers.setdefault("X-RateLimit-Reset", "2000000000")
        response.headers.setdefault("X-RateLimit-Used", str(5000 - self.remaining))
        if (
            request.method != "GET"
            or response.status != 200
            or not isinstance(response, web.Response)
        ):
            return response
        body = response.body if isinstance(response.body, bytes) else b""
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        response.headers["ETag"] = etag
        if request.headers.get("If-None-Match") == etag:
            # GitHub does not charge conditional requests that hit against the rate limit.
            self.remaining += 1
            return web.Response(
                status=304,
                headers={
                    k: v
                    for k, v in response.headers.items()
                    if k.lower().startswith(("etag", "x-rate"))
                },
            )
        return response
