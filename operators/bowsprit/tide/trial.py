"""Trial merges for a new batch (Prow's pickNewBatch with git.ClientFactory and
MergeWithStrategy): the candidates merged one by one onto the base in a local checkout,
keeping those that merge cleanly together. One clone per repository under a work dir,
kept between syncs and fetched incrementally; the result is plain data for decide."""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bowsprit.tide.model import MergeTrial

DEFAULT_URL_TEMPLATE = "https://github.com/{org}/{repo}.git"
# Prow's committer for trial merges; the commits never leave the work dir.
IDENTITY = ("-c", "user.name=prow", "-c", "user.email=prow@localhost", "-c", "commit.gpgsign=false")


class TrialError(RuntimeError):
    """git failed in a way that is not a merge conflict (fetch, checkout, abort)."""


@dataclass(frozen=True)
class Candidate:
    number: int
    sha: str
    method: str  # merge, squash or rebase


class GitTrials:
    """Clones under `work_dir/<org>/<repo>`, one lock per repository (sub-pools of two
    branches of one repository share its clone)."""

    def __init__(self, work_dir: Path, url_template: str = DEFAULT_URL_TEMPLATE) -> None:
        self.work_dir = work_dir
        self.url_template = url_template
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def url(self, org: str, repo: str) -> str:
        return self.url_template.format(org=org, repo=repo)

    def _lock(self, org: str, repo: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault((org, repo), threading.Lock())

    def merge_together(
        self,
        org: str,
        repo: str,
        branch: str,
        base_sha: str,
        candidates: Sequence[Candidate],
        limit: int,
        token: str | None = None,
    ) -> MergeTrial:
        """Which candidates, in this order, merge cleanly onto `base_sha` together (up to
        `limit` when > 0). A candidate whose head is no longer its PR's ref (pushed
        meanwhile) is left out; the next sync sees the new head."""
        with self._lock(org, repo):
            folder = self.work_dir / org / repo
            run = _Git(folder, token)
            if not (folder / ".git").exists():
                folder.mkdir(parents=True, exist_ok=True)
                run("init", "--quiet")
            refs = [f"refs/heads/{branch}"] + [f"refs/pull/{c.number}/head" for c in candidates]
            run("fetch", "--quiet", "--no-tags", self.url(org, repo), *refs)
            # A trial cut short (a crash mid-merge) leaves an operation to undo first.
            run.ok("merge", "--abort")
            run.ok("rebase", "--abort")
            run("checkout", "--quiet", "--force", "--detach", base_sha)
            run("clean", "--quiet", "-ffdx")
            clean: list[int] = []
            for candidate in candidates:
                if not run.ok("cat-file", "-e", f"{candidate.sha}^{{commit}}"):
                    continue
                if _merge(run, candidate):
                    clean.append(candidate.number)
                    if limit > 0 and len(clean) >= limit:
                        break
            return MergeTrial(tuple((c.number, c.sha) for c in candidates), tuple(clean))


class _Git:
    def __init__(self, folder: Path, token: str | None) -> None:
        self.folder = folder
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
        }
        if token:
            # In the environment, not the command line other processes can read.
            basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
            self.env |= {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "http.extraHeader",
                "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
            }

    def _run(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *IDENTITY, *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
            env=self.env,
        )

    def __call__(self, *args: str) -> str:
        done = self._run(args)
        if done.returncode != 0:
            raise TrialError(f"git {args[0]} failed: {done.stderr.strip()[-500:]}")
        return done.stdout.strip()

    def ok(self, *args: str) -> bool:
        return self._run(args).returncode == 0


def _merge(run: _Git, candidate: Candidate) -> bool:
    """Prow's MergeWithStrategy: True when the head merged; a conflict is undone."""
    sha = candidate.sha
    if candidate.method == "squash":
        if run.ok("merge", "--squash", "--no-stat", sha) and run.ok(
            "commit", "--quiet", "--no-verify", "-m", "merge"
        ):
            return True
        run("reset", "--quiet", "--hard", "HEAD")
        return False
    if candidate.method == "rebase":
        head = run("rev-parse", "HEAD")
        if run.ok("rebase", "--quiet", "--no-stat", head, sha):
            return True
        run("rebase", "--abort")
        run("checkout", "--quiet", "--force", "--detach", head)
        return False
    if run.ok("merge", "--no-ff", "--no-stat", "-m", "merge", sha):
        return True
    run("merge", "--abort")
    return False
