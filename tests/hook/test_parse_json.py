"""hook's webhook JSON parse: orjson's speed, json's acceptance."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bowsprit.hook.server import parse_json


@pytest.mark.parametrize(
    "body",
    [
        b'{"action": "opened", "number": 1, "ok": true, "none": null, "f": 1.5}',
        b'{"title": "caf\\u00e9 \\ud83d\\ude80", "list": [1, [2, {"x": []}]]}',
        # orjson refuses these; json (and so hook, before and now) takes them
        b'{"title": "half an emoji \\ud83d"}',
        '{"unicode": "\u00e9\u4e2d"}'.encode(),
    ],
)
def test_what_json_accepts_parses_the_same(body: bytes) -> None:
    expected: Any = json.loads(body)
    assert parse_json(body) == expected


@pytest.mark.parametrize("body", [b"", b"{", b"not json", b'{"a": 1,}', b"\xff\xfe"])
def test_what_json_refuses_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(body)
    with pytest.raises(ValueError):
        parse_json(body)


def test_integers_past_64_bits_become_floats() -> None:
    """The one difference from json: no GitHub id or number comes near 2**63."""
    assert parse_json(b'{"id": 9223372036854775807}') == {"id": 2**63 - 1}
    assert parse_json(b'{"id": 123456789012345678901234567890}') == {"id": 1.2345678901234568e29}
