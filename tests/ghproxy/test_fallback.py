"""The GitHub layer with several --github-endpoints (ghproxy first, GitHub second, as the
chart would point components): when the first cannot be reached or answers 5xx, the next
one answers; a 4xx of the first is GitHub's answer and is not asked again elsewhere."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bowsprit.clients.github import (
    GitHubClient,
    GitHubError,
    GitHubSettings,
    add_github_flags,
    settings_from_args,
)
from bowsprit.testing.envtest import free_port
from bowsprit.testing.fakegithub import FakeGitHub, Fault

HEAD = "b" * 40


def test_every_endpoint_flag_is_kept() -> None:
    parser = argparse.ArgumentParser()
    add_github_flags(parser)
    args = parser.parse_args(
        ["--github-endpoint", "http://ghproxy:8888", "--github-endpoint", "https://api.github.com"]
    )
    settings = settings_from_args(args)
    assert settings.base_url == "http://ghproxy:8888"
    assert settings.fallback_urls == ("https://api.github.com",)


def settings(first: str, second: str, token: Path) -> GitHubSettings:
    token.write_text("t\n")
    return GitHubSettings(base_url=first, fallback_urls=(second,), token_path=token, max_attempts=1)


async def test_an_unreachable_first_endpoint_falls_back(tmp_path: Path) -> None:
    with FakeGitHub() as github:
        github.add_repo("org", "repo")
        github.add_pull("org/repo", 1, "alice", HEAD)
        dead = f"http://127.0.0.1:{free_port()}"
        client = GitHubClient(settings(dead, github.url, tmp_path / "token"))
        try:
            assert (await client.get_pull("org", "repo", 1))["head"]["sha"] == HEAD
        finally:
            await client.aclose()


async def test_a_5xx_falls_back_and_a_4xx_does_not(tmp_path: Path) -> None:
    with FakeGitHub() as first, FakeGitHub() as second:
        for fake in (first, second):
            fake.add_repo("org", "repo")
            fake.add_pull("org/repo", 1, "alice", HEAD)
        client = GitHubClient(settings(first.url, second.url, tmp_path / "token"))
        try:
            first.fail(Fault("GET", "/repos/org/repo/pulls/1", 502))
            assert (await client.get_pull("org", "repo", 1))["number"] == 1
            assert [r.path for r in second.requests] == ["/repos/org/repo/pulls/1"]
            with pytest.raises(GitHubError) as refused:
                await client.get_pull("org", "repo", 2)  # 404 from the first
            assert refused.value.status == 404
            assert len(second.requests) == 1
        finally:
            await client.aclose()
