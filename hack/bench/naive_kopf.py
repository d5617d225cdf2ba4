"""A naive kopf operator: the baseline `plank.py` measures plank against (issue #15).

Written as a first-time kopf user would write it from kopf's docs, and no worse: one
synchronous `on.create` handler for ProwJobs that creates a plain pod from
`spec.pod_spec` with the official client's `CoreV1Api` (one client for the process, not
one per call) and sets the ProwJob's status to pending with the pod's name through
`patch.status` (kopf sends it to the status subresource). kopf's settings are its
defaults: sync handlers in its default `ThreadPoolExecutor()` (6 threads on 2 cores),
one worker per ProwJob, its `last-handled-configuration` annotation on each ProwJob,
no Events for handler log lines (kopf 1.45's default). No retry of its own, no adoption
of an existing pod: kopf retries a failed handler.

    KUBECONFIG=... kopf run --standalone --namespace NS hack/bench/naive_kopf.py
"""

from __future__ import annotations

import datetime
from typing import Any

import kopf
import kubernetes

clients: dict[str, kubernetes.client.CoreV1Api] = {}


@kopf.on.startup()
def connect(logger: kopf.Logger, **_: Any) -> None:
    kubernetes.config.load_kube_config()  # KUBECONFIG, as kopf's own login reads it
    clients["core"] = kubernetes.client.CoreV1Api()
    logger.info("naive operator started")


@kopf.on.create("bowsprit.dev", "v1", "prowjobs")
def start_pod(spec: kopf.Spec, name: str, namespace: str, patch: kopf.Patch, **_: Any) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": dict(spec["pod_spec"]),
    }
    clients["core"].create_namespaced_pod(namespace, pod)
    patch.status["state"] = "pending"
    patch.status["pod_name"] = name
    # A kopf handler has no clock passed in: the naive operator reads the wall clock.
    patch.status["pendingTime"] = datetime.datetime.now(datetime.UTC).strftime(  # noqa: TID251
        "%Y-%m-%dT%H:%M:%SZ"
    )
