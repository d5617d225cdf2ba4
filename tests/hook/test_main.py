"""`bowsprit hook` refuses unusable secret files with one clear line, before connecting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bowsprit.cli import main


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "No such file"), ("", "empty"), ("acme: token", "expected a list")],
    ids=["missing", "empty", "malformed"],
)
def test_unusable_hmac_secret_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "hmac"
    if content is not None:
        path.write_text(content)
    assert main(["hook", "--hmac-secret-file", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("bowsprit hook: --hmac-secret-file: ") and message in error
    assert "Traceback" not in error


def test_hook_flags_keep_prows_names(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["hook", "--help"])
    usage = capsys.readouterr().out
    for flag in (
        "--port",
        "--hmac-secret-file",
        "--github-endpoint",
        "--github-token-path",
        "--github-app-id",
        "--github-app-private-key-path",
        "--dry-run",
        "--kubeconfig",
    ):
        assert flag in usage
