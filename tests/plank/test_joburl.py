"""status.url from a job URL prefix (decorated jobs) or from job_url_template."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bowsprit.api.prowconfig import PlankConfig
from bowsprit.api.prowjob import ProwJobSpec, ProwJobStatus
from bowsprit.plank.joburl import JobUrlError, job_url
from bowsprit.plank.observe import Job

# Falco's job_url_template (a Go template in Prow), written in Bowsprit's syntax.
FALCO = (
    "http://prow.falco.org/view/s3/falco-prow-logs/"
    '{% if spec.type in ("presubmit", "batch") %}pr-logs/pull{% else %}logs{% endif %}'
    "{% if spec.refs.org %}/{{ spec.refs.org }}_{{ spec.refs.repo }}{% endif %}"
    '{% if spec.type == "presubmit" %}/{{ spec.refs.pulls[0].number }}'
    '{% elif spec.type == "batch" %}/batch{% endif %}'
    "/{{ spec.job }}/{{ status.build_id }}/"
)
REFS = {
    "org": "falcosecurity",
    "repo": "falco",
    "base_ref": "master",
    "pulls": [{"number": 7, "author": "leo", "sha": "abc"}],
}


def job(kind: str, **spec: Any) -> Job:
    body = {"type": kind, "job": "build", "pod_spec": {"containers": [{"image": "x"}]}, **spec}
    created = datetime(2026, 11, 25, tzinfo=UTC)
    return Job("run", "default", created, ProwJobSpec.model_validate(body), ProwJobStatus())


def test_falcos_template_in_bowsprits_syntax() -> None:
    plank = PlankConfig(job_url_template=FALCO)
    assert job_url(job("presubmit", refs=REFS), "99", plank) == (
        "http://prow.falco.org/view/s3/falco-prow-logs/pr-logs/pull/falcosecurity_falco/7/build/99/"
    )
    assert job_url(job("periodic"), "99", plank) == (
        "http://prow.falco.org/view/s3/falco-prow-logs/logs/build/99/"
    )


def test_decorated_jobs_link_under_the_most_specific_prefix() -> None:
    decoration = {"gcs_configuration": {"bucket": "s3://falco-prow-logs"}}
    plank = PlankConfig(
        job_url_prefix_config={
            "*": "http://prow.falco.org/view/",
            "falcosecurity/falco": "https://falco/view",
        },
        job_url_template=FALCO,
    )
    decorated = job("presubmit", refs=REFS, decoration_config=decoration)
    assert job_url(decorated, "5", plank) == (
        "https://falco/view/s3/falco-prow-logs/pr-logs/pull/falcosecurity_falco/7/build/5"
    )
    assert job_url(job("periodic", decoration_config=decoration), "5", plank) == (
        "http://prow.falco.org/view/s3/falco-prow-logs/logs/build/5"
    )


def test_the_storage_provider_can_be_left_out() -> None:
    """Prow's TestJobURL case "decorated job with prefix uses gcsupload" (pjutil_test.go)."""
    plank = PlankConfig(
        job_url_prefix_config={"*": "https://gubernator.com/build"},
        jobURLPrefixDisableAppendStorageProvider=True,
    )
    decoration = {"gcs_configuration": {"bucket": "s3://bucket", "path_strategy": "explicit"}}
    refs = {"org": "org", "repo": "repo", "pulls": [{"number": 1, "author": "a", "sha": "s"}]}
    decorated = job("presubmit", refs=refs, decoration_config=decoration)
    assert job_url(decorated, "9", plank) == (
        "https://gubernator.com/build/bucket/pr-logs/pull/org_repo/1/build/9"
    )


def test_no_template_no_url_and_a_broken_template_says_why() -> None:
    assert job_url(job("periodic"), "1", PlankConfig()) is None
    with pytest.raises(JobUrlError, match="job_url_template"):
        job_url(job("periodic"), "1", PlankConfig(job_url_template="{% if %}"))
