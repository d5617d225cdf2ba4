"""The welcome plugin: a comment on a first-time contributor's pull request, from
message_template (Jinja: `{{ AuthorLogin }}`, `{{ AuthorName }}`, `{{ Org }}`, `{{ Repo }}`;
Prow's plain `{{.Field}}` references read the same), or on every PR with always_post
(Prow's pkg/plugins/welcome)."""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from bowsprit.api.pluginconfig import TriggerSettings, WelcomeSettings
from bowsprit.hook.effects import Comment, Effect
from bowsprit.hook.events import PullRequestEvent
from bowsprit.hook.plugins.base import Context, Plugin
from bowsprit.jobpod.trust import trusted_user

DEFAULT_MESSAGE = (
    "Welcome @{{ AuthorLogin }}! It looks like this is your first PR to {{ Org }}/{{ Repo }} 🎉"
)
_GO_FIELD = re.compile(r"\{\{-?\s*\.(Org|Repo|AuthorLogin|AuthorName)\s*-?\}\}")


@lru_cache(maxsize=16)
def _template(source: str) -> jinja2.Template:
    environment = SandboxedEnvironment(undefined=jinja2.ChainableUndefined, autoescape=False)
    return environment.from_string(_GO_FIELD.sub(r"{{ \1 }}", source))


def render(source: str, org: str, repo: str, login: str, name: str = "") -> str:
    return _template(source).render(Org=org, Repo=repo, AuthorLogin=login, AuthorName=name)


def first_pull(found: list[dict[str, object]], number: int) -> bool:
    """Prow: no PR by the author yet, or only this one."""
    return not found or (len(found) == 1 and found[0].get("number") == number)


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action != "opened" or event.pull.author_is_bot:
        return []
    org, repo, author = event.repo.org, event.repo.name, event.pull.author
    settings = ctx.config.welcome or WelcomeSettings()
    always = bool(settings.always_post)
    if not always:
        trigger = ctx.config.trigger or TriggerSettings()
        if await trusted_user(ctx.github, trigger, ctx.bot, org, repo, author):
            return []
        found = await ctx.github.search_issues(f"is:pr repo:{org}/{repo} author:{author}", org)
        if not first_pull(found, event.pull.number):
            return []
    body = render(settings.message_template or DEFAULT_MESSAGE, org, repo, author)
    return [Comment(org, repo, event.pull.number, body)]


PLUGIN = Plugin(
    name="welcome",
    description="The welcome plugin posts a welcoming message when it detects a user's first "
    "contribution to a repo.",
    config_help="PluginConfig spec.welcome: message_template (Jinja; fields Org, Repo, "
    "AuthorLogin, AuthorName; default: " + DEFAULT_MESSAGE + "), always_post.",
    events=("pull_request",),
    on_pull_request=handle_pull_request,
)
