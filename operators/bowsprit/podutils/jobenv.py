"""What a utility knows about its run: JOB_SPEC and its options variable."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TypeVar

from pydantic import ValidationError

from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.jobpod.options import Options

OptionsT = TypeVar("OptionsT", bound=Options)


class UsageError(Exception):
    """Options or JOB_SPEC are missing or malformed (the utility exits 2)."""


@dataclass(frozen=True)
class Run:
    """The run a pod belongs to."""

    spec: ProwJobSpec
    build_id: str
    prowjob_id: str


def read_options(variable: str, model: type[OptionsT]) -> OptionsT:
    raw = os.environ.get(variable)
    if not raw:
        raise UsageError(f"{variable} is not set")
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise UsageError(f"{variable}: {error}") from error


def read_run() -> Run:
    raw = os.environ.get("JOB_SPEC")
    if not raw:
        raise UsageError("JOB_SPEC is not set")
    try:
        body = json.loads(raw)
        build_id, prowjob_id = str(body.pop("buildid", "")), str(body.pop("prowjobid", ""))
        return Run(ProwJobSpec.model_validate(body), build_id, prowjob_id)
    except (ValueError, ValidationError) as error:
        raise UsageError(f"JOB_SPEC: {error}") from error
