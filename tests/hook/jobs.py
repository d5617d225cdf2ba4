"""Job definitions for hook's tests."""

from __future__ import annotations

from typing import Any

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.postsubmit import PostsubmitSpec
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.jobpod.jobs import Job, JobKind

POD = {"containers": [{"image": "busybox"}]}


def job(name: str, kind: JobKind = "BlockingPresubmit", **spec: Any) -> Job:
    model = {
        "BlockingPresubmit": BlockingPresubmitSpec,
        "Presubmit": PresubmitSpec,
        "Postsubmit": PostsubmitSpec,
    }[kind]
    body = {"org": "acme", "repo": "rocket", "pod_spec": POD, **spec}
    return Job(kind, "ci", name, model.model_validate(body))
