"""`bowsprit initupload`: record a run's start (PROW-REFERENCE 3.3).

Uploads started.json, the clone log and records, and the latest-build/alias indexes. When
a clone failed, the run ends here: the clone log becomes build-log.txt, finished.json
says FAILURE, and a non-zero exit fails the pod before the test starts.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from bowsprit.clients.artifacts import StorageError
from bowsprit.jobpod.options import InitUploadOptions
from bowsprit.lib import logs
from bowsprit.lib.clock import utc_now
from bowsprit.podutils import upload
from bowsprit.podutils.jobenv import UsageError, read_options, read_run

logger = logging.getLogger("bowsprit.initupload")
Record = dict[str, Any]


def read_records(path: str) -> list[Record]:
    if not path:
        return []
    records = json.loads(Path(path).read_text())
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a list of clone records")
    return records


def clone_log(records: list[Record]) -> str:
    """The clone records as a reader wants them: each command with its output."""
    lines = []
    for record in records:
        refs = record.get("refs", {})
        lines.append(f"Cloning {refs.get('org')}/{refs.get('repo')} at {refs.get('base_ref')}")
        for command in record.get("commands", []):
            lines.append(f"$ {command.get('command')}")
            if command.get("output"):
                lines.append(command["output"].rstrip("\n"))
            if command.get("error"):
                lines.append(f"# error: {command['error']}")
        outcome = "failed" if record.get("failed") else f"final SHA {record.get('final_sha')}"
        lines.append(f"# {outcome}\n")
    return "\n".join(lines)


def main_sha(records: list[Record]) -> str | None:
    """The main repository's tested SHA (its record comes first)."""
    if not records or not isinstance(records[0], dict):
        return None
    return str(records[0].get("final_sha") or "") or None


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.description = "Upload started.json and the clone records (INITUPLOAD_OPTIONS)."
    logs.add_log_flags(parser)


def run(args: argparse.Namespace) -> int:
    logs.setup(
        "initupload", getattr(args, "log_format", "text"), text_format="%(name)s: %(message)s"
    )
    try:
        options = read_options("INITUPLOAD_OPTIONS", InitUploadOptions)
        job = read_run()
        records = read_records(options.log)
        store = upload.store_for(options)
    except (UsageError, StorageError, OSError, ValueError) as error:
        print(f"initupload: {error}", file=sys.stderr)
        return 2
    now = utc_now()
    sha = main_sha(records)
    failed = any(record.get("failed") for record in records)
    log = clone_log(records).encode()
    uploads = [
        upload.Upload("started.json", upload.json_bytes(upload.started(job.spec, now, sha))),
        *upload.indexes(job, upload.storage_of(options), store),
    ]
    if records:
        uploads += [
            upload.Upload("clone-log.txt", log),
            upload.Upload("clone-records.json", json.dumps(records, indent=2).encode()),
        ]
    if failed:
        result = upload.finished(now, "FAILURE", job.spec, sha, {})
        uploads += [
            upload.Upload("build-log.txt", log),
            upload.Upload("finished.json", upload.json_bytes(result)),
        ]
    lost = upload.upload_all(store, job, options, uploads)
    if lost:
        logger.error("could not upload: %s", ", ".join(lost))
        return 1
    if failed:
        logger.error("a clone failed; the test does not run (see clone-log.txt)")
        return 1
    return 0
