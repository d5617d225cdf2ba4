"""What plugins ask for, as values: the dispatcher carries them out in order, so a
plugin's decisions can be tested without GitHub or Kubernetes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CreateProwJob:
    body: dict[str, Any] = field(hash=False)

    @property
    def job(self) -> str:
        return str(self.body["spec"]["job"])


@dataclass(frozen=True)
class AbortPresubmits:
    """Abort the incomplete presubmits of a pull request (Prow's abortAllJobs)."""

    namespace: str  # where the ProwJobs are
    org: str
    repo: str
    number: int


@dataclass(frozen=True)
class Comment:
    org: str
    repo: str
    number: int
    body: str


@dataclass(frozen=True)
class AddLabel:
    org: str
    repo: str
    number: int
    label: str


@dataclass(frozen=True)
class RemoveLabel:
    org: str
    repo: str
    number: int
    label: str


Effect = CreateProwJob | AbortPresubmits | Comment | AddLabel | RemoveLabel
