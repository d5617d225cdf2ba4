"""The quick read of pull_request webhooks (hook/quickparse.py) against the full parse it
stands in for: whenever it answers, it says what the full parse says (repository, action,
typed events); whatever the full parse refuses, it leaves to the full parse."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from bowsprit.hook import events, quickparse
from bowsprit.hook.server import parse_json
from bowsprit.testing.fakegithub import webhook_samples

SAMPLES = [s for s in webhook_samples() if s.event == "pull_request"]


def full(body: bytes) -> Any:
    """What hook made of a body before the quick read: (org, repo, action, events), or
    the kind of refusal."""
    try:
        payload = parse_json(body)
    except (ValueError, RecursionError):
        return "not JSON"
    org, repo = events.repo_of(payload)
    try:
        parsed = events.parse("pull_request", "guid", payload)
    except events.BadPayload:
        return "bad payload"
    return org, repo, payload.get("action", ""), parsed


def quick(body: bytes) -> Any:
    found = quickparse.pull_request("guid", body)
    return None if found is None else (found.org, found.repo, found.action, found.events)


def test_there_are_samples() -> None:
    assert len(SAMPLES) > 10


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_every_sample_is_read_quickly_and_the_same(sample: Any) -> None:
    assert quick(sample.body) == full(sample.body)


def _sample() -> dict[str, Any]:
    opened = next(s for s in SAMPLES if "opened" in s.name)
    loaded: dict[str, Any] = json.loads(opened.body)
    return loaded


def _set(path: str, value: Any) -> bytes:
    """The opened sample with the field at `path` (dots) set to `value`; `...` drops it."""
    payload = _sample()
    *parents, last = path.split(".")
    target = payload
    for key in parents:
        target = target[key]
    if value is ...:
        target.pop(last, None)
    else:
        target[last] = value
    return json.dumps(payload).encode()


OPENED = json.dumps(_sample()).encode()


@pytest.mark.parametrize(
    "body",
    [
        _set("action", ...),
        _set("action", 1),
        _set("pull_request.number", "1"),
        _set("pull_request.number", True),
        _set("pull_request.number", 1.0),
        _set("pull_request.number", 2**64),  # orjson: a float, so refused
        _set("pull_request.number", -(2**63) - 1),
        _set("pull_request.head", "main"),
        _set("pull_request.head.sha", None),
        _set("pull_request.base.repo", None),
        _set("pull_request.base.repo", {}),
        _set("pull_request.base.repo.full_name", 5),
        _set("pull_request.title", None),
        _set("pull_request.draft", None),
        _set("pull_request.draft", "yes"),
        _set("pull_request.mergeable", True),
        _set("pull_request.labels", [{"name": "lgtm"}, {"id": 1}]),
        _set("pull_request.labels", {"name": "lgtm"}),
        _set("pull_request.assignees", [{"login": "a"}, {"login": "b"}]),
        _set("pull_request.assignees", [None]),
        _set("pull_request.user.type", "Bot"),
        _set("pull_request.user.html_url", 3),
        _set("pull_request.body", "/test all\nplease"),
        _set("repository.full_name", ...),  # repo_of falls back on the organization
        _set("repository.full_name", "noslash"),
        _set("repository.full_name", "/"),
        _set("repository.owner", {"name": "octocat"}),
        _set("sender", "octocat"),
        _set("label", {"name": "ok-to-test"}),
        _set("label", {"color": "red"}),
        _set("changes", {"base": {"ref": {"from": "dev"}}}),
        _set("changes", {}),
        _set("changes", []),
        _set("installation", [1e999]),  # json takes infinity, orjson not, msgspec skips it
        OPENED.replace(b'"action"', b'"junk": NaN, "action"', 1),
        OPENED.replace(b'"action"', b'"junk": "\xff", "action"', 1),  # not UTF-8
        OPENED.replace(b'"action"', b'"junk": "\xed\xa0\x80", "action"', 1),  # a surrogate
        OPENED.replace(b'"action"', b'"junk": "\\ud800", "action"', 1),  # a lone escape
        OPENED.replace(b'"action"', b'"junk": "caf\xc3\xa9", "action"', 1),  # UTF-8, fine
        OPENED.replace(b'"action"', b'"junk": [1,,2], "action"', 1),
        OPENED.replace(b'"action"', b'"junk": ' + b"[" * 1100 + b"]" * 1100 + b', "action"', 1),
        OPENED.replace(b'"action"', b'"action": "closed", "action"', 1),  # the last one wins
        OPENED + b" trailing",
        b"[]",
        b"",
        "\ufeff".encode() + OPENED,
        OPENED.decode().encode("utf-16"),
    ],
)
def test_what_the_full_parse_says_or_nothing(body: bytes) -> None:
    expected = full(body)
    found = quick(body)
    if isinstance(expected, str):  # refused: the full parse must say so
        assert found is None
    else:
        assert found in (None, expected)


def test_the_quick_read_is_taken_for_ordinary_variants() -> None:
    for body in (
        _set("pull_request.labels", [{"name": "lgtm"}]),
        _set("label", {"name": "ok-to-test"}),
        _set("changes", {"base": {"ref": {"from": "dev"}}}),
        OPENED.replace(b'"action"', b'"junk": "caf\xc3\xa9", "action"', 1),
    ):
        assert quick(body) is not None
        assert quick(body) == full(body)


def _mutations(payload: Any, rng: random.Random) -> Any:
    """The payload with one value somewhere replaced by a value of a random type."""
    replacements = [None, True, 0, -1, 1.5, "", "x", [], [{}], {}, {"login": "x", "name": "y"}]
    target = payload
    while True:
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if not keys:
            return payload
        key = rng.choice(keys)
        child = target[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.75:
            target = child
            continue
        target[key] = rng.choice(replacements)
        return payload


def test_random_changes_anywhere_read_the_same_or_fall_back() -> None:
    rng = random.Random(15)
    taken = 0
    for _ in range(600):
        body = json.dumps(_mutations(_sample(), rng)).encode()
        expected, found = full(body), quick(body)
        if isinstance(expected, str):
            assert found is None, body
        else:
            assert found in (None, expected), body
            taken += found is not None
    assert taken > 300  # most changes touch fields no one reads: still the quick read
