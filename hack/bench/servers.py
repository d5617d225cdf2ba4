"""What the benchmarks share: the API server they run against, and profiles of a process."""

from __future__ import annotations

import collections
import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from procstats import pin  # type: ignore[import-not-found]

from bowsprit.testing import envtest
from emulator import start_emulator  # type: ignore[import-not-found]


@dataclass
class APIServer:
    kubeconfig: Path
    pids: list[int]  # its processes (etcd and kube-apiserver, or the emulator)


@contextlib.contextmanager
def api_server(kind: str, folder: Path, cpus: set[int] | None = None) -> Iterator[Path]:
    """The emulator in its own process, or a real kube-apiserver from envtest; yields
    its kubeconfig."""
    with running_api_server(kind, folder, cpus) as server:
        yield server.kubeconfig


@contextlib.contextmanager
def running_api_server(
    kind: str, folder: Path, cpus: set[int] | None = None
) -> Iterator[APIServer]:
    """`api_server`, also telling its processes; with `cpus`, they run only there."""
    if kind == "envtest":
        assets = envtest.assets_dir()
        if assets is None:
            raise SystemExit("--api-server envtest needs KUBEBUILDER_ASSETS")
        plane = envtest.start(assets)
        try:
            pids = [process.pid for process in plane.processes]
            for pid in pids if cpus else []:
                pin(pid, cpus or set())
            yield APIServer(plane.kubeconfig, pids)
        finally:
            plane.stop()
        return
    emulator, _ = start_emulator(folder)
    if cpus:
        pin(emulator.pid, cpus)
    try:
        yield APIServer(folder / "kubeconfig", [emulator.pid])
    finally:
        emulator.terminate()
        emulator.wait(30)


class Profile:
    """py-spy sampling a running process (whichever thread holds the GIL: where its CPU
    goes), summarised as the functions seen most often on the stack (inclusive) and at
    its top (self)."""

    def __init__(self, pid: int, folder: Path) -> None:
        spy = shutil.which("py-spy")
        if spy is None:
            raise SystemExit("--profile needs py-spy (pip install -e '.[bench]')")
        self.output = folder / f"profile-{pid}.txt"
        self.process = subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--gil"]
            + ["--output", str(self.output), "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def summary(self, top: int = 20) -> str:
        self.process.send_signal(2)  # SIGINT: py-spy writes what it has and exits
        self.process.wait(60)
        inclusive: collections.Counter[str] = collections.Counter()
        own: collections.Counter[str] = collections.Counter()
        total = 0
        for line in self.output.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            samples = int(count)
            frames = [_short(frame) for frame in stack.split(";") if frame]
            if not frames:
                continue
            total += samples
            own[frames[-1]] += samples
            for frame in set(frames):
                inclusive[frame] += samples
        lines = [f"profile: {total} samples of the thread holding the GIL (200/s)", "  inclusive:"]
        lines += [f"    {n / total:5.1%}  {f}" for f, n in inclusive.most_common(top)]
        lines.append("  self:")
        lines += [f"    {n / total:5.1%}  {f}" for f, n in own.most_common(top)]
        return "\n".join(lines)


def _short(frame: str) -> str:
    """`function (path/to/module.py:12)` as `function (module.py)`."""
    name, _, where = frame.partition(" (")
    module = where.split(":")[0].rsplit("/", 1)[-1]
    return f"{name} ({module})" if module else name
