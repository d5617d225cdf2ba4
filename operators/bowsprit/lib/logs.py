"""Logging set-up shared by every component: `--log-format json|text`.

json writes one object per line with `ts` (RFC 3339, UTC), `level`, `component`, `object`
(the Kubernetes object a line is about, `namespace/name`, when known) and `message` (with
the traceback appended for exceptions), as DESIGN.md promises log collectors; text is for
people at a terminal. A line names its object with `logger.info(..., extra={"object": ...})`;
kopf's per-object loggers name theirs already (their `k8s_ref`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("json", "text")
TEXT = "%(asctime)s %(name)s %(levelname)s %(message)s"
UTILITY_TEXT = "%(name)s: %(message)s"  # the pod utilities: a pod log has its own times


def add_log_flags(parser: argparse.ArgumentParser, default: str = "text") -> None:
    parser.add_argument(
        "--log-format",
        choices=FORMATS,
        default=default,
        help=f"json: one JSON object per line (ts, level, component, object, message); "
        f"text: for people (default {default})",
    )


def object_of(record: logging.LogRecord) -> str:
    named = getattr(record, "object", None)
    if named:
        return str(named)
    ref = getattr(record, "k8s_ref", None)  # set by kopf's object loggers
    if isinstance(ref, dict) and ref.get("name"):
        namespace = ref.get("namespace")
        return f"{namespace}/{ref['name']}" if namespace else str(ref["name"])
    return ""


class JsonFormatter(logging.Formatter):
    def __init__(self, component: str) -> None:
        super().__init__()
        self.component = component

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message = f"{message}\n{self.formatException(record.exc_info)}"
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "component": self.component,
            "object": object_of(record),
            "message": message,
            "logger": record.name,
        }
        return json.dumps(line, ensure_ascii=False)


def setup(
    component: str,
    log_format: str = "text",
    level: int = logging.INFO,
    stream: TextIO | None = None,
    text_format: str = TEXT,
) -> None:
    """Route every logger (kopf's and the libraries' too) through one handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter(component))
    else:
        handler.setFormatter(logging.Formatter(text_format))
    # Neither format shows the thread or the process, and every record would look them
    # up (the multiprocessing one costs most): hook logs a line per ProwJob it creates.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
