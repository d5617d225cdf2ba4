"""The fake GitHub's routes the label, dco and needs-rebase plugins add: a repository's
labels, team memberships, assignees; and scene helpers for commits with messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bowsprit.testing.fakegithub import payloads
from bowsprit.testing.fakegithub.state import Label

if TYPE_CHECKING:
    from bowsprit.testing.fakegithub import FakeGitHub

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}


def push_commit(fake: FakeGitHub, repo: str, number: int, sha: str, message: str) -> None:
    """Add a commit to a pull request (it becomes the head), with its message."""
    with fake._lock:
        item = fake.repos[repo].pulls[number]
        if not item.commits:
            item.commits.append(item.head_sha)
        item.commits.append(sha)
        item.commit_messages[sha] = message
        item.head_sha = sha


def routes(fake: FakeGitHub) -> list[tuple[str, str, Handler]]:
    repo_path = "/repos/{org}/{repo}"

    async def repo_labels(request: web.Request) -> web.Response:
        found = fake.repos.get(f"{request.match_info['org']}/{request.match_info['repo']}")
        if found is None:
            return web.json_response(NOT_FOUND, status=404)
        names = dict.fromkeys(found.labels)
        for item in found.pulls.values():
            names.update(dict.fromkeys(label.name for label in item.labels))
        body = [payloads.label(fake.url, found, Label(name)) for name in names]
        return web.json_response(body)

    async def team_membership(request: web.Request) -> web.Response:
        org, slug, login = (request.match_info[key] for key in ("org", "team", "user"))
        if login not in fake.teams.get((org, slug), set()):
            return web.json_response(NOT_FOUND, status=404)
        return web.json_response({"role": "member", "state": "active", "url": str(request.url)})

    async def assign(request: web.Request) -> web.Response:
        found = fake.repos.get(f"{request.match_info['org']}/{request.match_info['repo']}")
        item = found.pulls.get(int(request.match_info["number"])) if found else None
        if found is None or item is None:
            return web.json_response(NOT_FOUND, status=404)
        body: Any = await request.json()
        for login in body.get("assignees", []) if isinstance(body, dict) else []:
            if str(login) not in item.assignees:
                item.assignees.append(str(login))
        answer = payloads.issue(fake.url, found, item)
        answer["assignees"] = [payloads.user(fake.url, login) for login in item.assignees]
        return web.json_response(answer, status=201)

    return [
        ("GET", repo_path + "/labels", repo_labels),
        ("GET", "/orgs/{org}/teams/{team}/memberships/{user}", team_membership),
        ("POST", repo_path + "/issues/{number}/assignees", assign),
    ]
