"""HMAC secrets in Prow's formats, token choice by org/repo, signature checks, reloads."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bowsprit.hook.tokens import (
    TokenFileError,
    parse_tokens,
    signature_valid,
    token_file,
    tokens_for,
)
from bowsprit.lib.secretfile import SecretFileError
from bowsprit.testing.fakegithub import sign

PROW_FILE = """
'*':
  - value: global-old
    created_at: 2019-10-02T15:00:00Z
  - value: global-new
    created_at: 2020-10-02T15:00:00Z
acme:
  - value: acme-token
    created_at: 2020-10-02T15:00:00Z
acme/rocket:
  - value: rocket-token
    created_at: 2020-10-02T15:00:00Z
"""


def test_prow_map_format() -> None:
    tokens = parse_tokens(PROW_FILE)
    assert tokens == {
        "*": (b"global-old", b"global-new"),
        "acme": (b"acme-token",),
        "acme/rocket": (b"rocket-token",),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("legacy-token\n", {"*": (b"legacy-token",)}),
        ("  spaced token  ", {"*": (b"spaced token",)}),
        ("{not: [yaml", {"*": (b"{not: [yaml",)}),  # a raw token need not be YAML
    ],
    ids=["plain", "trimmed", "not-yaml"],
)
def test_legacy_single_token(text: str, expected: dict[str, tuple[bytes, ...]]) -> None:
    assert parse_tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the HMAC secret file is empty"),
        ("   \n", "the HMAC secret file is empty"),
        ("acme: token", "acme: expected a list of {value, created_at}"),
        ("acme: []", "acme: expected a list of {value, created_at}"),
        ("acme: [{created_at: x}]", "acme: every entry needs a non-empty value"),
        ("acme: [{value: ''}]", "acme: every entry needs a non-empty value"),
    ],
    ids=["empty", "blank", "not-a-list", "no-entries", "no-value", "empty-value"],
)
def test_unusable_files_are_errors(text: str, message: str) -> None:
    with pytest.raises(TokenFileError, match=f"^{re.escape(message)}$"):
        parse_tokens(text)


@pytest.mark.parametrize(
    ("org", "repo", "expected"),
    [
        ("acme", "rocket", (b"rocket-token",)),
        ("acme", "anvil", (b"acme-token",)),
        ("other", "thing", (b"global-old", b"global-new")),
        (None, None, (b"global-old", b"global-new")),
        ("acme", None, (b"acme-token",)),
    ],
    ids=["repo-level", "org-level", "global", "no-repo-in-payload", "org-only-payload"],
)
def test_most_specific_level_wins(
    org: str | None, repo: str | None, expected: tuple[bytes, ...]
) -> None:
    assert tokens_for(parse_tokens(PROW_FILE), org, repo) == expected


BODY = b'{"zen": "Design for failure."}'


@pytest.mark.parametrize(
    ("signature", "valid"),
    [
        (sign(b"global-new", BODY), True),
        (sign(b"global-old", BODY), True),  # rotation: both tokens are accepted
        (sign(b"acme-token", BODY), False),  # another level's token
        (sign(b"global-new", BODY + b" "), False),
        ("sha1=" + sign(b"global-new", BODY)[7:], False),
        ("sha256=", False),
        ("sha256=zz\u00e9", False),
        ("", False),
    ],
    ids=["new", "old", "wrong-level", "other-body", "sha1", "empty-digest", "garbage", "none"],
)
def test_signatures(signature: str, valid: bool) -> None:
    candidates = tokens_for(parse_tokens(PROW_FILE), "other", "repo")
    assert signature_valid(candidates, BODY, signature) is valid


def test_no_tokens_accept_nothing() -> None:
    assert not signature_valid((), BODY, sign(b"", BODY))


def _rewrite(path: Path, text: str) -> None:
    """Replace the file as a Kubernetes secret update does: a new file swapped in."""
    fresh = path.with_suffix(".new")
    fresh.write_text(text)
    os.replace(fresh, path)


def test_file_is_reread_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "hmac"
    path.write_text("first")
    tokens = token_file(path)
    assert tokens() == {"*": (b"first",)}
    _rewrite(path, PROW_FILE)
    assert tokens()["acme"] == (b"acme-token",)


def test_a_broken_or_missing_file_keeps_the_last_tokens(tmp_path: Path) -> None:
    path = tmp_path / "hmac"
    path.write_text(PROW_FILE)
    tokens = token_file(path)
    _rewrite(path, "acme: not-a-list")
    assert tokens()["acme"] == (b"acme-token",)
    path.unlink()
    assert tokens()["acme"] == (b"acme-token",)
    path.write_text("back")
    assert tokens() == {"*": (b"back",)}


def test_an_unusable_file_at_start_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SecretFileError, match="missing"):
        token_file(tmp_path / "missing")
    (tmp_path / "empty").write_text("")
    with pytest.raises(SecretFileError, match="the HMAC secret file is empty"):
        token_file(tmp_path / "empty")
