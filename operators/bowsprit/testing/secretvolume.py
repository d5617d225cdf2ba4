"""A Secret volume as the kubelet writes it (its AtomicWriter), for tests of components
that must follow a rotated Secret without a restart: the files live in a timestamped
folder, `..data` links to it, and each key is a link through `..data`. An update writes
a new folder and renames a new `..data` link over the old one, then removes the old
folder: readers see the old files or the new ones, never a mix."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

_versions = itertools.count(1)


def write_secret(folder: Path, data: dict[str, str]) -> Path:
    """Create or update the volume at `folder` to hold `data` (key -> text); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "..data"
    old = link.resolve() if link.is_symlink() else None
    fresh = folder / f"..2026_12_05_00_00_00.{next(_versions):09d}"
    fresh.mkdir()
    for key, text in data.items():
        (fresh / key).write_text(text)
        (fresh / key).chmod(0o444)
    staging = folder / "..data_tmp"
    staging.symlink_to(fresh.name)
    os.replace(staging, link)  # the atomic swap
    for key in data:
        if not (folder / key).is_symlink():
            (folder / key).symlink_to(f"..data/{key}")
    if old is not None and old != fresh.resolve():
        shutil.rmtree(old)
    return folder
