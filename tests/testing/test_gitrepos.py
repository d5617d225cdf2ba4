from __future__ import annotations

import subprocess
from pathlib import Path

from bowsprit.testing.gitrepos import GitDaemon, Remote, git


def test_branches_commits_and_pull_refs(tmp_path: Path) -> None:
    remote = Remote(tmp_path)
    base = remote.commit({"README.md": "hello\n", "docs/a.md": "a\n"})
    release = remote.commit({"VERSION": "1\n"}, branch="release-1")
    pr = remote.pull_request(7, {"src/main.go": "package main\n"})
    assert remote.head("main") == base and remote.head("release-1") == release
    assert git(remote.bare, "rev-parse", "refs/pull/7/head") == pr
    assert git(remote.bare, "rev-parse", f"{pr}^") == base  # the PR branches off main
    changed = git(remote.bare, "diff", "--name-only", base, pr).splitlines()
    assert changed == ["src/main.go"]
    # Commit dates are fixed, so SHAs are the same on every run.
    again = Remote(tmp_path / "again")
    assert again.commit({"README.md": "hello\n", "docs/a.md": "a\n"}) == base


def test_clone_over_file_and_git_daemon(tmp_path: Path) -> None:
    remote = Remote(tmp_path / "repos")
    sha = remote.commit({"a.txt": "x\n"})
    pr = remote.pull_request(1, {"b.txt": "y\n"})
    for url in (remote.url,):
        clone = tmp_path / "clone-file"
        subprocess.run(["git", "clone", "--quiet", url, str(clone)], check=True)
        assert git(clone, "rev-parse", "HEAD") == sha
    with GitDaemon(tmp_path / "repos" / "remotes") as daemon:
        clone = tmp_path / "clone-daemon"
        clone.mkdir()
        git(clone, "init", "--quiet")
        git(clone, "fetch", "--quiet", daemon.url("org", "repo"), "pull/1/head")
        assert git(clone, "rev-parse", "FETCH_HEAD") == pr
