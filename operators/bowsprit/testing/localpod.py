"""Run a decorated pod's containers as local processes, as a kubelet would: init containers
one after another (stopping at the first failure), then the containers together.

Each volume is a folder under `root`; every path a container would see under a mount
(in its command, arguments, environment and working directory) is rewritten to that
folder. `bowsprit ...` commands run this interpreter's Bowsprit, so the pod utilities
are the real ones; images are not used.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class LocalPod:
    def __init__(
        self,
        pod_spec: dict[str, Any],
        root: Path,
        secrets: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """`secrets`: secret name → files, for the pod's secret volumes."""
        self.spec, self.root = pod_spec, root
        self.volumes: dict[str, Path] = {}
        for volume in pod_spec.get("volumes") or []:
            folder = root / "volumes" / volume["name"]
            folder.mkdir(parents=True, exist_ok=True)
            if "secret" in volume:
                files = (secrets or {}).get(volume["secret"]["secretName"], {})
                for name, content in files.items():
                    (folder / name).write_text(content)
            self.volumes[volume["name"]] = folder
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def _mapper(self, container: dict[str, Any]) -> Any:
        mounts = {
            mount["mountPath"]: str(self.volumes[mount["name"]])
            for mount in container.get("volumeMounts") or []
        }
        if not mounts:
            return lambda text: text
        alternatives = "|".join(re.escape(path) for path in sorted(mounts, key=len, reverse=True))
        # A mount path only where a path starts, and only whole path segments.
        pattern = re.compile(rf"(?<![\w./-])({alternatives})(?=/|\W|$)")
        return lambda text: pattern.sub(lambda match: mounts[match.group(1)], text)

    def argv(self, container: dict[str, Any]) -> list[str]:
        mapped = self._mapper(container)
        argv = [mapped(part) for part in [*container["command"], *(container.get("args") or [])]]
        if argv[0] == "bowsprit":
            return [sys.executable, "-m", "bowsprit", *argv[1:]]
        return argv

    def env(self, container: dict[str, Any]) -> dict[str, str]:
        mapped = self._mapper(container)
        home = self.root / "home" / container["name"]
        home.mkdir(parents=True, exist_ok=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
        env["TMPDIR"] = mapped("/tmp") if mapped("/tmp") != "/tmp" else str(home)
        for item in container.get("env") or []:
            env[item["name"]] = mapped(item.get("value", ""))
        return env

    def start(self, container: dict[str, Any]) -> subprocess.Popen[bytes]:
        mapped = self._mapper(container)
        workdir = mapped(container["workingDir"]) if container.get("workingDir") else None
        if workdir:
            Path(workdir).mkdir(parents=True, exist_ok=True)
        (self.root / "logs").mkdir(exist_ok=True)
        log = (self.root / "logs" / f"{container['name']}.log").open("wb")
        process = subprocess.Popen(
            self.argv(container),
            env=self.env(container),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.running[container["name"]] = process
        return process

    def output(self, name: str) -> str:
        return (self.root / "logs" / f"{name}.log").read_text(errors="replace")

    def run_init(self, timeout: float = 120) -> dict[str, int]:
        """Init containers in order; the first failure stops the pod, as in Kubernetes."""
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        codes = {}
        for container in self.spec.get("initContainers") or []:
            code = self.start(container).wait(timeout)
            codes[container["name"]] = code
            if code != 0:
                break
        return codes

    def start_containers(self) -> None:
        for container in self.spec["containers"]:
            self.start(container)

    def stop(self) -> None:
        """What the kubelet does when the pod is deleted: SIGTERM to every container."""
        for name in [container["name"] for container in self.spec["containers"]]:
            process = self.running.get(name)
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float | None = 120) -> dict[str, int]:
        codes = {}
        try:
            for container in self.spec["containers"]:
                codes[container["name"]] = self.running[container["name"]].wait(timeout)
        finally:
            for process in self.running.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()
        return codes
