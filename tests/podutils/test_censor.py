"""Censoring: every secret and its base64 form masked, in bounded memory."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from bowsprit.podutils.censor import censor_file, censor_stream, load_secrets, selected


def censored(text: bytes, secrets: list[bytes], buffer_size: int) -> bytes:
    out = io.BytesIO()
    censor_stream(io.BytesIO(text), out, secrets, buffer_size)
    return out.getvalue()


@pytest.mark.parametrize("buffer_size", [1, 7, 16, 64, 10 * 1024 * 1024])
def test_secrets_are_masked_even_across_chunk_boundaries(buffer_size: int) -> None:
    secrets = [b"hunter22", b"tok"]
    text = b"a hunter22 b hunter22hunter22 tok tokhunter22 end" * 5
    result = censored(text, secrets, buffer_size)
    assert result == text.replace(b"hunter22", b"********").replace(b"tok", b"***")
    assert len(result) == len(text)


def test_secret_files_give_values_and_base64_forms(tmp_path: Path) -> None:
    (tmp_path / "token").write_bytes(b"s3cr3t-value\n")
    (tmp_path / "short").write_bytes(b"ab")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "key").write_bytes(b"another-one")
    secrets = load_secrets([str(tmp_path)], minimum_length=4)
    assert b"s3cr3t-value" in secrets and b"s3cr3t-value\n" in secrets
    assert base64.b64encode(b"s3cr3t-value") in secrets and b"another-one" in secrets
    assert b"ab" not in secrets
    assert secrets == sorted(secrets, key=len, reverse=True)


def test_a_file_is_censored_in_place(tmp_path: Path) -> None:
    log = tmp_path / "build-log.txt"
    encoded = base64.b64encode(b"p4ssw0rd")
    log.write_bytes(b"login p4ssw0rd\nheader " + encoded + b"\n")
    censor_file(log, load_secrets([str(_secret(tmp_path, b"p4ssw0rd"))]), buffer_size=8)
    assert log.read_bytes() == b"login ********\nheader " + b"*" * len(encoded) + b"\n"
    assert [path.name for path in tmp_path.iterdir() if path.is_file()] == ["build-log.txt"]


def _secret(root: Path, value: bytes) -> Path:
    folder = root / "secret"
    folder.mkdir()
    (folder / "value").write_bytes(value)
    return folder


def test_include_and_exclude_globs_choose_artifacts() -> None:
    assert selected("junit.xml", None, None)
    assert selected("logs/a.txt", ["logs/*"], None) and not selected("b.txt", ["logs/*"], None)
    assert not selected("big.tar", None, ["*.tar"])
