"""Spyglass (/view/...), the buildlog fold endpoint, /job-history and /pr-history: pages
read from the bucket. Every key is built by spyglass.safe_key, so no request reads
outside the job's folder."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from aiohttp import web

from bowsprit.clients.artifacts import StorageError
from bowsprit.deck import buildlog, history, junit, spyglass
from bowsprit.deck.context import Deck

logger = logging.getLogger("bowsprit.deck")
NEW_JOB_WAIT = 5.0
_PR_PART = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


def errors(deck: Deck) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except spyglass.BadPath as error:
            return _error(deck, 400, str(error))
        except StorageError as error:
            logger.warning("storage: %s", error)
            return _error(deck, 404, "not found in storage")
        except web.HTTPException as error:
            if error.status >= 400 and error.content_type == "text/plain":
                return _error(deck, error.status, error.text or error.reason)
            raise

    return middleware


def _error(deck: Deck, status: int, message: str) -> web.Response:
    page = deck.render(
        "error.html", title=f"Error {status}", status=status, message=message, user=None
    )
    return web.Response(text=page, status=status, content_type="text/html")


def add_routes(app: web.Application, deck: Deck) -> None:
    pages = Pages(deck)
    app.router.add_get("/view/prowjob/{name}", pages.view_prowjob)
    app.router.add_get("/view/{path:.+}", pages.view)
    app.router.add_get("/spyglass/lines/{path:.+}", pages.lines)
    app.router.add_get("/spyglass/raw/{path:.+}", pages.raw)
    app.router.add_get("/job-history/{path:.+}", pages.job_history)
    app.router.add_get("/pr-history", pages.pr_history)
    app.router.add_get("/pr-history/", pages.pr_history)


def _json(data: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(data)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


class Pages:
    def __init__(self, deck: Deck) -> None:
        self.deck = deck

    async def _get(self, job: spyglass.JobPath, name: str) -> bytes:
        bucket = self.deck.open_bucket(job.bucket)
        return await asyncio.to_thread(bucket.get, job.key(name))

    async def view_prowjob(self, request: web.Request) -> web.Response:
        """A job with no artifacts yet (or at all): its ProwJob, and its URL once known."""
        name = request.match_info["name"]
        # A job deck has just created (rerun) reaches the cache a moment later.
        pj = self.deck.prowjobs.find(name) or await asyncio.to_thread(
            self.deck.prowjobs.wait_for, name, NEW_JOB_WAIT
        )
        if pj is None or not self.deck.visibility().shows(pj):
            raise web.HTTPNotFound(text="no such ProwJob")
        return web.Response(
            text=self.deck.render("prowjob.html", title=pj["spec"]["job"], pj=pj, user=None),
            content_type="text/html",
        )

    def _hidden(self, job: spyglass.JobPath, prowjob: dict[str, Any] | None = None) -> bool:
        """Whether the folder belongs to a job this deck does not show: by its
        prowjob.json when read, else by the path's repository (hidden_repos) and job name
        (hidden in the ProwJobs deck knows of)."""
        visibility = self.deck.visibility()
        if prowjob:
            return not visibility.shows(prowjob)
        repo, name = spyglass.path_owner(job.folder)
        if repo:
            org, _, name_of_repo = repo.partition("/")
            probe = {"spec": {"refs": {"org": org, "repo": name_of_repo}}}
            if not visibility.shows(probe):
                return True
        if not name:
            return False
        _, newest = self.deck.prowjobs.newest_first()
        known = next((pj for pj in newest if (pj.get("spec") or {}).get("job") == name), None)
        return known is not None and not visibility.shows(known)

    async def view(self, request: web.Request) -> web.Response:
        job = spyglass.parse_job_path(request.match_info["path"])
        config = self.deck.config().deck.spyglass
        limit = spyglass.size_limit(config)
        bucket = self.deck.open_bucket(job.bucket)
        sizes = await asyncio.to_thread(bucket.sizes, job.folder + "/")
        artifacts = {key[len(job.folder) + 1 :]: size for key, size in sizes.items()}
        if not artifacts:
            raise web.HTTPNotFound(text=f"nothing stored under {job.folder}")
        prowjob = _json(await self._get(job, "prowjob.json")) if "prowjob.json" in artifacts else {}
        if self._hidden(job, prowjob):
            raise web.HTTPNotFound(text=f"nothing stored under {job.folder}")
        rendered: list[dict[str, Any]] = []
        for lens in spyglass.lenses(config, sorted(artifacts)):
            rendered.append(await self._lens(job, lens, artifacts, limit))
        return web.Response(
            text=self.deck.render(
                "spyglass.html",
                title=job.folder.rsplit("/", 2)[-2] if "/" in job.folder else job.folder,
                job=job,
                lenses=rendered,
                prowjob=prowjob,
                history=_history_links(job, prowjob),
                user=None,
            ),
            content_type="text/html",
        )

    async def _lens(
        self, job: spyglass.JobPath, lens: spyglass.Lens, sizes: dict[str, int], limit: int
    ) -> dict[str, Any]:
        too_big = [name for name in lens.files if sizes.get(name, 0) > limit]
        files = [name for name in lens.files if name not in too_big]
        view: dict[str, Any] = {"name": lens.name, "too_big": too_big, "limit": limit}
        if lens.name == "metadata":
            view["started"] = (
                _json(await self._get(job, "started.json")) if "started.json" in files else {}
            )
            view["finished"] = (
                _json(await self._get(job, "finished.json")) if "finished.json" in files else {}
            )
            view["podinfo"] = (
                _json(await self._get(job, "podinfo.json")) if "podinfo.json" in files else {}
            )
        elif lens.name == "buildlog":
            view["logs"] = []
            for name in files:
                text = (await self._get(job, name)).decode("utf-8", "replace")
                view["logs"].append({"name": name, "groups": buildlog.render(text, lens.config)})
        elif lens.name == "junit":
            contents = {name: await self._get(job, name) for name in files}
            view["report"] = junit.parse(contents)
        elif lens.name == "podinfo":
            view["podinfo"] = _json(await self._get(job, "podinfo.json")) if files else {}
        else:
            view["artifacts"] = [(name, sizes[name]) for name in lens.files]
        return view

    async def lines(self, request: web.Request) -> web.Response:
        """An opened fold of a build log: lines start..end, rendered."""
        job = spyglass.parse_job_path(request.match_info["path"])
        name = request.query.get("artifact", "build-log.txt")
        start, end = int(request.query.get("start", "1")), int(request.query.get("end", "1"))
        if self._hidden(job):
            raise web.HTTPNotFound(text="not found")
        text = (await self._get(job, name)).decode("utf-8", "replace")
        config = next(
            (
                dict(entry.lens.config or {})
                for entry in self.deck.config().deck.spyglass.lenses or []
                if entry.lens.name == "buildlog"
            ),
            {},
        )
        lines = buildlog.lines(text, start, end, config)
        body = self.deck.env.get_template("loglines.html").render(lines=lines, artifact=name)
        return web.Response(text=body, content_type="text/html")

    async def raw(self, request: web.Request) -> web.Response:
        """An artifact as stored, always as plain text or a download: never as HTML from
        the dashboard's origin."""
        target = spyglass.parse_job_path(request.match_info["path"])
        name = target.folder
        if self._hidden(target):
            raise web.HTTPNotFound(text="not found")
        bucket = self.deck.open_bucket(target.bucket)
        data = await asyncio.to_thread(bucket.get, name)
        headers = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}
        if name.endswith((".txt", ".log", ".json", ".xml", ".yaml")):
            return web.Response(
                body=data, content_type="text/plain", charset="utf-8", headers=headers
            )
        headers["Content-Disposition"] = "attachment"
        return web.Response(body=data, content_type="application/octet-stream", headers=headers)

    async def job_history(self, request: web.Request) -> web.Response:
        job = spyglass.parse_job_path(request.match_info["path"])
        bucket = self.deck.open_bucket(job.bucket)
        if self._hidden(job):
            raise web.HTTPNotFound(text="not found")
        before = request.query.get("buildId") or None
        found = await asyncio.to_thread(history.job_history, bucket, job.folder, before)
        return web.Response(
            text=self.deck.render(
                "job_history.html",
                title=f"History of {found.job}",
                job=job,
                history=found,
                user=None,
            ),
            content_type="text/html",
        )

    async def pr_history(self, request: web.Request) -> web.Response:
        org, repo, pr = (request.query.get(key, "") for key in ("org", "repo", "pr"))
        if not all(_PR_PART.match(part) for part in (org, repo, pr)) or not pr.isdigit():
            raise web.HTTPBadRequest(text="pr-history needs org, repo and a PR number")
        if not self.deck.visibility().shows({"spec": {"refs": {"org": org, "repo": repo}}}):
            raise web.HTTPNotFound(text="no such pull request")
        storage = _default_storage(self.deck)
        if storage is None:
            raise web.HTTPNotFound(text="no bucket configured (plank's default_decoration_configs)")
        bucket_name, prefix = storage
        folder = "/".join(p for p in [prefix, "pr-logs/pull", f"{org}_{repo}", pr] if p)
        bucket = self.deck.open_bucket(bucket_name)
        commits = await asyncio.to_thread(history.pr_history, bucket, folder)
        return web.Response(
            text=self.deck.render(
                "pr_history.html",
                title=f"{org}/{repo}#{pr}",
                org=org,
                repo=repo,
                pr=pr,
                commits=commits,
                bucket=bucket_name,
                folder=folder,
                user=None,
            ),
            content_type="text/html",
        )


def _default_storage(deck: Deck) -> tuple[str, str] | None:
    """(bucket, path prefix) where pull requests' runs go: the decoration defaults for
    `*` (Prow's pr-history reads the default bucket too)."""
    plank = deck.config().plank
    configs = [
        *(plank.default_decoration_configs or {}).values(),
        *(entry.config for entry in plank.default_decoration_config_entries or []),
    ]
    for config in configs:
        gcs = config.gcs_configuration
        if gcs and gcs.bucket:
            name = gcs.bucket.removeprefix("s3://").removeprefix("gs://")
            return name.split("/", 1)[0], (gcs.path_prefix or "")
    return None


def _history_links(job: spyglass.JobPath, prowjob: dict[str, Any]) -> dict[str, str]:
    parts = job.folder.split("/")
    links: dict[str, str] = {}
    if len(parts) >= 2:
        links["job"] = f"/job-history/{job.provider}/{job.bucket}/{'/'.join(parts[:-1])}"
    if "pr-logs" in parts and len(parts) >= 5:
        index = parts.index("pr-logs")
        org_repo, pr = parts[index + 2], parts[index + 3]
        if "_" in org_repo and pr.isdigit():
            org, repo = org_repo.split("_", 1)
            links["pr"] = f"/pr-history?org={org}&repo={repo}&pr={pr}"
    return links
