"""`bowsprit clonerefs`: clone each ref into $GOPATH/src and merge its pulls (PROW-REFERENCE 3.2).

Presubmits test the pull request merged into its base; batches merge several pulls in
order. Merge commits get deterministic dates (the base's commit time plus one second per
pull) so the tested tree hashes the same in every run. Every git command and its output
goes into the clone records; a failed clone is recorded there, not in the exit code.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bowsprit.api.refs import Refs
from bowsprit.jobpod.decorate import clone_path
from bowsprit.jobpod.options import CloneRefsOptions
from bowsprit.lib import logs
from bowsprit.podutils import apptoken, sshkeys
from bowsprit.podutils.jobenv import UsageError, read_options

logger = logging.getLogger("bowsprit.clonerefs")
CENSORED = "CENSORED"
FETCH_ATTEMPTS = 3


@dataclass
class Command:
    command: str
    output: str = ""
    error: str = ""
    duration: float = 0.0


@dataclass
class Record:
    """Prow's clone record: the refs, every command run, and the outcome."""

    refs: dict[str, object]
    commands: list[Command] = field(default_factory=list)
    failed: bool = False
    final_sha: str = ""


class CommandFailed(Exception):
    pass


def remote_url(refs: Refs, token: str | None) -> str:
    """Where to fetch from; an OAuth token goes into HTTPS URLs (censored in records)."""
    if refs.clone_uri:
        return refs.clone_uri
    if token:
        return f"https://x-access-token:{token}@github.com/{refs.org}/{refs.repo}.git"
    return f"https://github.com/{refs.org}/{refs.repo}.git"


def fetch_args(refs: Refs, options: CloneRefsOptions, remote: str, ref: str) -> list[str]:
    args = ["fetch"]
    if refs.blobless_fetch or options.blobless_fetch:
        args.append("--filter=blob:none")
    if refs.clone_depth:
        args.append(f"--depth={refs.clone_depth}")
    return [*args, remote, ref]


def pull_ref(number: int, ref: str | None, sha: str) -> str:
    if ref:
        return ref
    return f"pull/{number}/head" if number or not sha else sha


class Cloner:
    """Runs git for one ref in its folder, recording every command."""

    def __init__(self, folder: Path, env: dict[str, str], secrets: list[str], record: Record):
        self.folder, self.env, self.secrets, self.record = folder, env, secrets, record

    def censor(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, CENSORED)
        return text

    def git(self, *args: str, env: dict[str, str] | None = None, attempts: int = 1) -> str:
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            result = subprocess.run(
                ["git", *args],
                cwd=self.folder,
                env={**self.env, **(env or {})},
                capture_output=True,
                text=True,
                check=False,
            )
            command = Command(
                command=self.censor(" ".join(["git", *args])),
                output=self.censor(result.stdout + result.stderr),
                duration=time.monotonic() - started,
            )
            self.record.commands.append(command)
            if result.returncode == 0:
                return result.stdout.strip()
            command.error = f"exit status {result.returncode}"
            if attempt < attempts:
                time.sleep(2 ** (attempt - 1))  # backoff between fetch retries
        raise CommandFailed(command.command)

    def has_commit(self, sha: str) -> bool:
        probe = subprocess.run(
            ["git", "cat-file", "-e", f"{sha}^{{commit}}"],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            check=False,
        )
        return probe.returncode == 0

    def clone(self, refs: Refs, options: CloneRefsOptions, remote: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.git("init", "--quiet")
        self.git("config", "user.name", options.git_user_name)
        self.git("config", "user.email", options.git_user_email)
        if options.cookie_path:
            self.git("config", "http.cookiefile", options.cookie_path)
        sparse = refs.sparse_checkout_files or options.sparse_checkout_files
        if sparse:
            self.git("sparse-checkout", "set", *sparse)
        base_ref = refs.base_ref or "HEAD"
        self.git(*fetch_args(refs, options, remote, base_ref), attempts=FETCH_ATTEMPTS)
        base = refs.base_sha or "FETCH_HEAD"
        if refs.base_sha and not self.has_commit(refs.base_sha):
            # Not in the branch's fetched history (a shallow fetch, or a moved branch).
            self.git(*fetch_args(refs, options, remote, refs.base_sha), attempts=FETCH_ATTEMPTS)
        self.git("checkout", "--quiet", base)
        if refs.base_ref:
            self.git("branch", "--force", refs.base_ref, "HEAD")
            self.git("checkout", "--quiet", refs.base_ref)
        base_time = int(self.git("show", "-s", "--format=%ct", "HEAD"))
        for index, pull in enumerate(refs.pulls or [], start=1):
            ref = pull_ref(pull.number, pull.ref, pull.sha)
            self.git(*fetch_args(refs, options, remote, ref), attempts=FETCH_ATTEMPTS)
            date = f"@{base_time + index} +0000"
            self.git(
                "merge",
                "--no-ff",
                "--no-edit",
                "-m",
                f"Merge pull request #{pull.number}",
                pull.sha or "FETCH_HEAD",
                env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
            )
        if not refs.skip_submodules:
            self.git("submodule", "update", "--init", "--recursive")
        self.record.final_sha = self.git("rev-parse", "HEAD")


def git_env(options: CloneRefsOptions, home: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": home,
        "GIT_TERMINAL_PROMPT": "0",
    }
    if options.key_files or options.host_fingerprints:
        if options.host_fingerprints:
            known_hosts = Path(home) / "known_hosts"
            known_hosts.write_text("\n".join(options.host_fingerprints) + "\n")
            checking = f"-o UserKnownHostsFile={known_hosts}"
        else:
            checking = "-o StrictHostKeyChecking=no"  # as Prow does without fingerprints
        env["GIT_SSH_COMMAND"] = f"ssh {checking}"
    return env


def clone_all(options: CloneRefsOptions, home: str) -> list[Record]:
    token = Path(options.oauth_token_file).read_text().strip() if options.oauth_token_file else ""
    env = git_env(options, home)
    records: list[Record] = []
    app_tokens: dict[str, str] = {}  # GitHub App installation tokens by org, minted once
    agent: sshkeys.Agent | None = None
    if options.key_files:
        setup = Record(refs={})

        def log(command: str, output: str, error: str) -> None:
            setup.commands.append(Command(command=command, output=output, error=error))

        try:
            agent = sshkeys.start_agent(options.key_files, log)
        except (sshkeys.SSHKeyError, OSError) as error:
            logger.error("adding SSH keys failed: %s", error)
            setup.failed = True
            return [setup]  # as Prow: nothing is cloned without the keys
        env.update(agent.env)
    try:
        for refs in options.refs:
            records.append(clone_one(refs, options, env, token, app_tokens))
    finally:
        if agent is not None:
            agent.stop()
    if agent is not None and records:
        records[0].commands[:0] = setup.commands  # the key loading shows in the clone log
    return records


def clone_one(
    refs: Refs,
    options: CloneRefsOptions,
    env: dict[str, str],
    token: str,
    app_tokens: dict[str, str],
) -> Record:
    record = Record(refs=refs.model_dump(mode="json", exclude_none=True))
    folder = Path(clone_path(refs, options.src_root))
    try:
        if not token and options.github_app_id and options.github_app_private_key_file:
            if refs.org not in app_tokens:
                app_tokens[refs.org] = apptoken.installation_token(options, refs.org)
            token = app_tokens[refs.org]
        secrets = [token] if token else []
        Cloner(folder, env, secrets, record).clone(refs, options, remote_url(refs, token))
    except (CommandFailed, OSError, apptoken.AppTokenError) as error:
        record.failed = True
        logger.error("cloning %s/%s failed: %s", refs.org, refs.repo, error)
    return record


def write_records(path: str, records: list[Record]) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps([asdict(record) for record in records], indent=2))
    partial.replace(target)


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Clone the refs in CLONEREFS_OPTIONS (Prow's JSON) and write the clone records."
    )
    parser.add_argument(
        "--cookiefile", default=None, help="git http.cookiefile (overrides cookie_path)"
    )
    logs.add_log_flags(parser)


def run(args: argparse.Namespace) -> int:
    logs.setup(
        "clonerefs", getattr(args, "log_format", "text"), text_format="%(name)s: %(message)s"
    )
    try:
        options = read_options("CLONEREFS_OPTIONS", CloneRefsOptions)
        if getattr(args, "cookiefile", None):
            options.cookie_path = args.cookiefile
        home = os.environ.get("TMPDIR", "/tmp")
        records = clone_all(options, home)
        write_records(options.log, records)
    except (UsageError, OSError) as error:
        print(f"clonerefs: {error}", file=sys.stderr)
        return 2
    for record in records:
        logger.info("%s: %s", record.refs["repo"], "failed" if record.failed else record.final_sha)
    return 0
