"""`bowsprit tide`: merge pull requests of TidePools whose required jobs passed on the
current base, testing them in batches, as Prow's Tide does."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bowsprit.clients.github import (
    GitHubClient,
    GitHubError,
    add_github_flags,
    settings_from_args,
)
from bowsprit.clients.operator import add_operator_flags, run_operator
from bowsprit.tide.poke import read_token
from bowsprit.tide.registry import Deps, build_registry
from bowsprit.tide.trial import DEFAULT_URL_TEMPLATE, GitTrials


def add_flags(parser: argparse.ArgumentParser) -> None:
    add_operator_flags(parser)
    add_github_flags(parser)
    parser.add_argument(
        "--batch-merge-pause",
        type=float,
        default=5.0,
        help="seconds between the merges of a batch, so GitHub recomputes mergeability"
        " (Prow waits 5 s)",
    )
    parser.add_argument(
        "--git-url-template",
        default=DEFAULT_URL_TEMPLATE,
        help="where trial merges fetch a repository from ({org} and {repo} replaced);"
        " HTTPS fetches carry the GitHub token or the App's installation token",
    )
    parser.add_argument(
        "--git-work-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bowsprit-tide-git",
        help="folder of the clones trial merges use (one per repository, kept between syncs)",
    )
    parser.add_argument(
        "--poke-port",
        type=int,
        default=0,
        help="serve POST /poke on this port: hook's pokes start a sync at once (0: off)",
    )
    parser.add_argument(
        "--poke-token-file",
        type=Path,
        default=None,
        help="file holding the token /poke requires as 'Authorization: Bearer <token>'",
    )


def run(args: argparse.Namespace) -> int:
    try:
        github = GitHubClient(settings_from_args(args))
    except GitHubError as error:
        raise SystemExit(f"tide: {error}") from error
    deps = Deps.from_args(args)
    deps.github = github
    deps.merge_pause = args.batch_merge_pause
    deps.trials = GitTrials(args.git_work_dir, args.git_url_template)
    if args.poke_port:
        deps.poke_port = args.poke_port
        deps.poke_token = read_token(args.poke_token_file)
    return run_operator(build_registry(), deps, args)
