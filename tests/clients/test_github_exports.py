"""`bowsprit.clients.github` was one module before it became a package; components and
other branches import from it, so every public name the module had must still be there."""

from __future__ import annotations

import bowsprit.clients.github as github

# The public names of clients/github.py before the split (main at 76605d0).
BEFORE_THE_SPLIT = {
    "CACHE_ENTRIES",
    "GitHubClient",
    "GitHubError",
    "GitHubSettings",
    "JWT_BACKDATE",
    "JWT_LIFETIME",
    "Jitter",
    "PER_PAGE",
    "SECONDARY_LIMIT_WAIT",
    "Sleep",
    "TOKEN_REFRESH_MARGIN",
    "add_github_flags",
    "backoff",
    "next_link",
    "rate_limit_wait",
    "settings_from_args",
}


def test_the_old_import_path_keeps_every_public_name() -> None:
    assert set(github.__all__) == BEFORE_THE_SPLIT
    missing = [name for name in github.__all__ if not hasattr(github, name)]
    assert missing == []


def test_the_client_keeps_every_call() -> None:
    calls = {name for name in dir(github.GitHubClient) if not name.startswith("_")}
    assert calls >= {
        "add_label", "aclose", "assign_issue", "bot_login", "create_comment", "create_review",
        "create_status", "delete_branch", "delete_comment", "edit_comment", "edit_issue",
        "get_blob_text", "get_branch_sha", "get_commit_tree_sha", "get_file_text", "get_pull",
        "get_tree", "git_token", "graphql", "installation_token", "is_collaborator",
        "is_member", "list_collaborators", "list_issue_comments", "list_issue_events",
        "list_labels", "list_milestones", "list_pull_changes", "list_pull_commits",
        "list_pull_files", "list_pulls", "list_repo_labels", "list_review_comments",
        "list_reviews", "list_statuses", "list_team_members", "merge_pull", "remove_label",
        "request_review", "search_issues", "team_has_member", "unassign_issue",
        "unrequest_review",
    }  # fmt: skip
