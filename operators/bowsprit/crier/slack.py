"""The Slack reporter's rules: which states of which jobs go to which channel, and the text.

Prow's slack reporter: `slack_reporter_configs` by `*`, org or org/repo (the most specific
wins) gives job types, states, channel and a template; a job's own
`reporter_config.slack` overrides channel, states and template, a channel of its own
reports the job whatever its type, and `report: false` silences it. Templates are Jinja
over the ProwJob as JSON (as plank's job_url_template): `{{ spec.job }}`, `{{ status.url }}`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bowsprit.api.jobbase import SlackReporterConfig
from bowsprit.api.prowconfig import SlackReporterDefaults
from bowsprit.crier.decide import Job, TemplateError, render

DEFAULT_TEMPLATE = (
    "Job {{ spec.job }} of type {{ spec.type }} ended with state {{ status.state }}. "
    "<{{ status.url }}|View logs>"
)

logger = logging.getLogger("bowsprit.crier")


@dataclass(frozen=True)
class SlackMessage:
    channel: str | None
    text: str


def defaults_for(
    job: Job, configs: dict[str, SlackReporterDefaults] | None
) -> SlackReporterDefaults:
    """The most specific entry: org/repo, then org, then `*`."""
    configs = configs or {}
    refs = job.spec.refs or (job.spec.extra_refs[0] if job.spec.extra_refs else None)
    keys = [f"{refs.org}/{refs.repo}", refs.org] if refs is not None else []
    for key in [*keys, "*"]:
        if key in configs:
            return configs[key]
    return SlackReporterDefaults()


def slack_message(
    job: Job, configs: dict[str, SlackReporterDefaults] | None
) -> SlackMessage | None:
    """The message for the job's current state, or None when it is not to be reported."""
    defaults = defaults_for(job, configs)
    own = (job.spec.reporter_config.slack if job.spec.reporter_config else None) or (
        SlackReporterConfig()
    )
    if own.report is False:
        return None
    states = own.job_states_to_report
    if states is None:
        states = defaults.job_states_to_report
    if not configs and own.channel is None:
        return None  # Slack reporting is configured nowhere for this job
    types = defaults.job_types_to_report or []
    if job.spec.type not in types and not own.channel:
        return None
    if job.state not in (states or []):  # as in Prow, no states configured reports none
        return None
    template = own.report_template or defaults.report_template or DEFAULT_TEMPLATE
    try:
        text = render(template, job)
    except TemplateError as error:
        # A Go template from Prow's config cannot render: report with the default.
        logger.warning("%s: %s; the default Slack template is used", job.name, error)
        text = render(DEFAULT_TEMPLATE, job)
    return SlackMessage(own.channel or defaults.channel, text)
