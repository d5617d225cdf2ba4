"""Start a throwaway kube-apiserver + etcd from envtest binaries (KUBEBUILDER_ASSETS).

The same convention as controller-runtime's envtest: a folder holding `etcd`,
`kube-apiserver` and `kubectl`. The control plane listens on free loopback ports,
keeps its data in a temporary directory, and accepts one static admin token.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import yaml

ASSETS_VARIABLE = "KUBEBUILDER_ASSETS"
BINARIES = ("etcd", "kube-apiserver", "kubectl")


def assets_dir() -> Path | None:
    """The envtest folder named by KUBEBUILDER_ASSETS, if it holds every binary."""
    value = os.environ.get(ASSETS_VARIABLE)
    if not value:
        return None
    folder = Path(value)
    if all((folder / name).is_file() for name in BINARIES):
        return folder
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ControlPlane:
    """A running etcd + kube-apiserver; `stop()` ends both and removes their data."""

    assets: Path
    workdir: Path
    server: str
    token: str
    kubeconfig: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def kubectl(self) -> Path:
        return self.assets / "kubectl"

    def stop(self) -> None:
        # The API server's graceful shutdown waits for watches to drain; a throwaway
        # control plane has nothing to keep, so it gets a few seconds and is killed.
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start(assets: Path, timeout: float = 60.0) -> ControlPlane:
    """Start etcd and kube-apiserver and wait until /readyz answers ok."""
    workdir = Path(tempfile.mkdtemp(prefix="bowsprit-envtest-"))
    token = secrets.token_hex(16)
    certs = workdir / "certs"
    certs.mkdir()
    _service_account_keys(certs)
    (workdir / "tokens.csv").write_text(f'{token},admin,admin,"system:masters"\n')
    etcd_port, etcd_peer, api_port = free_port(), free_port(), free_port()
    server = f"https://127.0.0.1:{api_port}"
    plane = ControlPlane(
        assets=assets,
        workdir=workdir,
        server=server,
        token=token,
        kubeconfig=workdir / "kubeconfig",
    )
    logs = workdir / "logs"
    logs.mkdir()
    try:
        plane.processes.append(
            _spawn(
                [
                    str(assets / "etcd"),
                    f"--data-dir={workdir / 'etcd'}",
                    "--unsafe-no-fsync=true",
                    f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
                    f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
                    f"--listen-peer-urls=http://127.0.0.1:{etcd_peer}",
                    f"--initial-advertise-peer-urls=http://127.0.0.1:{etcd_peer}",
                    f"--initial-cluster=default=http://127.0.0.1:{etcd_peer}",
                ],
                logs / "etcd.log",
            )
        )
        plane.processes.append(
            _spawn(
                [
                    str(assets / "kube-apiserver"),
                    f"--etcd-servers=http://127.0.0.1:{etcd_port}",
                    "--bind-address=127.0.0.1",
                    "--advertise-address=127.0.0.1",
                    f"--secure-port={api_port}",
                    f"--cert-dir={certs}",
                    f"--token-auth-file={workdir / 'tokens.csv'}",
                    "--authorization-mode=RBAC",
                    f"--service-account-issuer={server}/",
                    f"--service-account-key-file={certs / 'sa.pub'}",
                    f"--service-account-signing-key-file={certs / 'sa.key'}",
                    "--service-cluster-ip-range=10.0.0.0/24",
                    "--allow-privileged=true",
                    "--disable-admission-plugins=ServiceAccount",
                ],
                logs / "kube-apiserver.log",
            )
        )
        _wait_ready(plane, timeout)
    except BaseException:
        plane.stop()
        raise
    ca = _serving_ca(certs / "apiserver.crt")
    plane.kubeconfig.write_text(yaml.safe_dump(kubeconfig_for(server, token, ca)))
    return plane


def kubeconfig_for(server: str, token: str, ca_pem: bytes) -> dict[str, object]:
    """A kubeconfig with one context: the server's CA and a bearer token."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "envtest",
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                },
            }
        ],
        "users": [{"name": "admin", "user": {"token": token}}],
        "contexts": [{"name": "envtest", "context": {"cluster": "envtest", "user": "admin"}}],
        "current-context": "envtest",
    }


def _serving_ca(bundle: Path) -> bytes:
    """The self-signed CA the API server wrote after its serving certificate (--cert-dir)."""
    marker = b"-----BEGIN CERTIFICATE-----"
    blocks = bundle.read_bytes().split(marker)
    return marker + blocks[-1]


def _spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def _service_account_keys(certs: Path) -> None:
    subprocess.run(
        ["openssl", "genrsa", "-out", str(certs / "sa.key"), "2048"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["openssl", "rsa", "-in", str(certs / "sa.key"), "-pubout", "-out", str(certs / "sa.pub")],
        check=True,
        capture_output=True,
    )


def _wait_ready(plane: ControlPlane, timeout: float) -> None:
    # The serving certificate does not exist until the server has started: poll
    # without verifying, the kubeconfig written afterwards verifies.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(
        f"{plane.server}/readyz", headers={"Authorization": f"Bearer {plane.token}"}
    )
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        for process in plane.processes:
            if process.poll() is not None:
                program = Path(cast(list[str], process.args)[0]).name
                raise RuntimeError(
                    f"{program} exited with {process.returncode}; logs in {plane.workdir}"
                )
        try:
            with urllib.request.urlopen(request, context=context, timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = str(error)
        time.sleep(0.2)
    raise TimeoutError(f"kube-apiserver not ready after {timeout}s: {last_error}")
