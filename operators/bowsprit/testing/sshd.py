"""A real OpenSSH server on loopback for tests of cloning over SSH: its own host key, one
authorised client key, serving the git repositories of this machine to the current user."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from pathlib import Path
from types import TracebackType

from bowsprit.testing.envtest import free_port
from bowsprit.testing.listening import wait_listening

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def available() -> bool:
    return Path(SSHD).exists() and shutil.which("ssh-keygen") is not None


def keygen(path: Path) -> str:
    """A new ed25519 key pair at `path` (mode 0600); returns the public key line."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(path)],
        check=True,
    )
    return Path(f"{path}.pub").read_text().strip()


class SSHServer:
    """`sshd -D` on 127.0.0.1 accepting `authorized` public keys for the current user."""

    def __init__(self, folder: Path, authorized: list[str]) -> None:
        self.folder, self.port, self.user = folder, free_port(), getpass.getuser()
        folder.mkdir(parents=True, exist_ok=True)
        self.host_public = keygen(folder / "host_key")
        (folder / "authorized_keys").write_text("\n".join(authorized) + "\n")
        self._process: subprocess.Popen[bytes] | None = None

    def known_hosts_line(self) -> str:
        """The server's key as a known_hosts entry (what ssh_host_fingerprints holds)."""
        key_type, key = self.host_public.split()[:2]
        return f"[127.0.0.1]:{self.port} {key_type} {key}"

    def url(self, path: Path) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{path}"

    def __enter__(self) -> SSHServer:
        config = self.folder / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {self.folder / 'host_key'}",
                    f"AuthorizedKeysFile {self.folder / 'authorized_keys'}",
                    f"PidFile {self.folder / 'sshd.pid'}",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "PermitRootLogin prohibit-password",
                    "StrictModes no",
                    "UsePAM no",
                ]
            )
            + "\n"
        )
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # its privilege separation dir
        with (self.folder / "sshd.log").open("wb") as log:  # sshd keeps its own copy
            self._process = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=log
            )
        wait_listening(
            self._process, self.port, "sshd", lambda: (self.folder / "sshd.log").read_text()
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
