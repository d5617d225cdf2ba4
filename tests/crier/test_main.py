"""`bowsprit crier`'s flags: a reporter runs only when asked for, with what it needs."""

from __future__ import annotations

import pytest

from bowsprit.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "no reporter enabled"),
        (["--slack-workers", "1"], "--slack-workers needs --slack-webhook-url-file"),
        (["--github-workers", "1", "--github-app-id", "1"], "go together"),
        (["--github-workers", "1", "--github-token-path", "/absent"], "cannot read the GitHub"),
        (
            ["--slack-workers", "1", "--slack-webhook-url-file", "/absent"],
            "cannot read the Slack webhook URL",
        ),
    ],
)
def test_bad_flags_are_clear_errors(argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        main(["crier", *argv])
