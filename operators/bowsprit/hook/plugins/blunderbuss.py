"""The blunderbuss plugin: on a newly opened (or ready for review) pull request, and on
`/auto-cc`, request reviews from OWNERS reviewers of the touched files, approvers filling
in unless exclude_approvers, at most max_request_count, skipping users whose GitHub status
says they are busy with use_status_availability (Prow's pkg/plugins/blunderbuss and
pkg/reviewer).

Reviewers are chosen at random as Prow's are (the Context's `pick`; tests seed it)."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bowsprit.api.pluginconfig import BlunderbussSettings, OwnersSettings
from bowsprit.clients.github import GitHubError
from bowsprit.hook.effects import Effect, RequestReview
from bowsprit.hook.events import GenericCommentEvent, PullRequest, PullRequestEvent, parse_pull
from bowsprit.hook.plugins.assign import CC_RE
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.owners.repoowners import Layered

logger = logging.getLogger("bowsprit.hook.blunderbuss")

AUTO_CC_RE = re.compile(r"(?mi)^/auto-cc\s*$", re.ASCII)
DEFAULT_REQUEST_COUNT = 2
Pick = Callable[[int], int]  # an index below n, at random
BUSY_QUERY = (
    "query($user: String!) { user(login: $user) { login status { indicatesLimitedAvailability } } }"
)


@dataclass
class Layers:
    """Prow's layeredsets.String: people by layer, popped from the nearest layer first."""

    layers: list[set[str]] = field(default_factory=list)

    @classmethod
    def of(cls, found: Layered | frozenset[str] | set[str]) -> Layers:
        if isinstance(found, Layered):
            return cls([set(layer) for layer in found.layers])
        return cls([set(found)])

    def has(self, item: str) -> bool:
        return any(item in layer for layer in self.layers)

    def insert(self, layer: int, *items: str) -> None:
        while len(self.layers) < layer + 1:
            self.layers.append(set())
        for item in items:
            if not self.has(item):
                self.layers[layer].add(item)

    def difference(self, other: set[str]) -> Layers:
        return Layers([{item for item in layer if item not in other} for layer in self.layers])

    def union(self, other: Layers) -> Layers:
        result = Layers()
        for source in (self, other):
            for index, layer in enumerate(source.layers):
                result.insert(index, *sorted(layer))
        return result

    def items(self) -> set[str]:
        return set().union(*self.layers) if self.layers else set()

    def __len__(self) -> int:
        return sum(len(layer) for layer in self.layers)

    def list(self) -> list[str]:
        return [item for layer in self.layers for item in sorted(layer)]

    def pop_random(self, pick: Pick) -> str:
        for layer in self.layers:
            if layer:
                ordered = sorted(layer)
                chosen = ordered[pick(len(ordered))]
                for each in self.layers:
                    each.discard(chosen)
                return chosen
        return ""


class ReviewersSource(Protocol):
    """Prow's reviewer.ReviewersClient (RepoOwners, or its approvers as a fallback)."""

    def find_reviewers_owners_for_file(self, path: str) -> str: ...
    def reviewers(self, path: str) -> Layered: ...
    def required_reviewers(self, path: str) -> frozenset[str]: ...
    def leaf_reviewers(self, path: str) -> frozenset[str]: ...


class OwnersSource(ReviewersSource, Protocol):
    """Prow's reviewer.OwnersClient: reviewers and approvers (RepoOwners has them)."""

    def find_approver_owners_for_file(self, path: str) -> str: ...
    def approvers(self, path: str) -> Layered: ...
    def leaf_approvers(self, path: str) -> frozenset[str]: ...


@dataclass(frozen=True)
class ApproversAsReviewers:
    """Prow's FallbackReviewersClient."""

    owners: OwnersSource

    def find_reviewers_owners_for_file(self, path: str) -> str:
        return self.owners.find_approver_owners_for_file(path)

    def reviewers(self, path: str) -> Layered:
        return self.owners.approvers(path)

    def required_reviewers(self, path: str) -> frozenset[str]:
        return self.owners.required_reviewers(path)

    def leaf_reviewers(self, path: str) -> frozenset[str]:
        return self.owners.leaf_approvers(path)


Selector = Callable[[Layers], Awaitable[str]]


async def _leaf_picks(
    source: ReviewersSource, select: Selector, authors: set[str], files: list[str]
) -> tuple[Layers, set[str], Layers]:
    """One leaf reviewer per OWNERS file (the first pass of Prow's GetReviewers)."""
    reviewers, required, leaves, seen = Layers(), set[str](), Layers(), set[str]()
    for name in files:
        owners_file = source.find_reviewers_owners_for_file(name)
        if owners_file in seen:
            continue
        seen.add(owners_file)
        required |= source.required_reviewers(name)
        unused = Layers.of(source.leaf_reviewers(name)).difference(reviewers.items() | authors)
        if not len(unused):
            continue
        leaves = leaves.union(unused)
        chosen = await select(unused)
        if chosen:
            reviewers.insert(0, chosen)
    return reviewers, required, leaves


async def get_reviewers(
    source: ReviewersSource, select: Selector, author: str, files: list[str], minimum: int
) -> tuple[list[str], list[str]]:
    """Prow's reviewer.GetReviewers: (reviewers, required reviewers)."""
    if minimum == 0:
        return [], []
    authors = {author.lower()}
    reviewers, required, leaves = await _leaf_picks(source, select, authors, files)
    unused_leaves = leaves.difference(reviewers.items())
    while len(reviewers) < minimum and len(unused_leaves):
        chosen = await select(unused_leaves)
        if not chosen:
            break
        reviewers.insert(1, chosen)
    for name in files:
        if len(reviewers) >= minimum:
            break
        candidates = Layers.of(source.reviewers(name)).difference(authors)
        while len(reviewers) < minimum and len(candidates):
            chosen = await select(candidates)
            if not chosen:
                break
            reviewers.insert(2, chosen)
    return reviewers.list(), sorted(required)


def selector(pick: Pick, busy: Callable[[str], Awaitable[bool]] | None) -> Selector:
    """Prow's FindReviewer: at random, passing over busy users when availability counts."""
    known_busy: set[str] = set()

    async def select(candidates: Layers) -> str:
        if busy is None:
            return candidates.pop_random(pick)
        while len(candidates):
            candidate = candidates.pop_random(pick)
            if candidate in known_busy:
                continue
            if not await busy(candidate):
                return candidate
            known_busy.add(candidate)
        return ""

    return select


async def choose(
    owners: OwnersSource,
    settings: BlunderbussSettings,
    author: str,
    files: list[str],
    select: Selector,
) -> list[str]:
    """Prow's handle: reviewers, approvers to fill in, the cap, then required reviewers."""
    count = DEFAULT_REQUEST_COUNT if settings.request_count is None else settings.request_count
    reviewers, required = await get_reviewers(owners, select, author, files, count)
    if count - len(reviewers) > 0 and not settings.exclude_approvers:
        approvers, _ = await get_reviewers(
            ApproversAsReviewers(owners), select, author, files, count
        )
        for login in approvers:
            if login not in reviewers:
                reviewers.append(login)
    if settings.max_request_count and len(reviewers) > settings.max_request_count:
        reviewers = reviewers[: settings.max_request_count]
    return reviewers + required


async def _request(ctx: Context, org: str, repo: str, pull: PullRequest) -> list[Effect]:
    settings = ctx.config.blunderbuss or BlunderbussSettings()
    owners = await ctx.owners.load(
        ctx.github, org, repo, pull.base_sha, ctx.config.owners or OwnersSettings()
    )
    changes = await ctx.github.list_pull_changes(org, repo, pull.number)
    files = [str(change["filename"]) for change in changes]

    async def busy(login: str) -> bool:
        try:
            found = await ctx.github.graphql(BUSY_QUERY, {"user": login}, org)
        except GitHubError as error:  # Prow: an unknown status is not busy
            logger.warning("status of %s: %s", login, error)
            return False
        user = found.get("user") or {}
        return bool((user.get("status") or {}).get("indicatesLimitedAvailability"))

    select = selector(ctx.pick, busy if settings.use_status_availability else None)
    reviewers = await choose(owners, settings, pull.author, files, select)
    return [RequestReview(org, repo, pull.number, tuple(reviewers))] if reviewers else []


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    settings = ctx.config.blunderbuss or BlunderbussSettings()
    pull = event.pull
    if event.action not in ("opened", "ready_for_review") or CC_RE.search(pull.body):
        return []
    if (pull.draft and settings.ignore_drafts) or pull.author in (settings.ignore_authors or []):
        return []
    return await _request(ctx, event.repo.org, event.repo.name, pull)


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.action != "created" or not event.is_pr or event.issue_state == "closed":
        return []
    if not AUTO_CC_RE.search(event.body):
        return []
    org, repo = event.repo.org, event.repo.name
    pull = parse_pull(await ctx.github.get_pull(org, repo, event.number))
    return await _request(ctx, org, repo, pull)


def config_help(settings: BlunderbussSettings | None) -> str:
    count = (settings.request_count if settings else None) or DEFAULT_REQUEST_COUNT
    plural = "s" if count > 1 else ""
    return f"blunderbuss is currently configured to request reviews from {count} reviewer{plural}."


PLUGIN = Plugin(
    name="blunderbuss",
    description="The blunderbuss plugin automatically requests reviews from reviewers when a "
    "new PR is created. The reviewers are selected based on the reviewers specified in the "
    "OWNERS files that apply to the files modified by the PR.",
    config_help=config_help(None),
    events=("pull_request", "issue_comment", "pull_request_review", "pull_request_review_comment"),
    commands=(
        Command(
            "/auto-cc",
            "Manually request reviews from reviewers for a PR. Useful if OWNERS file were "
            "updated since the PR was opened.",
            ("/auto-cc",),
            "Anyone",
        ),
    ),
    on_pull_request=handle_pull_request,
    on_generic_comment=handle_generic_comment,
)
