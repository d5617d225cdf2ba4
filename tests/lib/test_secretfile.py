"""A token in a mounted Secret follows the Secret: read again after the kubelet's atomic
rewrite, the last good one kept when the new one is unusable, errors at start."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bowsprit.lib.secretfile import SecretFile, SecretFileError
from bowsprit.testing.secretvolume import write_secret


def test_a_rotated_secret_is_followed(tmp_path: Path) -> None:
    volume = write_secret(tmp_path / "poke", {"token": "first\n"})
    token = SecretFile(volume / "token").load()
    assert token() == "first"
    write_secret(volume, {"token": "second"})
    assert token() == "second"
    assert token() == "second"  # unchanged: no new read needed


def test_a_file_rewritten_in_place_is_followed(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("one")
    token = SecretFile(path).load()
    path.write_text("three")  # another size: what stat sees changes
    assert token() == "three"


def test_an_unusable_rewrite_keeps_the_last_good_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    volume = write_secret(tmp_path / "poke", {"token": "good"})
    token = SecretFile(volume / "token").load()
    with caplog.at_level(logging.WARNING):
        write_secret(volume, {"token": "  \n"})
        assert token() == "good"
        write_secret(volume, {"other": "x"})  # the key is gone
        assert token() == "good"
    assert "keeping its last token" in caplog.text
    write_secret(volume, {"token": "better"})
    assert token() == "better"


@pytest.mark.parametrize(
    ("content", "error"), [(None, "No such file"), ("", "is empty"), ("\n \n", "is empty")]
)
def test_an_unusable_file_at_start_is_an_error(
    tmp_path: Path, content: str | None, error: str
) -> None:
    path = tmp_path / "token"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SecretFileError, match=error):
        SecretFile(path).load()
