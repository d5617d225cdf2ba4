"""Label values from names: Kubernetes allows 63 characters, names can be longer."""

from __future__ import annotations

import hashlib

MAX_LABEL_VALUE = 63


def truncated(text: str) -> str:
    """Prow's rule for descriptive labels (prow.k8s.io/job): cut to 63 characters and drop
    trailing separators; the full value goes in an annotation."""
    return text[:MAX_LABEL_VALUE].rstrip("-_.")


def identifying(name: str) -> str:
    """A label value that identifies `name` even when it is too long: long names keep a
    prefix and a hash of the whole name, so two long names never share a value."""
    if len(name) <= MAX_LABEL_VALUE:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: MAX_LABEL_VALUE - 11].rstrip('-_.')}-{digest}"
