"""`bowsprit sidecar`: wait for the test containers to finish, then upload what they left
(PROW-REFERENCE 3.5).

The result comes from the marker files entrypoint writes: SUCCESS when every code is 0,
ABORTED when one is 130 (or never appeared because the pod was stopped), else FAILURE.
A SIGTERM before the markers appear means the pod is going away: sidecar uploads what
there is at once and records ABORTED. Once uploading has begun it finishes, whatever
signals come.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from bowsprit.clients.artifacts import StorageError
from bowsprit.jobpod.options import SidecarOptions, WrapperOptions
from bowsprit.lib import logs
from bowsprit.lib.clock import utc_now
from bowsprit.podutils import censor, upload
from bowsprit.podutils.initupload import main_sha, read_records
from bowsprit.podutils.jobenv import Run, UsageError, read_options, read_run

logger = logging.getLogger("bowsprit.sidecar")
ABORTED, SKIPPED = 130, 1130
POLL_SECONDS = 0.5
CLONE_RECORDS = "clone.json"  # what clonerefs wrote, in the logs volume beside the markers


def read_marker(path: str) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    try:
        return int(text)
    except ValueError:
        return 1  # an unreadable code is a failure, never a pass


def result_of(codes: list[int | None]) -> str:
    """SUCCESS, FAILURE or ABORTED from the entries' exit codes (None: never finished)."""
    if any(code is None or code == ABORTED for code in codes):
        return "ABORTED"
    if all(code in (0, SKIPPED) for code in codes) and any(code == 0 for code in codes):
        return "SUCCESS"
    return "FAILURE"


def log_key(entry: WrapperOptions, several: bool) -> str:
    return f"{entry.container_name}-build-log.txt" if several else "build-log.txt"


def merged_metadata(entries: list[WrapperOptions]) -> dict[str, Any]:
    """What the tests wrote to their metadata.json files, merged (later entries win)."""
    metadata: dict[str, Any] = {}
    for entry in entries:
        try:
            found = json.loads(Path(entry.metadata_file).read_text())
        except (OSError, ValueError):
            continue
        if isinstance(found, dict):
            metadata.update(found)
    return metadata


def final_sha(entries: list[WrapperOptions]) -> str | None:
    if not entries:
        return None
    try:
        return main_sha(read_records(str(Path(entries[0].marker_file).parent / CLONE_RECORDS)))
    except (OSError, ValueError):
        return None


@dataclass
class Waiter:
    """Waits for every marker, or for a stop signal that arrives first."""

    entries: list[WrapperOptions]
    ignore_interrupts: bool
    stop: threading.Event

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        if self.ignore_interrupts:
            logger.info("signal %d ignored (upload_ignores_interrupts)", number)
            return
        logger.warning("signal %d before the test finished: uploading what there is", number)
        self.stop.set()

    def codes(self) -> list[int | None]:
        return [read_marker(entry.marker_file) for entry in self.entries]

    def wait(self) -> list[int | None]:
        while True:
            codes = self.codes()
            if all(code is not None for code in codes) or self.stop.is_set():
                break
            self.stop.wait(POLL_SECONDS)
        # From here on the upload finishes whatever arrives.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return codes


def censor_outputs(options: SidecarOptions, logs: list[Path], artifacts: list[Path]) -> None:
    settings = options.censoring_options
    if settings is None or not settings.secret_directories:
        return  # Prow always sends the options; only mounted secrets turn censoring on
    secrets = censor.load_secrets(settings.secret_directories, settings.minimum_secret_length or 0)
    size = settings.censoring_buffer_size or censor.DEFAULT_BUFFER
    roots = [Path(item) for item in options.gcs_options.items]
    for path in logs:
        censor.censor_file(path, secrets, size)
    for path in artifacts:
        relative = next(
            (path.relative_to(root).as_posix() for root in roots if path.is_relative_to(root)),
            path.name,
        )
        if censor.selected(relative, settings.include_directories, settings.exclude_directories):
            censor.censor_file(path, secrets, size)


def artifact_files(items: list[str]) -> list[tuple[str, Path]]:
    """(key, file) of everything under the upload items, as artifacts/<relative path>."""
    found = []
    for item in items:
        root = Path(item)
        if root.is_file():
            found.append((f"artifacts/{root.name}", root))
            continue
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file():
                found.append((f"artifacts/{path.relative_to(root).as_posix()}", path))
    return found


def prowjob_json(job: Run, result: str) -> dict[str, Any]:
    """The run as a ProwJob, from what the pod knows (JOB_SPEC)."""
    state = {"SUCCESS": "success", "FAILURE": "failure", "ABORTED": "aborted"}[result]
    return {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "ProwJob",
        "metadata": {"name": job.prowjob_id},
        "spec": job.spec.model_dump(mode="json", exclude_none=True),
        "status": {"state": state, "build_id": job.build_id},
    }


class Recorder(logging.Handler):
    """Keeps sidecar's own log for sidecar-logs.json."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.entries: list[dict[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.append(
            {"level": record.levelname.lower(), "msg": record.getMessage(), "component": "sidecar"}
        )

    def to_json(self) -> bytes:
        return "\n".join(json.dumps(entry) for entry in self.entries).encode() + b"\n"


def report(
    options: SidecarOptions, job: Run, codes: list[int | None], recorder: Recorder
) -> list[str]:
    """Censor, then upload logs, artifacts and finished.json; returns what was lost."""
    entries = options.entries
    several = len(entries) > 1
    logs = [(log_key(entry, several), Path(entry.process_log)) for entry in entries]
    present_logs = [(key, path) for key, path in logs if path.is_file()]
    artifacts = artifact_files(options.gcs_options.items)
    censor_outputs(options, [path for _, path in present_logs], [path for _, path in artifacts])
    result = result_of(codes)
    now = utc_now()
    metadata = merged_metadata(entries)
    done = upload.finished(now, result, job.spec, final_sha(entries), metadata)
    store = upload.store_for(options.gcs_options)
    uploads = [upload.Upload(key, path=path) for key, path in [*present_logs, *artifacts]]
    uploads += [
        upload.Upload("prowjob.json", upload.json_bytes(prowjob_json(job, result))),
        *upload.indexes(job, upload.storage_of(options.gcs_options), store),
        # finished.json last: readers take it to mean the run's files are all there.
        upload.Upload("finished.json", upload.json_bytes(done)),
    ]
    logger.info("result %s (exit codes %s); uploading %d objects", result, codes, len(uploads))
    uploads.insert(-1, upload.Upload("sidecar-logs.json", recorder.to_json()))
    return upload.upload_all(store, job, options.gcs_options, uploads)


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.description = "Wait for the test containers, then upload logs and artifacts."
    logs.add_log_flags(parser)


def run(args: argparse.Namespace) -> int:
    logs.setup("sidecar", getattr(args, "log_format", "text"), text_format=logs.UTILITY_TEXT)
    recorder = Recorder()
    logger.addHandler(recorder)
    try:
        options = read_options("SIDECAR_OPTIONS", SidecarOptions)
        job = read_run()
    except UsageError as error:
        print(f"sidecar: {error}", file=sys.stderr)
        return 2
    waiter = Waiter(options.entries, options.ignore_interrupts, threading.Event())
    waiter.install()
    logger.info("waiting for %d test container(s) to finish", len(options.entries))
    codes = waiter.wait()
    try:
        lost = report(options, job, codes, recorder)
    except (StorageError, OSError) as error:
        logger.error("reporting failed: %s", error)
        return 1
    if lost:
        logger.error("could not upload: %s", ", ".join(lost))
        return 1
    if options.entry_error and result_of(codes) != "SUCCESS":
        return 1
    return 0
