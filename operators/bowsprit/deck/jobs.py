"""The job list: who may see a ProwJob, the URL's filters, the rows, `/prowjobs.js` and
`/badge.svg` (Prow's cmd/deck main.go handleProwJobs, badge.go). Pure functions of the
ProwJobs as the API server sends them."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from bowsprit.lib.clock import parse_time

OMITTABLE = ("annotations", "labels", "decoration_config", "pod_spec")
FINAL = ("success", "failure", "aborted", "error")


def _refs(pj: dict[str, Any]) -> dict[str, Any] | None:
    spec = pj.get("spec") or {}
    refs = spec.get("refs")
    if refs:
        return dict(refs)
    extra = spec.get("extra_refs") or []
    return dict(extra[0]) if extra else None


def repo_of(pj: dict[str, Any]) -> str:
    refs = _refs(pj)
    return f"{refs['org']}/{refs['repo']}" if refs else ""


@dataclass(frozen=True)
class Visibility:
    """deck's `hidden_repos`, `--show-hidden` and `--hiddenonly` (Prow's JobAgent)."""

    hidden_repos: tuple[str, ...] = ()
    show_hidden: bool = False
    hidden_only: bool = False

    def hidden(self, pj: dict[str, Any]) -> bool:
        spec = pj.get("spec") or {}
        if spec.get("hidden"):
            return True
        repos = [
            f"{r['org']}/{r['repo']}"
            for r in [spec.get("refs"), *(spec.get("extra_refs") or [])]
            if r
        ]
        orgs = [repo.split("/")[0] for repo in repos]
        return any(item in self.hidden_repos for item in [*repos, *orgs])

    def shows(self, pj: dict[str, Any]) -> bool:
        hidden = self.hidden(pj)
        if self.hidden_only:
            return hidden
        return self.show_hidden or not hidden


@dataclass(frozen=True)
class Filters:
    """The job list's filters, all in the URL (Prow's names: type, repo, author, job,
    state, pull, cluster); job takes globs (`pull-*`)."""

    type: str = ""
    repo: str = ""
    author: str = ""
    job: str = ""
    state: str = ""
    pull: str = ""
    cluster: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Filters:
        return cls(**{f.name: str(query.get(f.name, "")).strip()[:200] for f in fields(cls)})

    def as_query(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def matches(self, pj: dict[str, Any]) -> bool:
        """Plain tests in a row, cheapest first: this runs for every job on every page."""
        spec = pj.get("spec") or {}
        if self.type and spec.get("type") != self.type:
            return False
        if self.state and (pj.get("status") or {}).get("state", "triggered") != self.state:
            return False
        if self.job and not fnmatch.fnmatchcase(str(spec.get("job", "")), self.job):
            return False
        if self.cluster and (spec.get("cluster") or "default") != self.cluster:
            return False
        if not (self.repo or self.author or self.pull):
            return True
        refs = _refs(pj) or {}
        if self.repo and self.repo not in (repo_of(pj), refs.get("org")):
            return False
        pulls = refs.get("pulls") or []
        if self.author and not any(p.get("author") == self.author for p in pulls):
            return False
        return not self.pull or any(str(p.get("number")) == self.pull for p in pulls)


def duration(pj: dict[str, Any], now: datetime) -> str:
    """Run time so far or in all, as Prow shows it (1h2m3s)."""
    status = pj.get("status") or {}
    start = parse_time(status.get("startTime"))
    if start is None:
        return ""
    end = parse_time(status.get("completionTime")) or now
    seconds = max(int((end - start).total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{seconds}s"
    return f"{minutes}m{seconds}s" if minutes else f"{seconds}s"


def row(pj: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What one line of the job list shows (plain values; the template escapes them)."""
    spec = pj.get("spec") or {}
    status = pj.get("status") or {}
    refs = _refs(pj) or {}
    pulls = refs.get("pulls") or []
    first = pulls[0] if pulls else {}
    repo = repo_of(pj)
    base_sha = str(refs.get("base_sha") or "")
    return {
        "name": (pj.get("metadata") or {}).get("name", ""),
        "job": spec.get("job", ""),
        "type": spec.get("type", ""),
        "state": status.get("state", "triggered"),
        "description": status.get("description", ""),
        "url": status.get("url") or "",
        "repo": repo,
        "repo_link": refs.get("repo_link") or (f"https://github.com/{repo}" if repo else ""),
        "base_ref": refs.get("base_ref") or "",
        "base_sha": base_sha[:7],
        "base_link": refs.get("base_link") or "",
        "pulls": [
            {
                "number": pull.get("number"),
                "author": pull.get("author", ""),
                "sha": str(pull.get("sha", ""))[:7],
                "link": pull.get("link") or "",
                "commit_link": pull.get("commit_link") or "",
                "author_link": pull.get("author_link") or "",
            }
            for pull in pulls
        ],
        "author": first.get("author", ""),
        "started": status.get("startTime") or "",
        "duration": duration(pj, now),
        "build_id": status.get("build_id") or "",
        "running": status.get("state", "triggered") not in FINAL,
    }


def listed(
    jobs: Iterable[dict[str, Any]], visibility: Visibility, filters: Filters, limit: int
) -> list[dict[str, Any]]:
    """The visible jobs that pass the filters, in the given (newest first) order."""
    found: list[dict[str, Any]] = []
    for pj in jobs:
        if visibility.shows(pj) and filters.matches(pj):
            found.append(pj)
            if len(found) >= limit:
                break
    return found


def choices(jobs: Iterable[dict[str, Any]], visibility: Visibility) -> dict[str, list[str]]:
    """The values each filter can take, for the filter form's drop-downs."""
    seen: dict[str, set[str]] = {"type": set(), "repo": set(), "state": set(), "job": set()}
    for pj in jobs:
        if not visibility.shows(pj):
            continue
        spec = pj.get("spec") or {}
        seen["type"].add(str(spec.get("type", "")))
        seen["job"].add(str(spec.get("job", "")))
        seen["state"].add(str((pj.get("status") or {}).get("state", "triggered")))
        if repo := repo_of(pj):
            seen["repo"].add(repo)
    return {key: sorted(value - {""}) for key, value in seen.items()}


def prowjobs_js(
    jobs: Iterable[dict[str, Any]], visibility: Visibility, query: Mapping[str, str]
) -> dict[str, Any]:
    """Prow's /prowjobs.js: {"items": [...]}, by org, repo and PR owner, with `omit`."""
    omit = set(str(query.get("omit", "")).split(","))
    org, repo, owner = (str(query.get(key, "")) for key in ("org", "repo", "owner"))
    items: list[dict[str, Any]] = []
    for pj in jobs:
        if not visibility.shows(pj):
            continue
        refs_list = _all_refs(pj)
        if org and not any(r.get("org") == org for r in refs_list):
            continue
        if repo and not any(r.get("repo") == repo for r in refs_list):
            continue
        pulls = ((pj.get("spec") or {}).get("refs") or {}).get("pulls") or []
        if owner and not any(p.get("author") == owner for p in pulls):
            continue
        items.append(_omitted(pj, omit))
    return {"items": items}


def _all_refs(pj: dict[str, Any]) -> list[dict[str, Any]]:
    """Prow matches refs when present, else any of extra_refs."""
    spec = pj.get("spec") or {}
    if spec.get("refs"):
        return [spec["refs"]]
    return list(spec.get("extra_refs") or [])


def _omitted(pj: dict[str, Any], omit: set[str]) -> dict[str, Any]:
    if not omit & set(OMITTABLE) and "managedFields" not in (pj.get("metadata") or {}):
        return pj
    out = dict(pj)
    metadata = {k: v for k, v in (pj.get("metadata") or {}).items() if k != "managedFields"}
    for key in ("annotations", "labels"):
        if key in omit:
            metadata.pop(key, None)
    out["metadata"] = metadata
    spec = dict(pj.get("spec") or {})
    if "decoration_config" in omit:
        spec.pop("decoration_config", None)
    if "pod_spec" in omit and spec.get("pod_spec") is not None:
        # Empty containers keep the count, as Prow does (its UI picks log links by it).
        containers = (spec["pod_spec"] or {}).get("containers") or []
        spec["pod_spec"] = {"containers": [{} for _ in containers]}
    out["spec"] = spec
    return out


def pick_latest(jobs: Iterable[dict[str, Any]], selector: str) -> list[dict[str, Any]]:
    """Prow's pickLatestJobs: the newest run of each job matching any glob in `selector`
    (comma-separated); `jobs` newest first."""
    wanted = selector.split(",")
    have: set[str] = set()
    out: list[dict[str, Any]] = []
    for pj in jobs:
        name = str((pj.get("spec") or {}).get("job", ""))
        if name in have:
            continue
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in wanted):
            have.add(name)
            out.append(pj)
    return out


def badge(jobs: list[dict[str, Any]]) -> tuple[str, str]:
    """Prow's renderBadge: (status text, colour)."""
    if not jobs:
        return "no results", "darkgrey"
    failed = sorted(
        str(pj["spec"]["job"]) for pj in jobs if (pj.get("status") or {}).get("state") == "failure"
    )
    if len(failed) > 3:
        failed = [*failed[:3], "..."]
    if failed:
        return "failing " + ", ".join(failed), "red"
    return "passing", "brightgreen"


def badge_geometry(subject: str, status: str) -> dict[str, Any]:
    """Prow's makeShield sizes (6 px a character)."""
    right_start = 13 + 6 * len(subject)
    right_width = 13 + 6 * len(status)
    return {
        "width": right_start + right_width,
        "right_start": right_start,
        "right_width": right_width,
        "x_left": right_start * 0.5,
        "x_right": right_start + (right_width - 2) * 0.5,
    }
