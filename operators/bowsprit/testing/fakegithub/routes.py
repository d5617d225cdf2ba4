"""The fake GitHub's HTTP routes: GitHub's paths, bodies and status codes."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bowsprit.lib.clock import rfc3339
from bowsprit.testing.fakegithub import everyday_routes, graphql, payloads, plugin_routes
from bowsprit.testing.fakegithub.search import matches
from bowsprit.testing.fakegithub.state import (
    Comment,
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    CommitStatus,
    Label,
    LabelAdded,
    LabelRemoved,
    Merged,
    Pull,
    Repo,
    StatusCreated,
)

if TYPE_CHECKING:
    from bowsprit.testing.fakegithub import FakeGitHub

NOT_FOUND = {
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest",
    "status": "404",
}


class NotFound(Exception):
    pass


def reply(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


class Routes:
    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake

    def add_to(self, app: web.Application) -> None:
        repo = "/repos/{org}/{repo}"
        routes = [
            ("GET", "/user", self.me),
            ("GET", "/rate_limit", self.rate_limit),
            ("GET", repo, self.get_repo),
            ("GET", repo + "/branches/{branch}", self.get_branch),
            ("GET", repo + "/git/refs/heads/{branch}", self.get_ref),
            ("GET", repo + "/git/ref/heads/{branch}", self.get_ref),
            ("GET", repo + "/pulls", self.list_pulls),
            ("GET", repo + "/pulls/{number}", self.get_pull),
            ("GET", repo + "/pulls/{number}/files", self.pull_files),
            ("GET", repo + "/pulls/{number}/commits", self.pull_commits),
            ("GET", repo + "/pulls/{number}/reviews", self.pull_reviews),
            ("PUT", repo + "/pulls/{number}/merge", self.merge),
            ("GET", repo + "/issues/{number}", self.get_issue),
            ("GET", repo + "/issues/{number}/comments", self.list_comments),
            ("POST", repo + "/issues/{number}/comments", self.create_comment),
            ("PATCH", repo + "/issues/comments/{id}", self.edit_comment),
            ("DELETE", repo + "/issues/comments/{id}", self.delete_comment),
            ("GET", repo + "/issues/{number}/labels", self.list_labels),
            ("POST", repo + "/issues/{number}/labels", self.add_labels),
            ("DELETE", repo + "/issues/{number}/labels/{name}", self.remove_label),
            ("POST", repo + "/statuses/{sha}", self.create_status),
            ("GET", repo + "/commits/{ref}/status", self.combined_status),
            ("GET", repo + "/commits/{ref}/check-runs", self.check_runs),
            ("GET", repo + "/collaborators/{user}", self.is_collaborator),
            ("GET", "/orgs/{org}/members/{user}", self.is_member),
            ("GET", "/search/issues", self.search),
            ("GET", "/app", self.app),
            ("GET", "/orgs/{org}/installation", self.org_installation),
            ("POST", "/app/installations/{id}/access_tokens", self.access_token),
            ("POST", "/graphql", self.graphql),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        for method, path, extra in plugin_routes.routes(self.fake):
            app.router.add_route(method, path, extra)
        for method, path, extra in everyday_routes.routes(self.fake):
            app.router.add_route(method, path, extra)

    # Lookups ---------------------------------------------------------------------------

    def _repo(self, request: web.Request) -> Repo:
        found = self.fake.repos.get(f"{request.match_info['org']}/{request.match_info['repo']}")
        if found is None:
            raise NotFound()
        return found

    def _pull(self, request: web.Request) -> tuple[Repo, Pull]:
        repo = self._repo(request)
        found = repo.pulls.get(int(request.match_info["number"]))
        if found is None:
            raise NotFound()
        return repo, found

    def _sha(self, repo: Repo, ref: str) -> str:
        return repo.branches.get(ref, ref)

    # Handlers --------------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        login = self.fake.oauth.user_for(request.headers.get("Authorization", ""))
        return reply(payloads.user(self.fake.url, login or self.fake.bot))

    async def rate_limit(self, request: web.Request) -> web.Response:
        core = {"limit": 5000, "remaining": self.fake.remaining, "reset": 2000000000, "used": 0}
        return reply({"resources": {"core": core}, "rate": core})

    async def get_repo(self, request: web.Request) -> web.Response:
        return reply(payloads.repository(self.fake.url, self._repo(request)))

    async def get_branch(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        branch = request.match_info["branch"]
        if branch not in repo.branches:
            raise NotFound()
        sha = repo.branches[branch]
        return reply({"name": branch, "commit": {"sha": sha, "url": ""}, "protected": False})

    async def get_ref(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        branch = request.match_info["branch"]
        if branch not in repo.branches:
            raise NotFound()
        return reply(
            {
                "ref": f"refs/heads/{branch}",
                "node_id": "REF",
                "url": f"{self.fake.url}/repos/{repo.full_name}/git/refs/heads/{branch}",
                "object": {"type": "commit", "sha": repo.branches[branch], "url": ""},
            }
        )

    async def list_pulls(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        state = request.query.get("state", "open")
        pulls = [p for p in repo.pulls.values() if state == "all" or p.state == state]
        return reply([payloads.pull(self.fake.url, repo, p) for p in pulls])

    async def get_pull(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        return reply(payloads.pull(self.fake.url, repo, item))

    async def pull_files(self, request: web.Request) -> web.StreamResponse:
        _, item = self._pull(request)
        files = [
            {
                "sha": "0" * 40,
                "filename": name,
                "status": "modified",
                "additions": item.file_changes.get(name, (1, 0))[0],
                "deletions": item.file_changes.get(name, (1, 0))[1],
                "changes": sum(item.file_changes.get(name, (1, 0))),
                "blob_url": "",
                "raw_url": "",
                "contents_url": "",
            }
            for name in item.files
        ]
        return self._paginated(request, files)

    def _paginated(self, request: web.Request, items: list[Any]) -> web.Response:
        page = int(request.query.get("page", "1"))
        per_page = min(int(request.query.get("per_page", "30")), 100)
        start = (page - 1) * per_page
        response = reply(items[start : start + per_page])
        if start + per_page < len(items):
            url = request.url.update_query({"page": str(page + 1), "per_page": str(per_page)})
            response.headers["Link"] = f'<{url}>; rel="next"'
        return response

    async def pull_commits(self, request: web.Request) -> web.Response:
        _, item = self._pull(request)
        commits = item.commits or [item.head_sha]
        return reply([payloads.pull_commit(self.fake.url, item, sha) for sha in commits])

    async def pull_reviews(self, request: web.Request) -> web.Response:
        _, item = self._pull(request)
        return reply([payloads.review(self.fake.url, each) for each in item.reviews])

    async def merge(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        body = await _json(request)
        method = body.get("merge_method", "merge")
        if method not in repo.allowed_merge_methods:
            return reply({"message": f"{method} merges are not allowed on this repository."}, 405)
        if body.get("sha") and body["sha"] != item.head_sha:
            return reply(
                {"message": "Head branch was modified. Review and try the merge again."}, 409
            )
        if item.merged or item.state != "open" or not item.mergeable:
            return reply({"message": "Pull Request is not mergeable"}, 405)
        sha = hashlib.sha1(f"{repo.full_name}{item.number}{method}".encode()).hexdigest()
        if self.fake.merger is not None:
            sha = self.fake.merger(repo, item, method)
        item.merged, item.state, item.merge_commit_sha = True, "closed", sha
        repo.branches[item.base_ref] = sha
        self.fake.merged_into(repo, item)
        self.fake.record(Merged(repo.full_name, item.number, method, item.head_sha))
        return reply({"sha": sha, "merged": True, "message": "Pull Request successfully merged"})

    async def get_issue(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        return reply(payloads.issue(self.fake.url, repo, item))

    async def list_comments(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        return self._paginated(
            request, [payloads.comment(self.fake.url, repo, item.number, c) for c in item.comments]
        )

    async def create_comment(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        body = str((await _json(request)).get("body", ""))
        created = self.fake.add_comment(repo.full_name, item.number, self.fake.bot, body)
        self.fake.record(CommentCreated(repo.full_name, item.number, self.fake.bot, body))
        return reply(payloads.comment(self.fake.url, repo, item.number, created), 201)

    def _find_comment(self, repo: Repo, comment_id: int) -> tuple[Pull, Comment]:
        for item in repo.pulls.values():
            for each in item.comments:
                if each.id == comment_id:
                    return item, each
        raise NotFound()

    async def edit_comment(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        item, found = self._find_comment(repo, int(request.match_info["id"]))
        found.body = str((await _json(request)).get("body", ""))
        found.updated_at = self.fake.now()
        self.fake.record(CommentEdited(repo.full_name, found.id, found.body))
        return reply(payloads.comment(self.fake.url, repo, item.number, found))

    async def delete_comment(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        item, found = self._find_comment(repo, int(request.match_info["id"]))
        item.comments.remove(found)
        self.fake.record(CommentDeleted(repo.full_name, found.id))
        return web.Response(status=204)

    async def list_labels(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        return reply([payloads.label(self.fake.url, repo, each) for each in item.labels])

    async def add_labels(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        body = await _json(request)
        names = body.get("labels", []) if isinstance(body, dict) else body
        for name in names:
            if name not in {each.name for each in item.labels}:
                item.labels.append(Label(str(name)))
                self.fake.record(LabelAdded(repo.full_name, item.number, str(name)))
        return reply([payloads.label(self.fake.url, repo, each) for each in item.labels])

    async def remove_label(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        name = request.match_info["name"]
        present = [each for each in item.labels if each.name == name]
        if not present:
            return reply({"message": "Label does not exist"}, 404)
        item.labels.remove(present[0])
        self.fake.record(LabelRemoved(repo.full_name, item.number, name))
        return reply([payloads.label(self.fake.url, repo, each) for each in item.labels])

    async def create_status(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        sha = request.match_info["sha"]
        if sha not in self.fake.known_shas(repo):
            return reply({"message": "No commit found for SHA: " + sha}, 422)
        body = await _json(request)
        state = body.get("state")
        if state not in ("error", "failure", "pending", "success"):
            return reply({"message": "Validation Failed"}, 422)
        item = CommitStatus(
            str(body.get("context", "default")),
            state,
            str(body.get("description") or ""),
            body.get("target_url"),
            self.fake.bot,
            self.fake.now(),
        )
        repo.statuses.setdefault(sha, []).append(item)
        self.fake.record(StatusCreated(repo.full_name, sha, item.context, state, item.description))
        return reply(payloads.status(self.fake.url, item, len(repo.statuses[sha])), 201)

    async def combined_status(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        sha = self._sha(repo, request.match_info["ref"])
        latest: dict[str, CommitStatus] = {}
        for item in repo.statuses.get(sha, []):
            latest[item.context] = item
        states = {item.state for item in latest.values()}
        overall = (
            "failure"
            if states & {"failure", "error"}
            else "pending"
            if "pending" in states or not states
            else "success"
        )
        return reply(
            {
                "state": overall,
                "sha": sha,
                "total_count": len(latest),
                "statuses": [
                    payloads.status(self.fake.url, item, i)
                    for i, item in enumerate(latest.values(), 1)
                ],
                "repository": payloads.repository(self.fake.url, repo),
            }
        )

    async def check_runs(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        runs = repo.check_runs.get(self._sha(repo, request.match_info["ref"]), [])
        return reply({"total_count": len(runs), "check_runs": runs})

    async def is_collaborator(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        return web.Response(status=204 if request.match_info["user"] in repo.collaborators else 404)

    async def is_member(self, request: web.Request) -> web.Response:
        members = self.fake.members.get(request.match_info["org"], set())
        return web.Response(status=204 if request.match_info["user"] in members else 404)

    async def search(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "")
        found = [
            payloads.issue(self.fake.url, repo, item)
            for repo in self.fake.repos.values()
            for item in repo.pulls.values()
            if matches(query, repo, item)
        ]
        return reply({"total_count": len(found), "incomplete_results": False, "items": found})

    async def graphql(self, request: web.Request) -> web.Response:
        return reply(graphql.answer(self.fake, await _json(request)))

    # GitHub App --------------------------------------------------------------------------

    async def app(self, request: web.Request) -> web.Response:
        _require_jwt(request)
        slug = self.fake.app_slug
        return reply(
            {"id": 1, "slug": slug, "name": slug, "owner": payloads.user(self.fake.url, slug)}
        )

    async def org_installation(self, request: web.Request) -> web.Response:
        _require_jwt(request)
        found = self.fake.installations.get(request.match_info["org"])
        if found is None:
            raise NotFound()
        return reply(
            {"id": found, "account": payloads.user(self.fake.url, request.match_info["org"])}
        )

    async def access_token(self, request: web.Request) -> web.Response:
        _require_jwt(request)
        installation = int(request.match_info["id"])
        if installation not in self.fake.installations.values():
            raise NotFound()
        issued = self.fake.issue_installation_token(installation)
        return reply(
            {
                "token": issued.token,
                "expires_at": rfc3339(issued.expires_at),
                "permissions": {"contents": "read", "issues": "write", "statuses": "write"},
                "repository_selection": "all",
            },
            201,
        )


def _require_jwt(request: web.Request) -> None:
    """App endpoints take the App's JWT (three dot-separated parts), never a token."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or value.count(".") != 2:
        raise web.HTTPUnauthorized(
            text='{"message": "A JSON web token could not be decoded"}',
            content_type="application/json",
        )


async def _json(request: web.Request) -> Any:
    raw = await request.read()
    return json.loads(raw) if raw.strip() else {}
