"""The size plugin: one `size/XS`...`size/XXL` label from the lines a pull request adds
and deletes, generated files left out, kept right on every push (Prow's pkg/plugins/size)."""

from __future__ import annotations

import logging

from bowsprit.api.pluginconfig import SizeSettings
from bowsprit.hook.effects import AddLabel, Effect, RemoveLabel
from bowsprit.hook.events import PullRequestEvent
from bowsprit.hook.plugins.base import Context, Plugin
from bowsprit.hook.plugins.generated import GeneratedFiles, PatternError, linguist_generated

logger = logging.getLogger("bowsprit.hook")

PREFIX = "size/"
LABELS = ("size/XS", "size/S", "size/M", "size/L", "size/XL", "size/XXL")
DEFAULTS = {"s": 10, "m": 30, "l": 100, "xl": 500, "xxl": 1000}
CHANGED = ("opened", "reopened", "synchronize", "edited")


def thresholds(settings: SizeSettings | None) -> tuple[int, int, int, int, int]:
    """Prow's sizesOrDefault: a zero or unset threshold takes the default."""
    given = settings.model_dump() if settings is not None else {}
    s, m, large, xl, xxl = (given.get(k) or DEFAULTS[k] for k in ("s", "m", "l", "xl", "xxl"))
    return s, m, large, xl, xxl


def bucket(lines: int, sizes: tuple[int, int, int, int, int]) -> str:
    for label, smallest_of_next in zip(LABELS, sizes, strict=False):
        if lines < smallest_of_next:
            return label
    return LABELS[-1]


def decide(org: str, repo: str, number: int, wanted: str, current: list[str]) -> list[Effect]:
    effects: list[Effect] = [
        RemoveLabel(org, repo, number, label)
        for label in current
        if label != wanted and label.startswith(PREFIX)
    ]
    if wanted not in current:
        effects.append(AddLabel(org, repo, number, wanted))
    return effects


async def _generated(ctx: Context, org: str, repo: str, sha: str) -> GeneratedFiles:
    found = await ctx.github.get_file_text(org, repo, ".generated_files", sha)
    group = GeneratedFiles.parse(found) if found else GeneratedFiles()
    for path in group.repo_paths:
        listed = await ctx.github.get_file_text(org, repo, path, sha)
        if listed is not None:
            group.add_paths(listed)
    return group


async def handle_pull_request(ctx: Context, event: PullRequestEvent) -> list[Effect]:
    if event.action not in CHANGED:
        return []
    org, repo, number, sha = event.repo.org, event.repo.name, event.pull.number, event.pull.base_sha
    generated = await _generated(ctx, org, repo, sha)
    attributes = await ctx.github.get_file_text(org, repo, ".gitattributes", sha)
    try:
        patterns = linguist_generated(attributes) if attributes else []
    except PatternError as error:
        # Prow fails the event here; the size is still worth having without the patterns.
        logger.warning("%s/%s: .gitattributes: %s", org, repo, error)
        patterns = []
    lines = 0
    for change in await ctx.github.list_pull_changes(org, repo, number):
        name = str(change["filename"])
        if generated.match(name) or any(pattern.match(name) for pattern in patterns):
            continue
        lines += int(change.get("additions", 0)) + int(change.get("deletions", 0))
    wanted = bucket(lines, thresholds(ctx.config.size))
    current = await ctx.github.list_labels(org, repo, number)
    return decide(org, repo, number, wanted, current)


def config_help(settings: SizeSettings | None) -> str:
    s, m, large, xl, xxl = thresholds(settings)
    return (
        "The plugin has the following thresholds:<ul>\n"
        f"<li>size/XS:  0-{s - 1}</li>\n<li>size/S:   {s}-{m - 1}</li>\n"
        f"<li>size/M:   {m}-{large - 1}</li>\n<li>size/L:   {large}-{xl - 1}</li>\n"
        f"<li>size/XL:  {xl}-{xxl - 1}</li>\n<li>size/XXL: {xxl}+</li>\n</ul>"
    )


PLUGIN = Plugin(
    name="size",
    description="The size plugin manages the 'size/*' labels, maintaining the appropriate "
    "label on each pull request as it is updated. Generated files identified by the config "
    "file '.generated_files' at the repo root are ignored. Labels are applied based on the "
    "total number of lines of changes (additions and deletions).",
    config_help=config_help(None),
    events=("pull_request",),
    on_pull_request=handle_pull_request,
)
