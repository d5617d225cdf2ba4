"""A ProwJob's pod, as Prow's decorate.ProwJobToPod builds it (PROW-REFERENCE 2.9)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bowsprit.api.preset import Preset
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod import labels as prow_labels
from bowsprit.jobpod.decorate import DecorationError, decorate, env_list
from bowsprit.jobpod.downward import env_for
from bowsprit.jobpod.presets import PresetConflict, with_presets

TEST_CONTAINER = "test"


class PodRenderError(ValueError):
    """The job cannot become a pod (the job finishes as error with this message)."""


def prowjob_to_pod(
    name: str,
    namespace: str,
    spec: ProwJobSpec,
    build_id: str,
    job_labels: Mapping[str, str],
    job_annotations: Mapping[str, str],
    presets: Sequence[Preset] = (),
) -> dict[str, Any]:
    """The pod of run `name` of `spec` with build `build_id`, named after the ProwJob;
    `presets` (plank's) are merged in for the job's labels before decoration."""
    if spec.pod_spec is None:
        raise PodRenderError("the job has no pod_spec")
    pod_spec: dict[str, Any] = spec.pod_spec.model_dump(mode="json", exclude_none=True)
    try:
        pod_spec = with_presets(pod_spec, job_labels, presets)
    except PresetConflict as conflict:
        raise PodRenderError(str(conflict)) from conflict
    pod_spec["restartPolicy"] = "Never"
    containers: list[dict[str, Any]] = pod_spec.get("containers") or []
    if not containers:
        raise PodRenderError("the job's pod_spec has no containers")
    if len(containers) == 1:
        containers[0]["name"] = TEST_CONTAINER
    if "automountServiceAccountToken" not in pod_spec and not pod_spec.get("serviceAccountName"):
        # Tests get no API credentials unless the job itself names a service account;
        # decided before decoration applies default_service_account_name, as Prow does.
        pod_spec["automountServiceAccountToken"] = False
    downward = env_for(spec, name, build_id)
    if spec.decoration_config is None:
        for container in containers:
            container["env"] = [*(container.get("env") or []), *env_list(downward)]
    else:
        try:
            decorate(pod_spec, spec, downward)
        except DecorationError as error:
            raise PodRenderError(str(error)) from error
    for container in [*(pod_spec.get("initContainers") or []), *containers]:
        # A snippet of the failure stays in the pod status after the logs are gone.
        container.setdefault("terminationMessagePolicy", "FallbackToLogsOnError")
    labels, annotations = prow_labels.for_pod(name, spec, build_id, job_labels, job_annotations)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "annotations": annotations,
        },
        "spec": pod_spec,
    }
