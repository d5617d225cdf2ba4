"""JSON bodies shaped as GitHub's REST API answers them (the fields GitHub sends)."""

from __future__ import annotations

import hashlib
from typing import Any

from bowsprit.testing.fakegithub.state import Comment, CommitStatus, Label, Pull, Repo, Review

EPOCH = "2026-01-01T00:00:00Z"


def _id(*parts: object) -> int:
    digest = hashlib.sha256("/".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:4], "big")


def user(base: str, login: str) -> dict[str, Any]:
    kind = "Bot" if login.endswith("[bot]") else "User"
    api = f"{base}/users/{login}"
    return {
        "login": login,
        "id": _id("user", login),
        "node_id": f"U_{_id('user', login)}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{_id('user', login)}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"https://github.com/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "site_admin": False,
    }


def repository(base: str, repo: Repo) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}"
    html = f"https://github.com/{repo.full_name}"
    return {
        "id": _id("repo", repo.full_name),
        "node_id": f"R_{_id('repo', repo.full_name)}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": False,
        "owner": user(base, repo.org),
        "html_url": html,
        "description": None,
        "fork": False,
        "url": api,
        "pulls_url": f"{api}/pulls{{/number}}",
        "issues_url": f"{api}/issues{{/number}}",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "labels_url": f"{api}/labels{{/name}}",
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "pushed_at": EPOCH,
        "git_url": f"git://github.com/{repo.full_name}.git",
        "ssh_url": f"git@github.com:{repo.full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": None,
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": len([p for p in repo.pulls.values() if p.state == "open"]),
        "license": None,
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
        "default_branch": repo.default_branch,
        "is_template": False,
        "topics": [],
        "visibility": "public",
        "allow_merge_commit": "merge" in repo.allowed_merge_methods,
        "allow_squash_merge": "squash" in repo.allowed_merge_methods,
        "allow_rebase_merge": "rebase" in repo.allowed_merge_methods,
    }


def label(base: str, repo: Repo, item: Label) -> dict[str, Any]:
    return {
        "id": _id("label", item.name),
        "node_id": f"LA_{_id('label', item.name)}",
        "url": f"{base}/repos/{repo.full_name}/labels/{item.name}",
        "name": item.name,
        "color": item.color,
        "default": False,
        "description": None,
    }


def _branch_ref(base: str, repo: Repo, ref: str, sha: str, login: str) -> dict[str, Any]:
    return {
        "label": f"{login}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(base, login),
        "repo": repository(base, repo),
    }


def pull(base: str, repo: Repo, item: Pull) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}"
    html = f"https://github.com/{repo.full_name}/pull/{item.number}"
    base_sha = repo.branches.get(item.base_ref, "0" * 40)
    return {
        "url": f"{api}/pulls/{item.number}",
        "id": _id("pull", repo.full_name, item.number),
        "node_id": f"PR_{_id('pull', repo.full_name, item.number)}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{item.number}",
        "number": item.number,
        "state": item.state,
        "locked": False,
        "title": item.title,
        "user": user(base, item.author),
        "body": item.body,
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "closed_at": None,
        "merged_at": EPOCH if item.merged else None,
        "merge_commit_sha": item.merge_commit_sha,
        "assignee": None,
        "assignees": [user(base, login) for login in item.assignees],
        "requested_reviewers": [user(base, login) for login in item.requested_reviewers],
        "requested_teams": [],
        "labels": [label(base, repo, each) for each in item.labels],
        "milestone": {"title": item.milestone, "number": 1, "state": "open"}
        if item.milestone
        else None,
        "commits_url": f"{api}/pulls/{item.number}/commits",
        "review_comments_url": f"{api}/pulls/{item.number}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{item.number}/comments",
        "statuses_url": f"{api}/statuses/{item.head_sha}",
        "head": _branch_ref(base, repo, item.head_ref, item.head_sha, item.author),
        "base": _branch_ref(base, repo, item.base_ref, base_sha, repo.org),
        "_links": {"self": {"href": f"{api}/pulls/{item.number}"}, "html": {"href": html}},
        "author_association": "CONTRIBUTOR",
        "auto_merge": None,
        "active_lock_reason": None,
        "draft": item.draft,
        "merged": item.merged,
        "mergeable": item.mergeable,
        "rebaseable": item.mergeable,
        "mergeable_state": "clean" if item.mergeable else "dirty",
        "merged_by": None,
        "comments": len(item.comments),
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": len(item.commits) or 1,
        "additions": 0,
        "deletions": 0,
        "changed_files": len(item.files),
    }


def issue(base: str, repo: Repo, item: Pull) -> dict[str, Any]:
    body = pull(base, repo, item)
    keys = (
        "url",
        "id",
        "node_id",
        "number",
        "state",
        "locked",
        "title",
        "user",
        "body",
        "labels",
        "assignee",
        "assignees",
        "milestone",
        "created_at",
        "updated_at",
        "closed_at",
        "author_association",
        "active_lock_reason",
        "comments",
    )
    result = {key: body[key] for key in keys}
    result.update(
        url=f"{base}/repos/{repo.full_name}/issues/{item.number}",
        html_url=body["html_url"],
        repository_url=f"{base}/repos/{repo.full_name}",
        comments_url=body["comments_url"],
        labels_url=f"{body['issue_url']}/labels{{/name}}",
        events_url=f"{body['issue_url']}/events",
        draft=item.draft,
        pull_request={
            "url": body["url"],
            "html_url": body["html_url"],
            "diff_url": body["diff_url"],
            "patch_url": body["patch_url"],
        },
    )
    return result


def comment(base: str, repo: Repo, number: int, item: Comment) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}"
    return {
        "url": f"{api}/issues/comments/{item.id}",
        "id": item.id,
        "node_id": f"IC_{item.id}",
        "html_url": f"https://github.com/{repo.full_name}/pull/{number}#issuecomment-{item.id}",
        "issue_url": f"{api}/issues/{number}",
        "user": user(base, item.author),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "author_association": "CONTRIBUTOR",
        "body": item.body,
        "performed_via_github_app": None,
    }


def status(base: str, item: CommitStatus, index: int) -> dict[str, Any]:
    return {
        "url": f"{base}/statuses/{index}",
        "avatar_url": None,
        "id": index,
        "node_id": f"SC_{index}",
        "state": item.state,
        "description": item.description,
        "target_url": item.target_url,
        "context": item.context,
        "created_at": item.created_at,
        "updated_at": item.created_at,
        "creator": user(base, item.creator),
    }


def review(base: str, item: Review) -> dict[str, Any]:
    return {
        "id": item.id,
        "node_id": f"PRR_{item.id}",
        "user": user(base, item.author),
        "body": "",
        "state": item.state,
        "commit_id": item.commit_id,
        "submitted_at": EPOCH,
        "author_association": "MEMBER",
    }


def pull_commit(base: str, item: Pull, sha: str) -> dict[str, Any]:
    """An entry of GET /pulls/{n}/commits: the message (with any Signed-off-by), the
    author as GitHub matched them to an account, one parent."""
    message = item.commit_messages.get(sha, f"commit {sha[:7]}")
    author = item.commit_authors.get(sha, item.author)
    return {
        "sha": sha,
        "commit": {
            "message": message,
            "author": {"name": author, "email": f"{author}@example.com"},
            "committer": {"name": author, "email": f"{author}@example.com"},
        },
        "author": user(base, author),
        "committer": user(base, author),
        "parents": [{"sha": "0" * 40}] * (2 if sha in item.merge_commits else 1),
    }
