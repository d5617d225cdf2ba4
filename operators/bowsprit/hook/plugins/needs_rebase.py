"""The needs-rebase plugin: `needs-rebase` on pull requests GitHub cannot merge cleanly,
removed (with the bot's comment) once they can (Prow's external-plugins/needs-rebase,
built in here).

GitHub cost is bounded: pull request events look at that one pull request; a push to a
branch re-checks the open pull requests based on it, at most MAX_PER_PUSH of them; the
periodic re-check finds open pull requests with one search per 100; each pull request then
costs one read (its `mergeable` and labels together), conditional on its ETag, which
GitHub does not charge when nothing changed.
"""

from __future__ import annotations

import logging
from typing import Any

from bowsprit.hook.effects import AddLabel, Comment, Effect, PruneComments, RemoveLabel
from bowsprit.hook.events import PullRequestEvent, PushEvent
from bowsprit.hook.plugins.base import Context, Plugin
from bowsprit.hook.plugins.respond import format_simple_response

logger = logging.getLogger("bowsprit.hook")

NEEDS_REBASE = "needs-rebase"
MESSAGE = "PR needs rebase."
DEPENDABOT_MESSAGE = "rebase"
DEPENDABOT = "dependabot[bot]"
PR_ACTIONS = ("opened", "synchronize", "reopened")
SETTLE_SECONDS = 5.0  # Prow waits this long for GitHub to compute mergeability
MERGEABLE_TRIES = 3
MERGEABLE_BACKOFF = 3.0
MAX_PER_PUSH = 50  # the periodic re-check covers the rest
SEARCH_PREFIX = "archived:false is:pr is:open"


def decide(
    org: str, repo: str, number: int, author: str, has_label: bool, mergeable: bool, bot: str
) -> list[Effect]:
    """Prow's takeAction."""
    if not mergeable and not has_label:
        message = DEPENDABOT_MESSAGE if author == DEPENDABOT else MESSAGE
        return [
            AddLabel(org, repo, number, NEEDS_REBASE),
            Comment(org, repo, number, format_simple_response(message)),
        ]
    if mergeable and has_label:
        return [
            RemoveLabel(org, repo, number, NEEDS_REBASE),
            PruneComments(org, repo, number, bot, MESSAGE),
        ]
    return []


async def is_mergeable(
    ctx: Context, org: str, repo: str, number: int, sha: str | None, tries: int = MERGEABLE_TRIES
) -> dict[str, Any] | None:
    """The pull request once GitHub has decided whether it merges (Prow's IsMergeable);
    None when it is not open, its head moved from `sha`, or GitHub has not decided after
    `tries` reads. The answer carries the labels too, so no other read is needed."""
    backoff = MERGEABLE_BACKOFF
    for attempt in range(tries):
        pull = await ctx.github.get_pull(org, repo, number)
        if pull.get("state") != "open" or pull.get("merged"):
            return None
        if sha is not None and (pull.get("head") or {}).get("sha") != sha:
            return None
        if isinstance(pull.get("mergeable"), bool):
            return pull
        if attempt + 1 < tries:
            await ctx.sleep(backoff)
            backoff *= 2
    logger.info("%s/%s#%d: GitHub has not decided whether it merges", org, repo, number)
    return None


async def check_pull(
    ctx: Context, org: str, repo: str, number: int, sha: str | None = None, tries: int = 1
) -> list[Effect] | None:
    """Effects for one pull request; None when GitHub has not decided yet."""
    pull = await is_mergeable(ctx, org, repo, number, sha, tries)
    if pull is None:
        return None
    labels = [str(label.get("name")) for label in pull.get("labels") or []]
    author = str((pull.get("user") or {}).get("login", ""))
    return decide(
        org, repo, number, author, NEEDS_REBASE in labels, bool(pull["mergeable"]), ctx.bot
    )


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in PR_ACTIONS or event.pull.state != "open":
        return []
    await ctx.sleep(SETTLE_SECONDS)
    repo, pull = event.repo, event.pull
    found = await check_pull(
        ctx, repo.org, repo.name, pull.number, pull.head_sha, tries=MERGEABLE_TRIES
    )
    return found or []


def _numbers(found: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(org, repo, number) of search results, from each one's repository_url."""
    result = []
    for item in found:
        owner, _, name = str(item.get("repository_url", "")).rpartition("/repos/")[2].partition("/")
        if owner and name and item.get("pull_request") is not None:
            result.append((owner, name, int(item["number"])))
    return result


async def _recheck(
    ctx: Context, found: list[tuple[str, str, int]], undecided: list[tuple[str, str, int]]
) -> list[Effect]:
    """One read per pull request; those GitHub has not decided on go to `undecided` (the
    read itself starts GitHub's computation), not waited for one by one."""
    effects: list[Effect] = []
    excluded = set(ctx.config.excluded_repos or [])
    for org, repo, number in found:
        if f"{org}/{repo}" in excluded:
            continue
        checked = await check_pull(ctx, org, repo, number)
        if checked is None:
            undecided.append((org, repo, number))
        else:
            effects += checked
    return effects


async def handle_push(ctx: Context, event: PushEvent) -> list[Effect]:
    """A push to a branch can make its open pull requests conflict, or stop conflicting."""
    if event.deleted or not event.ref.startswith("refs/heads/"):
        return []
    repo = event.repo
    query = f'{SEARCH_PREFIX} repo:"{repo.full_name}" base:"{event.branch}"'
    found = _numbers(await ctx.github.search_issues(query, repo.org))
    if len(found) > MAX_PER_PUSH:
        logger.info(
            "%s: %d open pull requests on %s; re-checking %d now, the rest periodically",
            repo.full_name,
            len(found),
            event.branch,
            MAX_PER_PUSH,
        )
    # A base push makes GitHub recompute every PR's mergeability: the first pass starts
    # it, a second pass after it settled reads the answers not ready the first time.
    await ctx.sleep(SETTLE_SECONDS)
    undecided: list[tuple[str, str, int]] = []
    effects = await _recheck(ctx, found[:MAX_PER_PUSH], undecided)
    if undecided:
        await ctx.sleep(SETTLE_SECONDS)
        effects += await _recheck(ctx, undecided, [])
    return effects


def resync_query(target: str) -> str:
    """Prow's constructQueries, for one org or org/repo of a PluginConfig."""
    if "/" in target:
        return f'{SEARCH_PREFIX} repo:"{target}"'
    return f'{SEARCH_PREFIX} org:"{target}"'


async def handle_resync(ctx: Context, target: str) -> list[Effect]:
    org = target.partition("/")[0]
    found = _numbers(await ctx.github.search_issues(resync_query(target), org))
    if len(found) >= 1000:
        logger.warning("%s: the search stops at 1000 open pull requests", target)
    # As Prow's HandleAll: pull requests GitHub has not decided on wait for the next pass.
    return await _recheck(ctx, found, [])


PLUGIN = Plugin(
    name="needs-rebase",
    description="The needs-rebase plugin manages the '"
    + NEEDS_REBASE
    + "' label by removing it from Pull Requests that are mergeable and adding it to those "
    "which are not.\nThe plugin reacts to commit changes on PRs in addition to periodically "
    "scanning all open PRs for any changes to mergeability that could have resulted from "
    "changes in other PRs.",
    events=("pull_request", "push"),
    on_pull_request=handle_pull_request,
    on_push=handle_push,
    on_resync=handle_resync,
)
