"""Real git repositories for tests: a bare "remote" with branches, commits touching chosen
paths, and GitHub's pull request refs (refs/pull/N/head), served over file:// or by
`git daemon` on loopback."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from bowsprit.testing.envtest import free_port
from bowsprit.testing.listening import wait_listening

AUTHOR = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
}


def git(folder: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(folder), **AUTHOR, **(env or {})},
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


@dataclass
class Remote:
    """A bare repository standing in for github.com/<org>/<repo>, and a work tree to build it."""

    root: Path
    org: str = "org"
    name: str = "repo"
    _ticks: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.bare.mkdir(parents=True)
        git(self.bare, "init", "--bare", "--initial-branch=main")
        self.work.mkdir(parents=True)
        git(self.work, "init", "--initial-branch=main")
        git(self.work, "remote", "add", "origin", str(self.bare))

    @property
    def bare(self) -> Path:
        return self.root / "remotes" / self.org / f"{self.name}.git"

    @property
    def work(self) -> Path:
        return self.root / "work" / self.org / self.name

    @property
    def url(self) -> str:
        return self.bare.as_uri()

    def commit(self, files: dict[str, str], message: str = "change", branch: str = "main") -> str:
        """Commit `files` (path -> content) on `branch` with a fixed, increasing date."""
        self._switch_to(branch)
        for path, content in files.items():
            target = self.work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            git(self.work, "add", path)
        self._ticks += 1
        date = f"2026-01-01T00:{self._ticks // 60:02d}:{self._ticks % 60:02d}Z"
        dates = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        git(self.work, "commit", "--quiet", "-m", message, env=dates)
        git(self.work, "push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")
        return git(self.work, "rev-parse", "HEAD")

    def _switch_to(self, branch: str) -> None:
        has_commits = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
            cwd=self.work,
            capture_output=True,
            check=False,
        )
        if has_commits.returncode != 0:
            git(self.work, "checkout", "--quiet", "--orphan", branch)
            return
        if git(self.work, "branch", "--show-current") == branch:
            return
        git(self.work, "fetch", "--quiet", "origin")
        published = git(self.work, "ls-remote", "--heads", "origin", branch)
        git(
            self.work,
            "checkout",
            "--quiet",
            "-B",
            branch,
            f"origin/{branch}" if published else "HEAD",
        )

    def pull_request(
        self,
        number: int,
        files: dict[str, str],
        base: str = "main",
        message: str = "pull request change",
    ) -> str:
        """Commit on a branch off `base` and publish it as refs/pull/<number>/head."""
        branch = f"pr-{number}"
        git(self.work, "fetch", "--quiet", "origin")
        git(self.work, "checkout", "--quiet", "-B", branch, f"origin/{base}")
        sha = self.commit(files, message, branch)
        git(self.work, "push", "--quiet", "origin", f"{sha}:refs/pull/{number}/head")
        return sha

    def head(self, branch: str = "main") -> str:
        return git(self.bare, "rev-parse", f"refs/heads/{branch}")

    def merge_pull(self, number: int, base: str = "main", method: str = "merge") -> str:
        """Merge refs/pull/<number>/head into `base` as GitHub's merge button does (a merge
        commit; one squashed commit for squash and rebase), publish it, return the new head."""
        git(self.work, "fetch", "--quiet", "origin")
        git(self.work, "checkout", "--quiet", "-B", base, f"origin/{base}")
        git(self.work, "fetch", "--quiet", "origin", f"refs/pull/{number}/head")
        message = f"Merge pull request #{number}"
        if method == "merge":
            git(self.work, "merge", "--quiet", "--no-ff", "-m", message, "FETCH_HEAD")
        else:
            git(self.work, "merge", "--quiet", "--squash", "FETCH_HEAD")
            git(self.work, "commit", "--quiet", "-m", message)
        git(self.work, "push", "--quiet", "origin", f"HEAD:refs/heads/{base}")
        return git(self.work, "rev-parse", "HEAD")


class GitDaemon:
    """`git daemon` serving every repository under a folder on 127.0.0.1."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, org: str, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{org}/{name}.git"

    def __enter__(self) -> GitDaemon:
        self._process = subprocess.Popen(
            [
                "git",
                "daemon",
                "--export-all",
                "--reuseaddr",
                f"--base-path={self.base}",
                f"--port={self.port}",
                "--listen=127.0.0.1",
                str(self.base),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_listening(self._process, self.port, "git daemon")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
