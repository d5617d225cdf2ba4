"""Where GitHub is and how to log in: the settings, and Prow's flags that fill them."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitHubSettings:
    """Where GitHub is and how to log in; built from flags by `settings_from_args`."""

    base_url: str = "https://api.github.com"
    token_path: Path | None = None
    app_id: str | None = None
    app_private_key_path: Path | None = None
    max_attempts: int = 6
    """Tries of one request, the first included, before GitHubError."""
    backoff_base: float = 1.0
    """Seconds before the first retry of a 5xx or connection error; doubles each time."""
    backoff_max: float = 60.0
    max_rate_limit_wait: float = 3600.0
    """Longest wait for a rate limit to reset before giving up with GitHubError."""
    timeout: float = 30.0
    fallback_urls: tuple[str, ...] = ()
    """Further endpoints, tried in order when one cannot be reached or answers 5xx."""


def add_github_flags(parser: argparse.ArgumentParser) -> None:
    """Prow's GitHub flags, with its names."""
    parser.add_argument(
        "--github-endpoint",
        action="append",
        default=None,
        help="GitHub API base URL (repeatable, as in Prow: the first is used, the next "
        "when it fails, e.g. ghproxy then GitHub). Default https://api.github.com",
    )
    parser.add_argument("--github-token-path", type=Path, default=None, help="file of a token")
    parser.add_argument("--github-app-id", default=None, help="GitHub App ID (App auth)")
    parser.add_argument(
        "--github-app-private-key-path",
        type=Path,
        default=None,
        help="file of the GitHub App's PEM private key (App auth)",
    )


def settings_from_args(args: argparse.Namespace) -> GitHubSettings:
    if bool(args.github_app_id) != bool(args.github_app_private_key_path):
        raise SystemExit("--github-app-id and --github-app-private-key-path go together")
    if args.github_app_id and args.github_token_path:
        raise SystemExit("--github-token-path and --github-app-id are mutually exclusive")
    endpoints = args.github_endpoint or ["https://api.github.com"]
    return GitHubSettings(
        base_url=endpoints[0],
        token_path=args.github_token_path,
        app_id=args.github_app_id,
        app_private_key_path=args.github_app_private_key_path,
        fallback_urls=tuple(endpoints[1:]),
    )
