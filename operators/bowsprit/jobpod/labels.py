"""The labels and annotations Prow puts on ProwJobs and their pods (PROW-REFERENCE 1.8)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.api.refs import Refs
from bowsprit.lib.labels import MAX_LABEL_VALUE, truncated

CREATED_BY_PROW = "created-by-prow"
JOB = "prow.k8s.io/job"
TYPE = "prow.k8s.io/type"
CONTEXT = "prow.k8s.io/context"
ORG = "prow.k8s.io/refs.org"
REPO = "prow.k8s.io/refs.repo"
BASE_REF = "prow.k8s.io/refs.base_ref"
PULL = "prow.k8s.io/refs.pull"
ID = "prow.k8s.io/id"
BUILD_ID = "prow.k8s.io/build-id"
PLANK_VERSION = "prow.k8s.io/plank-version"

_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def valid_label_value(value: str) -> bool:
    return len(value) <= MAX_LABEL_VALUE and bool(_LABEL_VALUE.match(value))


def main_refs(spec: ProwJobSpec) -> Refs | None:
    """The refs that name the job's repository: refs, else the first extra ref."""
    if spec.refs is not None:
        return spec.refs
    return spec.extra_refs[0] if spec.extra_refs else None


def for_spec(
    spec: ProwJobSpec,
    extra_labels: Mapping[str, str] | None = None,
    extra_annotations: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Prow's LabelsAndAnnotationsForSpec: descriptive labels are cut to 63 characters and
    the full values kept in annotations; a value Kubernetes would reject is replaced by
    its path basename when that is valid, else dropped."""
    labels = {CREATED_BY_PROW: "true", TYPE: spec.type, JOB: truncated(spec.job)}
    annotations = {JOB: spec.job}
    refs = main_refs(spec)
    if spec.type != "periodic" and refs is not None:
        labels.update({ORG: refs.org, REPO: refs.repo, BASE_REF: refs.base_ref or ""})
        if refs.pulls:
            labels[PULL] = str(refs.pulls[0].number)
    if spec.context:
        labels[CONTEXT] = truncated(spec.context)
        annotations[CONTEXT] = spec.context
    labels.update(extra_labels or {})
    annotations.update(extra_annotations or {})
    return _valid(labels), annotations


def for_pod(
    name: str,
    spec: ProwJobSpec,
    build_id: str,
    job_labels: Mapping[str, str],
    job_annotations: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, str]]:
    """Prow's LabelsAndAnnotationsForJob: the ProwJob's own labels plus its name and build."""
    return for_spec(spec, {**job_labels, ID: name, BUILD_ID: build_id}, job_annotations)


def _valid(labels: dict[str, str]) -> dict[str, str]:
    kept = {}
    for key, value in labels.items():
        if valid_label_value(value):
            kept[key] = value
        elif valid_label_value(base := posixpath.basename(value)):
            kept[key] = base
    return kept
