"""The refs of the ProwJobs trigger creates, from webhook events (Prow's createRefs); the
ProwJob body is jobpod.newjob.prowjob, as Prow's pjutil.NewPresubmit/NewPostsubmit."""

from __future__ import annotations

from typing import Any

from bowsprit.hook.events import PullRequest, PushEvent, RepoRef


def pull_refs(repo: RepoRef, pull: PullRequest, base_sha: str) -> dict[str, Any]:
    """Prow's createRefs: the base branch at `base_sha` with the pull request on top."""
    return {
        "org": repo.org,
        "repo": repo.name,
        "repo_link": repo.html_url or None,
        "base_ref": pull.base_ref,
        "base_sha": base_sha,
        "base_link": f"{repo.html_url}/commit/{base_sha}" if repo.html_url else None,
        "pulls": [
            {
                "number": pull.number,
                "author": pull.author,
                "sha": pull.head_sha,
                "title": pull.title,
                "head_ref": pull.head_ref,
                "link": pull.html_url or None,
                "commit_link": f"{pull.html_url}/commits/{pull.head_sha}"
                if pull.html_url
                else None,
                "author_link": pull.author_link or None,
            }
        ],
    }


def push_refs(event: PushEvent) -> dict[str, Any]:
    return {
        "org": event.repo.org,
        "repo": event.repo.name,
        "repo_link": event.repo.html_url or None,
        "base_ref": event.branch,
        "base_sha": event.after,
        "base_link": event.compare or None,
    }
