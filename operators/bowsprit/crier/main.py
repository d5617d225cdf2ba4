"""`bowsprit crier`: report ProwJob states to GitHub (statuses, failure comments) and Slack."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path

from bowsprit.clients.github import (
    GitHubClient,
    GitHubError,
    add_github_flags,
    settings_from_args,
)
from bowsprit.clients.operator import add_operator_flags, run_operator
from bowsprit.clients.slack import SlackError, SlackWebhook, read_webhook_url
from bowsprit.crier.registry import Deps, build_registry
from bowsprit.crier.report import GitHubReporter, Reporter, SlackReporter


def add_flags(parser: argparse.ArgumentParser) -> None:
    add_operator_flags(parser)
    add_github_flags(parser)
    # Prow's flags: a reporter runs only with workers; 0 turns it off.
    parser.add_argument(
        "--github-workers", type=int, default=0, help="GitHub reporter workers (0: off)"
    )
    parser.add_argument(
        "--slack-workers", type=int, default=0, help="Slack reporter workers (0: off)"
    )
    parser.add_argument(
        "--slack-webhook-url-file",
        type=Path,
        default=None,
        help="file holding the Slack incoming-webhook URL (a mounted secret)",
    )


def run(args: argparse.Namespace) -> int:
    if args.github_workers <= 0 and args.slack_workers <= 0:
        raise SystemExit("crier: no reporter enabled (--github-workers, --slack-workers)")
    if args.slack_workers > 0 and args.slack_webhook_url_file is None:
        raise SystemExit("crier: --slack-workers needs --slack-webhook-url-file")
    reporters: list[tuple[Reporter, int]] = []
    closers: list[Callable[[], Awaitable[None]]] = []
    try:
        if args.github_workers > 0:
            github = GitHubClient(settings_from_args(args))
            reporters.append((GitHubReporter(github), args.github_workers))
            closers.append(github.aclose)
        if args.slack_workers > 0:
            slack = SlackWebhook(read_webhook_url(args.slack_webhook_url_file))
            reporters.append((SlackReporter(slack), args.slack_workers))
            closers.append(slack.aclose)
    except (GitHubError, SlackError) as error:
        raise SystemExit(f"crier: {error}") from error
    deps = Deps.from_args(args)
    deps.closers = closers
    deps.reporters = reporters
    config = deps.prow_config()
    # crier watches the ProwJobs' namespace and its config's only (least privilege).
    namespaces = sorted({deps.config_namespace, config.prowjob_namespace})
    return run_operator(build_registry(), deps, args, namespaces=namespaces)
