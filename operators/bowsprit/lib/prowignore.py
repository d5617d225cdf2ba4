"""The files of a folder that Prow's job config loader reads (pkg/config ReadJobConfig):
none under a `..`-prefixed name (Kubernetes volume internals) and none that a
`.prowignore` (gitignore syntax) in the folder, or in a folder between it and the file,
ignores. Used by `bowsprit convert` and `bowsprit check`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pathspec

PROW_IGNORE = ".prowignore"  # Prow's ProwIgnoreFileName


def read_files(folder: Path, suffixes: Sequence[str]) -> list[Path]:
    """The files under `folder` with one of `suffixes` that Prow would read, sorted."""
    ignores = {
        found.parent: pathspec.GitIgnoreSpec.from_lines(
            found.read_text(encoding="utf-8").splitlines()
        )
        for found in folder.rglob(PROW_IGNORE)
    }
    kept = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in suffixes or not path.is_file():
            continue
        if any(part.startswith("..") for part in path.relative_to(folder).parts):
            continue
        if any(
            spec.match_file(path.relative_to(base).as_posix())
            for base, spec in ignores.items()
            if base in path.parents
        ):
            continue
        kept.append(path)
    return kept
