"""The environment every test container gets (Prow's downwardapi.EnvForSpec, 1.10)."""

from __future__ import annotations

import json
from typing import Any

from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.api.refs import Refs


def job_spec(spec: ProwJobSpec, name: str, build_id: str) -> dict[str, Any]:
    """JOB_SPEC: the run described for the tools inside the pod, in Prow's field order."""
    body: dict[str, Any] = {"type": spec.type, "job": spec.job, "buildid": build_id}
    body["prowjobid"] = name
    for field in ("refs", "extra_refs", "decoration_config"):
        value = getattr(spec, field)
        if value:
            body[field] = _dumped(value)
    return body


def _dumped(value: Any) -> Any:
    if isinstance(value, list):
        return [_dumped(item) for item in value]
    return value.model_dump(mode="json", exclude_none=True)


def refs_string(refs: Refs) -> str:
    """PULL_REFS: `base_ref:base_sha,number:sha[:ref],...`, as Prow's Refs.String."""
    parts = [f"{refs.base_ref or ''}:{refs.base_sha}" if refs.base_sha else refs.base_ref or ""]
    for pull in refs.pulls or []:
        part = f"{pull.number}:{pull.sha}"
        parts.append(f"{part}:{pull.ref}" if pull.ref else part)
    return ",".join(parts)


def source_location(refs: Refs) -> tuple[str, str]:
    """SRC_HOST and SRC_BASE: where the code lives under $GOPATH/src, split at the first
    slash of path_alias (else of repo_link without its scheme), as Prow's EnvForSpec."""
    default_base = f"{refs.org}/{refs.repo}"
    location = refs.path_alias or (refs.repo_link or "").split("://")[-1]
    if not location:
        return "github.com", default_base
    host, slash, base = location.partition("/")
    return (host, base) if slash else (host, default_base)


def env_for(spec: ProwJobSpec, name: str, build_id: str) -> dict[str, str]:
    env = {
        "CI": "true",
        "JOB_NAME": spec.job,
        "JOB_SPEC": json.dumps(job_spec(spec, name, build_id), separators=(",", ":")),
        "JOB_TYPE": spec.type,
        "PROW_JOB_ID": name,
        "BUILD_ID": build_id,
    }
    if spec.agent in (None, "kubernetes"):  # unset means kubernetes in Bowsprit
        env["BUILD_NUMBER"] = build_id  # deprecated in Prow, still set for this agent
    if spec.type == "periodic" or spec.refs is None:
        return env
    refs = spec.refs
    host, base = source_location(refs)
    env.update(
        REPO_OWNER=refs.org,
        REPO_NAME=refs.repo,
        SRC_HOST=host,
        SRC_BASE=base,
        PULL_BASE_REF=refs.base_ref or "",
        PULL_BASE_SHA=refs.base_sha or "",
        PULL_REFS=refs_string(refs),
    )
    if spec.type != "presubmit" or not refs.pulls:
        return env
    pull = refs.pulls[0]
    env.update(
        PULL_NUMBER=str(pull.number),
        PULL_PULL_SHA=pull.sha,
        PULL_HEAD_REF=pull.head_ref or "",
        PULL_TITLE=pull.title or "",
    )
    return env
