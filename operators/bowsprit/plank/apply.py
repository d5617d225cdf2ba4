"""Carrying out plank's decisions through the API (blocking; run in worker threads)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bowsprit import __version__
from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.clients.buildclusters import BuildClusters, UnknownCluster, reaching
from bowsprit.clients.cluster import ApiError, Cluster, error_message
from bowsprit.jobpod.defaults import with_decoration_defaults
from bowsprit.jobpod.labels import PLANK_VERSION
from bowsprit.jobpod.render import PodRenderError, prowjob_to_pod
from bowsprit.plank import decide as rules
from bowsprit.plank.buildid import BuildIds
from bowsprit.plank.joburl import JobUrlError, job_url
from bowsprit.plank.observe import Job, pod_from
from bowsprit.plank.state import ClusterState, Tracked

logger = logging.getLogger("bowsprit.plank")
Event = tuple[str, str]
"""An Event to post on the ProwJob: (reason, message)."""


@dataclass(frozen=True)
class Outcome:
    """What a reconcile did: the action, and the Event to post when the state changed."""

    action: rules.Action
    event: Event | None = None


@dataclass
class Applier:
    cluster: Cluster
    state: ClusterState
    build_ids: BuildIds
    dry_run: bool = False
    clusters: BuildClusters | None = None
    """Where job pods go, by alias; None: all in `cluster`."""

    def pods_in(self, job: Job) -> tuple[Cluster, str]:
        """The client of the job's build cluster and its server (the key of its pods).
        UnknownCluster when the alias is not configured, ClusterUnavailable when its
        credentials make no client."""
        if self.clusters is None:
            return self.cluster, ""
        alias = job.spec.cluster
        return self.clusters.get(alias), self.clusters.server(alias)

    def patch_status(self, tracked: Tracked, status: dict[str, Any]) -> None:
        """Write status only over the version the decision was made from (409 otherwise),
        so a stale picture can never transition a job twice."""
        if self.dry_run:
            logger.info("dry run: %s status %s", tracked.job.name, status)
            return
        job = tracked.job
        patched = self.cluster.patch_custom_status(
            job.namespace, "prowjobs", job.name, status, resource_version=tracked.version
        )
        self.state.saw_job(patched)

    def delete_pod(self, job: Job, namespace: str) -> None:
        name = job.name
        if self.dry_run:
            logger.info("dry run: delete pod %s/%s", namespace, name)
            return
        try:
            cluster, _ = self.pods_in(job)
        except UnknownCluster as error:
            logger.warning("%s: pod not deleted: %s", name, error)
            return  # its alias was removed: nothing plank can reach
        try:
            with reaching(job.spec.cluster):
                cluster.delete_pod(namespace, name)
        except ApiError as error:
            if error.status != 404:
                raise

    def create_pod(self, job: Job, config: ProwConfigSpec) -> tuple[str | None, str | None]:
        """Create the job's pod; returns (build ID, None), or (None, why it cannot be
        created). A pod already there (an earlier try whose status write was lost) is
        taken as it is. 5xx, 429 and connection errors raise, to be retried."""
        build_id = self.build_ids.next()
        namespace = config.pod_namespace
        spec = with_decoration_defaults(job.spec, config.plank)
        try:
            body = prowjob_to_pod(
                job.name,
                namespace,
                spec,
                build_id,
                job.labels,
                job.annotations,
                config.plank.presets or (),
            )
        except PodRenderError as error:
            return None, str(error)
        body["metadata"]["labels"][PLANK_VERSION] = __version__
        if self.dry_run:
            logger.info("dry run: create pod %s/%s", namespace, job.name)
            return build_id, None
        cluster, server = self.pods_in(job)
        try:
            with reaching(job.spec.cluster):
                created = cluster.create_pod(namespace, body)
        except ApiError as error:
            if error.status == 409:
                with reaching(job.spec.cluster):
                    existing = cluster.get_pod(namespace, job.name)
                if existing is None:
                    raise  # deleted meanwhile: the retry creates it
                self.state.saw_pod(existing, server=server)
                return pod_from(existing).build_id, None
            if 400 <= error.status < 500 and error.status != 429:
                return None, error_message(error)
            raise
        self.state.saw_pod(created, server=server)
        return build_id, None

    def url(self, job: Job, build_id: str, config: ProwConfigSpec) -> str | None:
        try:
            spec = with_decoration_defaults(job.spec, config.plank)
            return job_url(replace(job, spec=spec), build_id, config.plank)
        except JobUrlError as error:
            logger.warning("%s: %s", job.name, error)
            return None

    def with_build_id(
        self, job: Job, status: dict[str, Any], config: ProwConfigSpec
    ) -> dict[str, Any]:
        """A job ending without ever having had a pod (refused, undecoratable, aborted
        while triggered) still gets a build ID and its URL, as Prow gives one before the
        pod: crier's blob reporter then writes its finished.json, so deck's job and PR
        histories show the run."""
        if job.status.build_id:
            return status
        build_id = self.build_ids.next()
        url = self.url(job, build_id, config)
        return {**status, "build_id": build_id, **({"url": url} if url else {})}

    def carry_out(
        self, tracked: Tracked, action: rules.Action, config: ProwConfigSpec, now: datetime
    ) -> Outcome:
        job = tracked.job
        namespace = config.pod_namespace
        if action.kind in ("start", "revive"):
            build_id, refused = self.create_pod(job, config)
            if refused is not None or build_id is None:
                return self.carry_out(tracked, rules.cannot_create(refused or "", now), config, now)
            url = self.url(job, build_id, config)
            if action.kind == "start":
                self.patch_status(tracked, rules.started_status(build_id, job.name, now, url))
                return Outcome(action, ("Pending", f"Job triggered; pod {job.name} created."))
            self.patch_status(tracked, {**action.status, **rules.revived_status(build_id, url)})
            return Outcome(action, ("Revived", action.reason))
        if action.kind == "adopt":
            tracked_pod = self.state.observe(job.name)[1]
            build_id = tracked_pod.build_id if tracked_pod else ""
            url = self.url(job, build_id, config)
            self.patch_status(tracked, rules.started_status(build_id, job.name, now, url))
            return Outcome(action, ("Pending", f"Job triggered; pod {job.name} adopted."))
        if action.kind == "abort":
            # Pod first: a restart between the two finds the job still to abort.
            self.delete_pod(job, namespace)
            self.patch_status(tracked, self.with_build_id(job, action.status, config))
            return Outcome(action, ("Aborted", action.reason))
        if action.kind == "finish":
            # Status first: a restart between the two must not take the missing pod for
            # one to revive.
            self.patch_status(tracked, self.with_build_id(job, action.status, config))
            if action.delete_pod:
                self.delete_pod(job, namespace)
            return Outcome(action, (action.status["state"].capitalize(), action.reason))
        if action.kind == "delete-pod":
            # The revival counted first: a restart between the two sees the stopped pod
            # again and counts it again, which errs on the side of max_revivals.
            self.patch_status(tracked, action.status)
            self.delete_pod(job, namespace)
            return Outcome(action, ("Restarting", action.reason))
        return Outcome(action)

    def abort_superseded(self, name: str) -> bool:
        """Abort an older run of a presubmit; False when it changed meanwhile."""
        tracked = self.state.observe(name)[0]
        if tracked is None or tracked.job.status.state not in ("triggered", "pending"):
            return False
        try:
            self.patch_status(tracked, rules.superseded_status())
        except ApiError as error:
            if error.status not in (404, 409, 422):
                raise
            return False  # it moved on (or finished) since; its own reconcile decides
        return True
