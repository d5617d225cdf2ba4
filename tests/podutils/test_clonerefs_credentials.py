"""clonerefs' clone credentials for real: SSH keys loaded file by file into an agent and used
against a real sshd, and GitHub App installation tokens minted from the fake GitHub."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bowsprit.api.refs import Refs
from bowsprit.jobpod.options import CloneRefsOptions
from bowsprit.podutils.clonerefs import clone_all
from bowsprit.podutils.sshkeys import key_files, parse_agent_output
from bowsprit.testing import sshd
from bowsprit.testing.fakegithub import FakeGitHub
from bowsprit.testing.gitrepos import Remote

needs_sshd = pytest.mark.skipif(
    not sshd.available() or not shutil.which("ssh-agent"), reason="OpenSSH server not installed"
)


def secret_volume(folder: Path, keys: dict[str, Path]) -> Path:
    """A folder laid out as Kubernetes mounts a secret: files behind `..data` links."""
    data = folder / "..2026_12_05_00_00_00.000000001"
    data.mkdir(parents=True)
    for name, key in keys.items():
        (data / name).write_bytes(key.read_bytes())
        (data / name).chmod(0o400)
    (folder / "..data").symlink_to(data.name)
    for name in keys:
        (folder / name).symlink_to(f"..data/{name}")
    return folder


@pytest.fixture
def ssh_setup(tmp_path: Path) -> Iterator[tuple[sshd.SSHServer, Path, Remote]]:
    keys = tmp_path / "keys"
    keys.mkdir()
    public = sshd.keygen(keys / "deploy")
    sshd.keygen(keys / "unrelated")  # a second key in the same secret
    volume = secret_volume(
        tmp_path / "secrets" / "ssh" / "deploy-keys",
        {"a-unrelated": keys / "unrelated", "deploy": keys / "deploy"},
    )
    remote = Remote(tmp_path / "git")
    remote.commit({"README": "over ssh\n"})
    with sshd.SSHServer(tmp_path / "sshd", [public]) as server:
        yield server, volume, remote


@needs_sshd
def test_ssh_keys_of_a_secret_folder_are_each_added_and_clone_over_ssh(
    tmp_path: Path, ssh_setup: tuple[sshd.SSHServer, Path, Remote]
) -> None:
    server, volume, remote = ssh_setup
    refs = Refs(org="org", repo="repo", base_ref="main", clone_uri=server.url(remote.bare))
    options = CloneRefsOptions(
        src_root=str(tmp_path / "go"),
        refs=[refs],
        key_files=[str(volume)],  # the folder, as decoration passes it
        host_fingerprints=[server.known_hosts_line()],
    )
    home = tmp_path / "home"
    home.mkdir()
    (record,) = clone_all(options, str(home))
    assert not record.failed, record.commands
    assert (tmp_path / "go/src/github.com/org/repo/README").read_text() == "over ssh\n"
    added = [command.command for command in record.commands if "ssh-add" in command.command]
    assert added == [f'ssh-add "{volume}/a-unrelated"', f'ssh-add "{volume}/deploy"']


@needs_sshd
def test_without_the_authorised_key_the_ssh_clone_fails(
    tmp_path: Path, ssh_setup: tuple[sshd.SSHServer, Path, Remote]
) -> None:
    server, volume, remote = ssh_setup
    (volume / "deploy").unlink()  # only the unrelated key is left
    refs = Refs(org="org", repo="repo", base_ref="main", clone_uri=server.url(remote.bare))
    options = CloneRefsOptions(
        src_root=str(tmp_path / "go"),
        refs=[refs],
        key_files=[str(volume)],
        host_fingerprints=[server.known_hosts_line()],
    )
    (record,) = clone_all(options, str(tmp_path))
    assert record.failed and "Permission denied" in record.commands[-1].output


def test_key_files_skip_kubernetes_data_links_and_agent_output_parses(tmp_path: Path) -> None:
    key = tmp_path / "k"
    key.write_text("x")
    volume = secret_volume(tmp_path / "v", {"id_rsa": key, "id_ed25519": key})
    assert [path.name for path in key_files(volume)] == ["id_ed25519", "id_rsa"]
    assert list(key_files(key)) == [key]
    output = (
        "SSH_AUTH_SOCK=/tmp/a/agent.1; export SSH_AUTH_SOCK;\n"
        "SSH_AGENT_PID=7; export SSH_AGENT_PID;\necho Agent pid 7;\n"
    )
    assert parse_agent_output(output) == {"SSH_AUTH_SOCK": "/tmp/a/agent.1", "SSH_AGENT_PID": "7"}


def test_a_github_app_token_is_minted_per_org_and_clones(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "app.pem"
    pem.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    remote = Remote(tmp_path / "git")
    remote.commit({"README": "with an app token\n"})
    tools = Remote(tmp_path / "tools", name="tools")
    tools.commit({"tool.txt": "t\n"})
    with FakeGitHub() as github:
        installation = github.add_installation("org")
        home = tmp_path / "home"
        home.mkdir()
        # The first token the fake issues: only a URL carrying it reaches the repository.
        token = f"ghs_{1:036d}"
        (home / ".gitconfig").write_text(
            f'[url "{remote.bare}"]\n'
            f"\tinsteadOf = https://x-access-token:{token}@github.com/org/repo.git\n"
            f'[url "{tools.bare}"]\n'
            f"\tinsteadOf = https://x-access-token:{token}@github.com/org/tools.git\n"
        )
        options = CloneRefsOptions(
            src_root=str(tmp_path / "go"),
            refs=[
                Refs(org="org", repo="repo", base_ref="main"),
                Refs(org="org", repo="tools", base_ref="main"),
            ],
            github_app_id="4242",
            github_app_private_key_file=str(pem),
            github_api_endpoints=[github.url],
        )
        records = clone_all(options, str(home))
        paths = [(request.method, request.path) for request in github.requests]
    assert [record.failed for record in records] == [False, False], records
    assert (tmp_path / "go/src/github.com/org/repo/README").exists()
    assert (tmp_path / "go/src/github.com/org/tools/tool.txt").exists()
    assert paths == [  # one token for the org, used for both
        ("GET", "/orgs/org/installation"),
        ("POST", f"/app/installations/{installation}/access_tokens"),
    ]
    assert token not in str(records)  # censored in the records
