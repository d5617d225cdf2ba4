"""A fake GitHub with Prow's lgtm/approve test scene, and a real client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.hook.plugins.base import Context
from bowsprit.testing.fakegithub import FakeGitHub

BOT = "k8s-ci-robot"
BASE, HEAD = "a" * 40, "0bd3ed50c88cd53a09316bf7a298f900e9371652"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(bot=BOT) as fake:
        fake.add_repo("org", "repo", {"master": BASE})
        fake.add_pull("org/repo", 5, "author", HEAD, base="master", files=["doc/README.md"])
        for login in ("collab1", "collab2"):
            fake.add_collaborator("org/repo", login)
        # Prow's lgtm_test approvers/reviewers of doc/README.md, as an OWNERS file.
        owners = "approvers: [cjwagner, jessica]\nreviewers: [alice, bob, mark, sam]\n"
        fake.git.set_files("org/repo", BASE, {"doc/OWNERS": owners, "doc/README.md": ""})
        yield fake


@pytest.fixture
async def client(github: FakeGitHub, tmp_path: Path) -> AsyncIterator[GitHubClient]:
    (tmp_path / "token").write_text("t")
    made = GitHubClient(GitHubSettings(base_url=github.url, token_path=tmp_path / "token"))
    yield made
    await made.aclose()


def context(client: GitHubClient, plugin: str, **spec: Any) -> Context:
    config = PluginConfigSpec.model_validate({"repos": ["org"], "plugins": [plugin], **spec})
    return Context(client, config, (), (), BOT, "ci", lambda: "name")
