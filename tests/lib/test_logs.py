"""--log-format: one JSON object per line with ts, level, component, object, message."""

from __future__ import annotations

import argparse
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bowsprit.cli import build_parser
from bowsprit.lib import logs


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_the_promised_fields() -> None:
    out = io.StringIO()
    logs.setup("plank", "json", stream=out)
    log = logging.getLogger("bowsprit.plank")
    log.info("started %s", "pj-1", extra={"object": "ci/pj-1"})
    log.warning("no object here")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("failed")
    kopf_like = logging.LoggerAdapter(log, {"k8s_ref": {"namespace": "ci", "name": "pj-2"}})
    kopf_like.info("from kopf")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [set(line) for line in lines] == [
        {"ts", "level", "component", "object", "message", "logger"}
    ] * 4
    first, second, third, fourth = lines
    assert (first["level"], first["component"], first["object"], first["message"]) == (
        "info",
        "plank",
        "ci/pj-1",
        "started pj-1",
    )
    assert first["ts"].endswith("+00:00") and "T" in first["ts"]
    assert (second["level"], second["object"]) == ("warning", "")
    assert (
        third["message"].startswith("failed\nTraceback")
        and "RuntimeError: boom" in third["message"]
    )
    assert fourth["object"] == "ci/pj-2"


def test_text_is_for_people() -> None:
    out = io.StringIO()
    logs.setup("hook", "text", stream=out)
    logging.getLogger("bowsprit.hook").info("serving")
    assert out.getvalue().rstrip().endswith("bowsprit.hook INFO serving")


@pytest.mark.parametrize(
    "command",
    ["plank", "sinker", "horologium", "crier", "hook", "clonerefs", "initupload", "sidecar"],
)
def test_every_component_takes_the_flag(command: str) -> None:
    required = {"hook": ["--hmac-secret-file", "x"]}.get(command, [])
    args: argparse.Namespace = build_parser(command).parse_args(
        [command, "--log-format", "json", *required]
    )
    assert args.log_format == "json"
    with pytest.raises(SystemExit):
        build_parser(command).parse_args([command, "--log-format", "xml", *required])
