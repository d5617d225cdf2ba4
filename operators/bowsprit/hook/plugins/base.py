"""What a plugin is, what it is given, and how it describes itself for /plugin-help."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.hook.effects import Effect
from bowsprit.hook.events import (
    GenericCommentEvent,
    IssueEvent,
    PullRequestEvent,
    PushEvent,
    ReviewEvent,
)
from bowsprit.hook.plugins.owners.cache import OwnersCache
from bowsprit.jobpod.jobs import Job
from bowsprit.lib.clock import NewName, jitter


class GitHub(Protocol):
    """The GitHub reads plugins make (bowsprit.clients.github.GitHubClient has them)."""

    async def is_member(self, org: str, user: str) -> bool: ...
    async def is_collaborator(self, org: str, repo: str, user: str) -> bool: ...
    async def get_pull(self, org: str, repo: str, number: int) -> dict[str, Any]: ...
    async def list_pull_files(self, org: str, repo: str, number: int) -> list[str]: ...
    async def list_statuses(self, org: str, repo: str, ref: str) -> list[dict[str, Any]]: ...
    async def get_branch_sha(self, org: str, repo: str, branch: str) -> str: ...
    # hold, wip, dco, label, needs-rebase, require-matching-label
    async def list_labels(self, org: str, repo: str, number: int) -> list[str]: ...
    async def list_repo_labels(self, org: str, repo: str) -> list[str]: ...
    async def list_pull_commits(self, org: str, repo: str, number: int) -> list[dict[str, Any]]: ...
    async def team_has_member(self, org: str, team: str, user: str) -> bool: ...
    async def search_issues(self, query: str, org: str) -> list[dict[str, Any]]: ...
    # The owners plugins' reads (lgtm, approve, verify-owners, owners-label):
    async def list_issue_comments(
        self, org: str, repo: str, number: int
    ) -> list[dict[str, Any]]: ...
    async def list_reviews(self, org: str, repo: str, number: int) -> list[dict[str, Any]]: ...
    async def list_review_comments(
        self, org: str, repo: str, number: int
    ) -> list[dict[str, Any]]: ...
    async def list_pull_changes(self, org: str, repo: str, number: int) -> list[dict[str, Any]]: ...
    async def get_tree(self, org: str, repo: str, sha: str) -> list[dict[str, Any]]: ...
    async def get_blob_text(self, org: str, repo: str, sha: str) -> str: ...
    async def get_file_text(self, org: str, repo: str, path: str, ref: str) -> str | None: ...
    async def list_collaborators(self, org: str, repo: str) -> list[str]: ...
    async def get_commit_tree_sha(self, org: str, repo: str, sha: str) -> str: ...
    async def list_team_members(self, org: str, team_name: str) -> list[str] | None: ...
    async def list_issue_events(self, org: str, repo: str, number: int) -> list[dict[str, Any]]: ...
    # the everyday plugins' reads (size, assign, milestone, welcome)
    async def list_milestones(self, org: str, repo: str) -> list[dict[str, Any]]: ...
    async def graphql(
        self, query: str, variables: dict[str, Any], org: str | None = None
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Context:
    """What a handler gets for one event: GitHub reads, the repository's plugin settings
    and job definitions, where ProwJobs go, and the name seam."""

    github: GitHub
    config: PluginConfigSpec
    presubmits: tuple[Job, ...]
    postsubmits: tuple[Job, ...]
    bot: str
    namespace: str
    new_name: NewName
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # waits plugins make (tests: none)
    owners: OwnersCache = field(default_factory=OwnersCache)  # OWNERS files by commit
    # An index below n, at random: blunderbuss's picks (tests: a seeded generator).
    pick: Callable[[int], int] = field(default=lambda n: min(int(jitter() * n), n - 1))


@dataclass(frozen=True)
class Command:
    """One command a plugin understands, for the help page (Prow's pluginhelp.Command)."""

    usage: str
    description: str
    examples: tuple[str, ...]
    who_can_use: str
    featured: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "Usage": self.usage,
            "Featured": self.featured,
            "Description": self.description,
            "Examples": list(self.examples),
            "WhoCanUse": self.who_can_use,
        }


PullRequestHandler = Callable[[Context, PullRequestEvent], Awaitable[list[Effect]]]
CommentHandler = Callable[[Context, GenericCommentEvent], Awaitable[list[Effect]]]
PushHandler = Callable[[Context, PushEvent], Awaitable[list[Effect]]]
# A periodic look at one org or org/repo the plugin is on (needs-rebase's re-check).
ResyncHandler = Callable[[Context, str], Awaitable[list[Effect]]]
ReviewHandler = Callable[[Context, ReviewEvent], Awaitable[list[Effect]]]
IssueHandler = Callable[[Context, IssueEvent], Awaitable[list[Effect]]]


@dataclass(frozen=True)
class Plugin:
    name: str
    description: str
    config_help: str = ""
    commands: tuple[Command, ...] = ()
    on_pull_request: PullRequestHandler | None = None
    on_generic_comment: CommentHandler | None = None
    on_push: PushHandler | None = None
    on_review: ReviewHandler | None = None
    events: tuple[str, ...] = field(default=())
    on_resync: ResyncHandler | None = None
    on_issue: IssueHandler | None = None  # Prow's RegisterIssueHandler: `issues` webhooks

    def help_json(self) -> dict[str, Any]:
        """Prow's pluginhelp.PluginHelp, which deck renders."""
        return {
            "Description": self.description,
            "Config": {"": self.config_help} if self.config_help else {},
            "Events": list(self.events),
            "Commands": [command.to_json() for command in self.commands],
        }
