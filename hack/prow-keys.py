"""Write the shapes of Prow's config.yaml and plugins.yaml (every key Prow accepts) from
Prow's generated documentation (pkg/config/prow-config-documented.yaml,
pkg/plugins/plugin-config-documented.yaml), for the converter's unknown-key check.

Usage: python hack/prow-keys.py [PROW_GIT_DIR]   (default: /work/.mirror/kubernetes-sigs+prow/repo)
A shape is {key: shape} for a struct, {"": shape} for a map, [shape] for a list, null for a
scalar or a Kubernetes type.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

# Every JSON field name in Prow's config, plugin and ProwJob types: a key missing from the
# documentation's shape but named here is one Prow accepts (documentation gaps such as
# raw JSON fields), so it is reported as not used rather than rejected.
TAG_PATHS = ["pkg/config/*.go", "pkg/plugins/*.go", "pkg/apis/prowjobs/v1/*.go", ":!*_test.go"]
SOURCES = {
    "config.json": "pkg/config/prow-config-documented.yaml",
    "plugins.json": "pkg/plugins/plugin-config-documented.yaml",
}
OUT = Path(__file__).resolve().parent.parent / "operators/bowsprit/api/prowkeys"


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            str(key): shape(item) for key, item in sorted(value.items(), key=lambda kv: str(kv[0]))
        }
    if isinstance(value, list):
        return [shape(value[0])] if value else [None]
    return None


def json_fields(git_dir: str) -> list[str]:
    found = subprocess.run(
        ["git", "--git-dir", git_dir, "grep", "-h", "-o", 'json:"[^",]*', "HEAD", "--", *TAG_PATHS],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted({line.removeprefix('json:"') for line in found.splitlines()} - {"", "-"})


def main() -> None:
    git_dir = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/kubernetes-sigs+prow/repo"
    commit = subprocess.run(
        ["git", "--git-dir", git_dir, "rev-parse", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    for name, source in SOURCES.items():
        text = subprocess.run(
            ["git", "--git-dir", git_dir, "show", f"HEAD:{source}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        data = {
            "source": f"kubernetes-sigs/prow@{commit}:{source}",
            "shape": shape(yaml.safe_load(text)),
            "fields": json_fields(git_dir),
        }
        (OUT / name).write_text(
            json.dumps(data, indent=None, sort_keys=True) + "\n", encoding="utf-8"
        )
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
