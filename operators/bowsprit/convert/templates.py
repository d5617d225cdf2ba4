"""The Go templates of converted objects, rewritten as Bowsprit's Jinja templates.

Prow's job_url_template, report_templates, Slack report templates (crier's defaults
and each job's reporter_config) and tide's merge commit templates are Go text/template;
Bowsprit's components read Jinja only. A template that cannot be translated is taken
out and reported with the construct that stopped it, so nothing renders Go syntax as
literal text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bowsprit.api.prowcommon import Problem, not_carried
from bowsprit.api.prowconfig import ProwConfig
from bowsprit.convert.convert import Conversion, Finding
from bowsprit.convert.gotemplate import Root, Untranslatable, translate

_TEMPLATE_NOTE = "is a Go template"


def _rewrite(
    value: str | None, path: str, root: Root, problems: list[Problem], obj: str = "config"
) -> tuple[bool, str | None]:
    """(keep, new value): the translation, or (False, None) when it cannot be made."""
    if value is None or "{{" not in value:
        return True, value
    try:
        return True, translate(value, root)
    except Untranslatable as error:
        problems.append(not_carried(obj, path, f"Go template not translated: {error}"))
        return False, None


def _rewrite_map(
    templates: dict[str, Any] | None, path: str, root: Root, problems: list[Problem]
) -> None:
    for key in list(templates or {}):
        assert templates is not None
        keep, value = _rewrite(templates[key], f"{path}.{key}", root, problems)
        if keep:
            templates[key] = value
        else:
            del templates[key]


def _prowconfig(config: ProwConfig, problems: list[Problem]) -> None:
    plank, spec = config.spec.plank, config.spec
    keep, value = _rewrite(plank.job_url_template, "plank.job_url_template", "prowjob", problems)
    plank.job_url_template = value if keep else None
    _rewrite_map(plank.report_templates, "plank.report_templates", "prowjob", problems)
    for key, slack in (spec.crier.slack_reporter_configs or {}).items():
        where = f"slack_reporter_configs.{key}.report_template"
        keep, value = _rewrite(slack.report_template, where, "prowjob", problems)
        slack.report_template = value if keep else None
    for key, template in (spec.tide.merge_commit_template or {}).items():
        _rewrite_map(template, f"tide.merge_commit_template.{key}", "plain", problems)


def _job(obj: Any, problems: list[Problem]) -> None:
    slack = getattr(getattr(obj.spec, "reporter_config", None), "slack", None)
    if slack is None:
        return
    where = "reporter_config.slack.report_template"
    label = f"{obj.kind}/{obj.metadata.name}"
    keep, value = _rewrite(slack.report_template, where, "prowjob", problems, label)
    slack.report_template = value if keep else None


def translate_templates(conversion: Conversion) -> None:
    """Translate every template in place; untranslatable ones become findings."""
    conversion.findings = [
        item for item in conversion.findings if _TEMPLATE_NOTE not in item.problem.message
    ]
    handlers: dict[str, Callable[[Any, list[Problem]], None]] = {"ProwConfig": _prowconfig}
    for item in conversion.objects:
        problems: list[Problem] = []
        handler = handlers.get(item.obj.kind, _job)
        handler(item.obj, problems)
        conversion.findings += [Finding(item.source, problem) for problem in problems]
