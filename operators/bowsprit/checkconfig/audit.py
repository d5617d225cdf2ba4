"""What `bowsprit check` reports beyond the schema and CEL rules: plugins hook does not
have (errors), and settings Bowsprit cannot honour (warnings): Go-syntax report templates,
GCS credentials, ProwConfig fields without effect, decoration default entries written as
patterns."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from bowsprit.api.base import Resource
from bowsprit.api.pluginconfig import PluginConfig
from bowsprit.api.prowconfig import DefaultDecorationConfigEntry, ProwConfig
from bowsprit.api.prowimport import Problem
from bowsprit.api.prowsettings import GO_TEMPLATE


def problems(
    obj: Resource, label: str, known_plugins: Collection[str] | None, from_prow: bool = False
) -> Iterator[Problem]:
    """`from_prow`: the object was converted from Prow's files, whose Go templates the
    conversion reports itself (convert translates them)."""
    if known_plugins is not None:
        yield from plugin_problems(obj, label, known_plugins)
    if not from_prow:
        yield from go_template_warnings(obj, label)
    yield from gcs_warnings(obj, label)
    yield from no_effect_warnings(obj, label)


def plugin_problems(obj: Resource, label: str, known: Collection[str]) -> Iterator[Problem]:
    if not isinstance(obj, PluginConfig):
        return
    for index, name in enumerate(obj.spec.plugins or []):
        if name not in known:
            yield Problem(
                label,
                f"spec.plugins[{index}]",
                f"unknown plugin {name!r} (hook refuses the PluginConfig); "
                f"known: {', '.join(sorted(known))}",
            )


def go_template_warnings(obj: Resource, label: str) -> Iterator[Problem]:
    """Report templates left in Prow's Go syntax: crier cannot render them and uses its
    default instead (a warning, not an error: the config is still valid)."""
    if not isinstance(obj, ProwConfig):
        return
    fields = {
        f"spec.plank.report_templates[{key}]": value
        for key, value in (obj.spec.plank.report_templates or {}).items()
    }
    for key, slack in (obj.spec.crier.slack_reporter_configs or {}).items():
        fields[f"spec.crier.slack_reporter_configs[{key}].report_template"] = (
            slack.report_template or ""
        )
    for path, template in fields.items():
        if GO_TEMPLATE.search(template):
            yield Problem(
                label,
                path,
                "is a Go template; Bowsprit's are Jinja ({{ spec.job }}): crier cannot"
                " render it and uses its default instead",
                True,
            )


def gcs_warnings(obj: Resource, label: str) -> Iterator[Problem]:
    """GCS credentials, which nothing reads: buckets are s3:// only."""
    decoration = getattr(getattr(obj, "spec", None), "decoration_config", None)
    if decoration is not None and decoration.gcs_credentials_secret:
        yield _no_gcs(label, "spec.decoration_config.gcs_credentials_secret")
    if not isinstance(obj, ProwConfig):
        return
    spec = obj.spec
    for key, config in (spec.plank.default_decoration_configs or {}).items():
        if config.gcs_credentials_secret:
            field = f"spec.plank.default_decoration_configs[{key}].gcs_credentials_secret"
            yield _no_gcs(label, field)
    for index, entry in enumerate(spec.plank.default_decoration_config_entries or []):
        if entry.config.gcs_credentials_secret:
            field = f"spec.plank.default_decoration_config_entries[{index}].config"
            yield _no_gcs(label, f"{field}.gcs_credentials_secret")


def no_effect_warnings(obj: Resource, label: str) -> Iterator[Problem]:
    """ProwConfig fields Prow acts on that have no effect in Bowsprit (the audit of issue
    13): a warning each, so nothing set is silently ignored."""
    if not isinstance(obj, ProwConfig):
        return
    spec = obj.spec
    for key, slack in (spec.crier.slack_reporter_configs or {}).items():
        if slack.host:
            yield Problem(
                label,
                f"spec.crier.slack_reporter_configs[{key}].host",
                "has no effect: crier posts to the one webhook of --slack-webhook-url-file",
                True,
            )
    yield from pattern_warnings(spec.plank.default_decoration_config_entries or [], label)
    if spec.github.link_url != "https://github.com":
        yield Problem(
            label,
            "spec.github.link_url",
            "has no effect yet: links to GitHub come from the webhooks' own URLs",
            True,
        )


# Characters of a regular expression that no org, repository or cluster alias holds.
PATTERN = re.compile(r"[][*^$|()+?\\{}]")


def pattern_warnings(entries: list[DefaultDecorationConfigEntry], label: str) -> Iterator[Problem]:
    """Decoration default entries whose filter reads as a pattern: Prow (and Bowsprit,
    like it) matches them as exact names, with `*` alone for all, so such an entry
    applies to no job."""
    for index, entry in enumerate(entries):
        for name in ("repo", "cluster"):
            value = getattr(entry, name) or ""
            if value != "*" and PATTERN.search(value):
                yield Problem(
                    label,
                    f"spec.plank.default_decoration_config_entries[{index}].{name}",
                    f"{value!r} is matched as an exact name, not a pattern (as in Prow): "
                    "it applies to no job; name an org, org/repo or cluster, or `*` for all",
                    True,
                )


def _no_gcs(label: str, field: str) -> Problem:
    return Problem(
        label, field, "has no effect: uploads go to s3:// buckets only (GCS is not supported)", True
    )
