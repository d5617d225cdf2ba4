"""`bowsprit status-reconciler`'s flags: Prow's names, lists repeatable or comma-separated."""

from __future__ import annotations

from bowsprit.cli import build_parser
from bowsprit.statusreconciler.main import _names


def test_flags() -> None:
    args = build_parser("status-reconciler").parse_args(
        [
            "status-reconciler",
            "--denylist",
            "org-a,org-b/repo",
            "--denylist",
            "org-c",
            "--denylist-all=org-d",
            "--no-continue-on-error",
            "--dry-run",
            "--watch-namespace",
            "ci",
            "--github-endpoint",
            "http://ghproxy:8888",
            "--github-endpoint",
            "https://api.github.com",
        ]
    )
    assert _names(args.denylist) == {"org-a", "org-b/repo", "org-c"}
    assert _names(args.denylist_all) == {"org-d"}
    assert _names(None) == frozenset()
    assert (args.continue_on_error, args.dry_run, args.watch_namespace) == (False, True, "ci")
    assert args.debounce == 2.0
