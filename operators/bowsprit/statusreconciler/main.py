"""`bowsprit status-reconciler`: keep open pull requests' contexts in step with changes of
BlockingPresubmits and Presubmits (Prow's status-reconciler)."""

from __future__ import annotations

import argparse

from bowsprit.clients.github import GitHubClient, GitHubError, add_github_flags, settings_from_args
from bowsprit.clients.operator import add_operator_flags, run_operator
from bowsprit.statusreconciler.registry import Deps, build_registry


def _names(values: list[str] | None) -> frozenset[str]:
    return frozenset(name for value in values or [] for name in value.split(",") if name)


def add_flags(parser: argparse.ArgumentParser) -> None:
    add_operator_flags(parser)
    add_github_flags(parser)
    parser.add_argument(
        "--watch-namespace",
        default="",
        help="follow job definitions and PluginConfigs of this namespace only (default: all)",
    )
    # Prow's flags.
    parser.add_argument(
        "--denylist",
        action="append",
        default=None,
        help="org or org/repo where added jobs are not started (repeatable, or comma-separated)",
    )
    parser.add_argument(
        "--denylist-all",
        action="append",
        default=None,
        help="org or org/repo left entirely alone (repeatable, or comma-separated)",
    )
    parser.add_argument(
        "--continue-on-error",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="go on with a repository's other pull requests when one fails (default: on)",
    )
    parser.add_argument(
        "--debounce",
        type=float,
        default=2.0,
        help="seconds a repository waits after a change for more before it is reconciled, "
        "so one GitOps sync is one pass",
    )


def run(args: argparse.Namespace) -> int:
    try:
        github = GitHubClient(settings_from_args(args))
    except GitHubError as error:
        raise SystemExit(f"status-reconciler: {error}") from error
    deps = Deps.from_args(args)
    deps.github = github
    deps.bot_login = github.bot_login
    deps.closers.append(github.aclose)
    deps.watch_namespace = args.watch_namespace or None
    deps.denylist = _names(args.denylist)
    deps.denylist_all = _names(args.denylist_all)
    deps.continue_on_error = args.continue_on_error
    deps.debounce = max(args.debounce, 0.0)
    namespaces = [deps.watch_namespace] if deps.watch_namespace else None
    return run_operator(build_registry(), deps, args, namespaces=namespaces)
