"""`bowsprit local` (the README's first command): the echo-hi periodic runs to success on
this machine, decorated, its build log in the work folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "examples"


def test_the_example_periodic_runs_locally(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bowsprit",
            "local",
            str(EXAMPLES / "periodic-echo-hi.yaml"),
            "--exit-after",
            "1",
            "--work-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "echo-hi" in result.stdout and "success  Job succeeded." in result.stdout
    (log,) = (tmp_path / "artifacts" / "logs" / "echo-hi").glob("*/build-log.txt")
    assert log.read_text() == "hi\n"
    finished = (log.parent / "finished.json").read_text()
    assert '"result": "SUCCESS"' in finished
    for operator in ("plank", "horologium", "sinker"):
        assert "Traceback" not in (tmp_path / "logs" / f"{operator}.log").read_text()
