"""The fake GitHub's routes the everyday plugins add: unassigning, withdrawn review
requests, editing an issue (title, state, milestone), milestones, deleting a branch (review
requests and file contents are gitdata.py's)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bowsprit.testing.fakegithub import payloads
from bowsprit.testing.fakegithub.state import Pull, Repo

if TYPE_CHECKING:
    from bowsprit.testing.fakegithub import FakeGitHub

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}


def _not_found() -> web.Response:
    return web.json_response(NOT_FOUND, status=404)


def _logins(body: Any, key: str) -> list[str]:
    return [str(login) for login in body.get(key, [])] if isinstance(body, dict) else []


def routes(fake: FakeGitHub) -> list[tuple[str, str, Handler]]:  # noqa: C901 - a closure per route
    repo_path = "/repos/{org}/{repo}"

    def repo_of(request: web.Request) -> Repo | None:
        return fake.repos.get(f"{request.match_info['org']}/{request.match_info['repo']}")

    def pull_of(request: web.Request) -> tuple[Repo, Pull] | None:
        found = repo_of(request)
        item = found.pulls.get(int(request.match_info["number"])) if found else None
        return (found, item) if found is not None and item is not None else None

    async def unassign(request: web.Request) -> web.Response:
        found = pull_of(request)
        if found is None:
            return _not_found()
        repo, item = found
        gone = {login.lower() for login in _logins(await request.json(), "assignees")}
        item.assignees = [login for login in item.assignees if login.lower() not in gone]
        return web.json_response(payloads.issue(fake.url, repo, item))

    async def unrequest_reviewers(request: web.Request) -> web.Response:
        found = pull_of(request)
        if found is None:
            return _not_found()
        repo, item = found
        gone = {login.lower() for login in _logins(await request.json(), "reviewers")}
        item.requested_reviewers = [
            login for login in item.requested_reviewers if login.lower() not in gone
        ]
        return web.json_response(payloads.pull(fake.url, repo, item))

    async def edit_issue(request: web.Request) -> web.Response:
        found = pull_of(request)
        if found is None:
            return _not_found()
        repo, item = found
        body: Any = await request.json()
        if not isinstance(body, dict):
            return web.json_response({"message": "Problems parsing JSON"}, status=400)
        if "title" in body:
            item.title = str(body["title"])
        if "body" in body:
            item.body = str(body["body"])
        if body.get("state") in ("open", "closed"):
            item.state = str(body["state"])
        if "milestone" in body:
            number = body["milestone"]
            if number is not None and number not in repo.milestones:
                return web.json_response({"message": "Validation Failed"}, status=422)
            item.milestone = None if number is None else repo.milestones[number]
        return web.json_response(payloads.issue(fake.url, repo, item))

    async def milestones(request: web.Request) -> web.Response:
        found = repo_of(request)
        if found is None:
            return _not_found()
        body = [
            {"number": number, "title": title, "state": "open"}
            for number, title in sorted(found.milestones.items())
        ]
        return web.json_response(body)

    async def delete_branch(request: web.Request) -> web.Response:
        found = repo_of(request)
        branch = request.match_info["branch"]
        if found is None or branch not in found.branches:
            return web.json_response({"message": "Reference does not exist"}, status=422)
        del found.branches[branch]
        return web.Response(status=204)

    return [
        ("DELETE", repo_path + "/issues/{number}/assignees", unassign),
        ("DELETE", repo_path + "/pulls/{number}/requested_reviewers", unrequest_reviewers),
        ("PATCH", repo_path + "/issues/{number}", edit_issue),
        ("GET", repo_path + "/milestones", milestones),
        ("DELETE", repo_path + "/git/refs/heads/{branch:.+}", delete_branch),
    ]
