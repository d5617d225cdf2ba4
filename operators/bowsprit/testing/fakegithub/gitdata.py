"""The fake GitHub's files and the calls the owners plugins make: git trees and blobs and
the contents API over files set per commit, collaborators, review comments, issue
events, teams by name, review requests and reviews (repository labels and assignees are
the label plugins' routes, plugin_routes.py)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bowsprit.testing.fakegithub import payloads
from bowsprit.testing.fakegithub.routes import NotFound, reply
from bowsprit.testing.fakegithub.state import LabelAdded, Pull, Repo

if TYPE_CHECKING:
    from bowsprit.testing.fakegithub import FakeGitHub


def blob_sha(text: str) -> str:
    """Git's blob id, so identical contents share one SHA as on GitHub."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class ReviewRequested:
    repo: str
    number: int
    logins: tuple[str, ...]


@dataclass(frozen=True)
class ReviewCreated:
    repo: str
    number: int
    body: str
    comments: tuple[tuple[str, int, str], ...]


@dataclass
class GitData:
    fake: FakeGitHub
    files: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (repo, sha)
    trees: dict[tuple[str, str], str] = field(default_factory=dict)  # (repo, commit) -> tree
    teams: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (org, name)
    review_comments: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    recorded: list[ReviewRequested | ReviewCreated] = field(default_factory=list)

    # Setting the scene -----------------------------------------------------------------

    def set_files(self, repo: str, sha: str, files: dict[str, str], tree: str = "") -> None:
        """The repository's files at commit `sha` (its tree SHA defaults to their hash)."""
        self.files[(repo, sha)] = dict(files)
        digest = hashlib.sha1(repr(sorted(files.items())).encode()).hexdigest()
        self.trees[(repo, sha)] = tree or digest

    def add_repo_labels(self, repo: str, *names: str) -> None:
        """Labels the repository has (served by the label plugins' route)."""
        found = self.fake.repos[repo].labels
        found.extend(name for name in names if name not in found)

    def add_team(self, org: str, name: str, *members: str) -> None:
        self.teams[(org, name)] = set(members)

    def add_to(self, app: web.Application) -> None:
        repo = "/repos/{org}/{repo}"
        for method, path, handler in [
            ("GET", repo + "/git/trees/{sha}", self.tree),
            ("GET", repo + "/git/blobs/{sha}", self.blob),
            ("GET", repo + "/contents/{path:.+}", self.contents),
            ("GET", repo + "/commits/{sha}", self.commit),
            ("GET", repo + "/collaborators", self.collaborators),
            ("GET", repo + "/pulls/{number}/comments", self.pull_comments),
            ("GET", repo + "/issues/{number}/events", self.issue_events),
            ("POST", repo + "/pulls/{number}/requested_reviewers", self.request_review),
            ("POST", repo + "/pulls/{number}/reviews", self.create_review),
            ("GET", "/orgs/{org}/teams", self.list_teams),
            ("GET", "/orgs/{org}/teams/{slug}/members", self.team_members),
        ]:
            app.router.add_route(method, path, handler)

    # Handlers --------------------------------------------------------------------------

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

    def _files(self, repo: Repo, ref: str) -> dict[str, str]:
        sha = repo.branches.get(ref, ref)
        found = self.files.get((repo.full_name, sha))
        if found is None:
            raise NotFound()
        return found

    async def tree(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        sha = request.match_info["sha"]
        files = self._files(repo, sha)
        folders = sorted(
            {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
        )
        entries: list[dict[str, Any]] = [
            {"path": d, "mode": "040000", "type": "tree", "sha": "0" * 40} for d in folders
        ]
        entries += [
            {"path": p, "mode": "100644", "type": "blob", "sha": blob_sha(t), "size": len(t)}
            for p, t in sorted(files.items())
        ]
        return reply({"sha": sha, "url": "", "tree": entries, "truncated": False})

    async def blob(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        sha = request.match_info["sha"]
        for (name, _), files in self.files.items():
            for text in files.values() if name == repo.full_name else ():
                if blob_sha(text) == sha:
                    content = base64.b64encode(text.encode()).decode()
                    return reply(
                        {"sha": sha, "size": len(text), "encoding": "base64", "content": content}
                    )
        raise NotFound()

    async def contents(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        files = self._files(repo, request.query.get("ref", repo.default_branch))
        path = request.match_info["path"]
        if path not in files:
            raise NotFound()
        text = files[path]
        return reply(
            {
                "type": "file",
                "path": path,
                "name": path.rsplit("/", 1)[-1],
                "sha": blob_sha(text),
                "encoding": "base64",
                "content": base64.b64encode(text.encode()).decode(),
            }
        )

    async def commit(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        sha = request.match_info["sha"]
        tree = self.trees.get((repo.full_name, sha), hashlib.sha1(sha.encode()).hexdigest())
        return reply({"sha": sha, "commit": {"tree": {"sha": tree}, "message": ""}})

    async def collaborators(self, request: web.Request) -> web.Response:
        repo = self._repo(request)
        return reply([payloads.user(self.fake.url, login) for login in sorted(repo.collaborators)])

    async def pull_comments(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        return reply(self.review_comments.get((repo.full_name, item.number), []))

    async def issue_events(self, request: web.Request) -> web.Response:
        """`labeled` events: by the bot for labels it added, by `someone` for the rest."""
        repo, item = self._pull(request)
        by_bot = {
            a.label
            for a in self.fake.actions
            if isinstance(a, LabelAdded) and a.repo == repo.full_name and a.number == item.number
        }
        return reply(
            [
                {
                    "event": "labeled",
                    "label": {"name": label.name},
                    "actor": payloads.user(
                        self.fake.url, self.fake.bot if label.name in by_bot else "someone"
                    ),
                }
                for label in item.labels
            ]
        )

    async def request_review(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        logins = tuple((await request.json()).get("reviewers", []))
        self.recorded.append(ReviewRequested(repo.full_name, item.number, logins))
        # As GitHub: only members and collaborators, never the author, are asked.
        members = self.fake.members.get(repo.org, set())
        for login in logins:
            allowed = login in repo.collaborators or login in members
            if allowed and login != item.author and login not in item.requested_reviewers:
                item.requested_reviewers.append(login)
        return reply(payloads.pull(self.fake.url, repo, item), 201)

    async def create_review(self, request: web.Request) -> web.Response:
        repo, item = self._pull(request)
        body = await request.json()
        comments = tuple(
            (str(c["path"]), int(c.get("position", 0)), str(c["body"]))
            for c in body.get("comments", [])
        )
        self.recorded.append(
            ReviewCreated(repo.full_name, item.number, str(body.get("body", "")), comments)
        )
        return reply({"id": 1, "body": body.get("body", ""), "state": "COMMENTED"})

    async def list_teams(self, request: web.Request) -> web.Response:
        org = request.match_info["org"]
        names = sorted(name for (team_org, name) in self.teams if team_org == org)
        return reply([{"name": name, "slug": name.lower().replace(" ", "-")} for name in names])

    async def team_members(self, request: web.Request) -> web.Response:
        org, slug = request.match_info["org"], request.match_info["slug"]
        for (team_org, name), members in self.teams.items():
            if team_org == org and name.lower().replace(" ", "-") == slug:
                return reply([payloads.user(self.fake.url, login) for login in sorted(members)])
        raise NotFound()
