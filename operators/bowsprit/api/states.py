"""The enumerations of the ProwJob model: states, types and agents."""

from __future__ import annotations

from typing import Literal

ProwJobState = Literal[
    "scheduling", "triggered", "pending", "success", "failure", "aborted", "error"
]
ProwJobType = Literal["presubmit", "postsubmit", "periodic", "batch"]
ProwJobAgent = Literal["kubernetes", "jenkins", "tekton-pipeline"]

# States after which nothing changes but completionTime (aborted is final once completed).
FINAL_STATES: tuple[ProwJobState, ...] = ("success", "failure", "error")
