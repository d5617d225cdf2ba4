"""The trigger plugin: pull requests, comments and pushes become ProwJobs, with Prow's
trust rules (PROW-REFERENCE 4.7). Handlers read what they need from GitHub, decide with
the pure rules, and return effects; the dispatcher carries them out."""

from __future__ import annotations

from collections.abc import Sequence

from bowsprit.api.pluginconfig import TriggerSettings
from bowsprit.hook.effects import (
    AbortPresubmits,
    AddLabel,
    Comment,
    CreateProwJob,
    Effect,
    RemoveLabel,
)
from bowsprit.hook.events import (
    GenericCommentEvent,
    PullRequest,
    PullRequestEvent,
    PushEvent,
    RepoRef,
    parse_pull,
)
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.trigger import rules
from bowsprit.hook.prowjobs import pull_refs, push_refs
from bowsprit.jobpod.jobs import Job
from bowsprit.jobpod.newjob import prowjob
from bowsprit.jobpod.trust import (
    LGTM,
    NEEDS_OK_TO_TEST,
    OK_TO_TEST,
    trusted_pull,
    trusted_user,
)

ABORT_ACTIONS = ("closed", "converted_to_draft")
RUN_ACTIONS = ("reopened", "ready_for_review")


def _settings(ctx: Context) -> TriggerSettings:
    return ctx.config.trigger or TriggerSettings()


async def _changed(
    ctx: Context, repo: RepoRef, pull: PullRequest, jobs: Sequence[Job]
) -> list[str]:
    if not rules.needs_changes(jobs):
        return []
    return await ctx.github.list_pull_files(repo.org, repo.name, pull.number)


async def _presubmits(
    ctx: Context, guid: str, repo: RepoRef, pull: PullRequest, jobs: Sequence[Job], retest: bool
) -> list[Effect]:
    """One ProwJob per job, against the base branch as it is now (Prow reads the ref)."""
    if not jobs:
        return []
    base_sha = await ctx.github.get_branch_sha(repo.org, repo.name, pull.base_ref)
    refs = pull_refs(repo, pull, base_sha)
    return [
        CreateProwJob(
            prowjob(
                job,
                "presubmit",
                refs,
                name=ctx.new_name(),
                namespace=ctx.namespace,
                guid=guid,
                retest=retest,
            )
        )
        for job in jobs
    ]


async def _run_all(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    pull = event.pull
    if pull.mergeable is False:
        return []  # Prow: a PR that cannot merge triggers nothing
    if pull.draft:
        if event.action == "opened":
            return [Comment(event.repo.org, event.repo.name, pull.number, rules.draft_message())]
        return []
    changed = await _changed(ctx, event.repo, pull, ctx.presubmits)
    jobs = rules.automatic(ctx.presubmits, pull.base_ref, changed)
    return await _presubmits(ctx, event.guid, event.repo, pull, jobs, retest=False)


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    repo, pull, action = event.repo, event.pull, event.action
    abort: list[Effect] = [AbortPresubmits(ctx.namespace, repo.org, repo.name, pull.number)]
    if action in ABORT_ACTIONS:
        return abort
    settings = _settings(ctx)
    if action == "opened":
        return await _opened(ctx, event, settings)
    if action == "labeled":
        return await _labeled(ctx, event, settings)
    reruns = action in RUN_ACTIONS or (action == "edited" and event.base_changed)
    if not reruns and action != "synchronize":
        return []
    effects: list[Effect] = abort if action == "synchronize" else []
    trusted = await trusted_pull(
        ctx.github, settings, ctx.bot, repo.org, repo.name, pull.author, pull.labels
    )
    if not trusted:
        return effects
    if action == "synchronize" and NEEDS_OK_TO_TEST in pull.labels:
        effects.append(RemoveLabel(repo.org, repo.name, pull.number, NEEDS_OK_TO_TEST))
    return effects + await _run_all(ctx, event)


async def _opened(ctx: Context, event: PullRequestEvent, settings: TriggerSettings) -> list[Effect]:
    repo, pull = event.repo, event.pull
    if await trusted_pull(
        ctx.github, settings, ctx.bot, repo.org, repo.name, pull.author, pull.labels
    ):
        return await _run_all(ctx, event)
    effects: list[Effect] = [
        Comment(
            repo.org, repo.name, pull.number, rules.welcome_message(pull.author, repo.org, settings)
        )
    ]
    if not settings.ignore_ok_to_test and NEEDS_OK_TO_TEST not in pull.labels:
        effects.append(AddLabel(repo.org, repo.name, pull.number, NEEDS_OK_TO_TEST))
    return effects


async def _labeled(
    ctx: Context, event: PullRequestEvent, settings: TriggerSettings
) -> list[Effect]:
    """ok-to-test added by a human runs everything; so does lgtm on an untrusted PR (it
    would otherwise never be tested before merging)."""
    repo, pull = event.repo, event.pull
    if event.label == OK_TO_TEST and event.sender != ctx.bot and not settings.ignore_ok_to_test:
        return await _run_all(ctx, event)
    if event.label == LGTM and OK_TO_TEST not in pull.labels:
        author_trusted = await trusted_user(
            ctx.github, settings, ctx.bot, repo.org, repo.name, pull.author
        )
        if not author_trusted:
            return await _run_all(ctx, event)
    return []


async def handle_generic_comment(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.action != "created" or not event.is_pr or event.issue_state == "closed":
        return []
    if event.author == ctx.bot:
        return []
    body = rules.strip_quoted(event.body)
    if not rules.has_command(body, ctx.presubmits):
        return []
    repo, settings = event.repo, _settings(ctx)
    pull = parse_pull(await ctx.github.get_pull(repo.org, repo.name, event.number))
    commenter_trusted = await trusted_user(
        ctx.github, settings, ctx.bot, repo.org, repo.name, event.author
    )
    if not commenter_trusted and not await trusted_pull(
        ctx.github, settings, ctx.bot, repo.org, repo.name, pull.author, pull.labels
    ):
        return [
            Comment(
                repo.org, repo.name, pull.number, f"@{event.author}: {rules.NOT_TRUSTED_MESSAGE}"
            )
        ]
    if commenter_trusted and rules.OK_TO_TEST_CANCEL.search(body):
        return _cancel_ok_to_test(repo, pull)
    ok_to_test = (
        commenter_trusted and not settings.ignore_ok_to_test and bool(rules.OK_TO_TEST.search(body))
    )
    effects: list[Effect] = []
    if ok_to_test:
        if OK_TO_TEST not in pull.labels:
            effects.append(AddLabel(repo.org, repo.name, pull.number, OK_TO_TEST))
        if NEEDS_OK_TO_TEST in pull.labels:
            effects.append(RemoveLabel(repo.org, repo.name, pull.number, NEEDS_OK_TO_TEST))
    if pull.mergeable is False:
        return effects
    return effects + await _comment_jobs(ctx, event, pull, body, ok_to_test)


def _cancel_ok_to_test(repo: RepoRef, pull: PullRequest) -> list[Effect]:
    """`/ok-to-test cancel`: the PR is no longer trusted for its own sake."""
    effects: list[Effect] = []
    if OK_TO_TEST in pull.labels:
        effects.append(RemoveLabel(repo.org, repo.name, pull.number, OK_TO_TEST))
    if NEEDS_OK_TO_TEST not in pull.labels:
        effects.append(AddLabel(repo.org, repo.name, pull.number, NEEDS_OK_TO_TEST))
    return effects


async def _comment_jobs(
    ctx: Context, event: GenericCommentEvent, pull: PullRequest, body: str, ok_to_test: bool
) -> list[Effect]:
    repo = event.repo
    changed = await _changed(ctx, repo, pull, ctx.presubmits)
    statuses: dict[str, str] = {}
    if rules.RETEST.search(body) or rules.RETEST_REQUIRED.search(body):
        listed = await ctx.github.list_statuses(repo.org, repo.name, pull.head_sha)
        statuses = {str(item.get("context")): str(item.get("state")) for item in listed}
    decision = rules.from_comment(
        body, ctx.presubmits, pull.base_ref, changed, statuses, ok_to_test
    )
    effects = await _presubmits(ctx, event.guid, repo, pull, decision.run, decision.retest)
    if decision.help:
        message = rules.help_message(event.author, ctx.presubmits, pull.base_ref, decision.unknown)
        effects.append(Comment(repo.org, repo.name, pull.number, message))
    return effects


async def handle_push(ctx: Context, event: PushEvent) -> list[Effect]:
    if event.deleted or event.after.strip("0") == "":
        return []  # a deleted branch has nothing to test
    jobs = rules.runs_on_push(ctx.postsubmits, event.branch, event.changed_files)
    refs = push_refs(event)
    return [
        CreateProwJob(
            prowjob(
                job,
                "postsubmit",
                refs,
                name=ctx.new_name(),
                namespace=ctx.namespace,
                guid=event.guid,
            )
        )
        for job in jobs
    ]


PLUGIN = Plugin(
    name="trigger",
    description="The trigger plugin starts tests in reaction to commands and pull request "
    "events. It checks that the author or commenter is trusted (an organisation member, a "
    "collaborator, a trusted app, or a PR with the ok-to-test label) before running jobs; "
    "pushes run the matching postsubmits.",
    config_help="PluginConfig spec.trigger: trusted_apps, only_org_members, "
    "ignore_ok_to_test, join_org_url, trusted_org.",
    events=(
        "pull_request",
        "issue_comment",
        "pull_request_review",
        "pull_request_review_comment",
        "push",
    ),
    commands=(
        Command(
            "/ok-to-test [cancel]",
            "Marks a PR as trusted and starts its tests; `/ok-to-test cancel` takes that back.",
            ("/ok-to-test", "/ok-to-test cancel"),
            "Members of the trusted organisation of the repo.",
            True,
        ),
        Command(
            "/test (<job name>|all)",
            "Manually starts a/all test job(s). Lists the available jobs when no job is named.",
            ("/test all", "/test pull-unit"),
            "Anyone can trigger jobs on a trusted PR.",
            True,
        ),
        Command(
            "/retest",
            "Reruns the test jobs that failed, and the automatic ones that have not reported yet.",
            ("/retest",),
            "Anyone can trigger jobs on a trusted PR.",
            True,
        ),
        Command(
            "/retest-required",
            "Reruns the required test jobs that failed, and the "
            "required ones that have not reported yet.",
            ("/retest-required",),
            "Anyone can trigger jobs on a trusted PR.",
        ),
    ),
    on_pull_request=handle_pull_request,
    on_generic_comment=handle_generic_comment,
    on_push=handle_push,
)
