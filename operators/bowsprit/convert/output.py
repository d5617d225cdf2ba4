"""The converted objects as files laid out for GitOps, and the report.

Layout (under the output folder):
    jobs/<org>/<repo>/{blockingpresubmits,presubmits,postsubmits}.yaml
    jobs/periodics.yaml, prowconfig.yaml, tidepools.yaml, pluginconfigs.yaml,
    presets.yaml, kustomization.yaml (listing them all), CONVERSION.md (the report).
Every object is preceded by a comment naming the Prow file it came from; keys keep the
models' order and empty fields are left out, so the same input gives the same bytes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import yaml

from bowsprit.convert.convert import Conversion, Converted, Finding

_KIND_FILES = {
    "ProwConfig": "prowconfig.yaml",
    "TidePool": "tidepools.yaml",
    "PluginConfig": "pluginconfigs.yaml",
    "Preset": "presets.yaml",
    "Periodic": "jobs/periodics.yaml",
}
_REPO_KINDS = {
    "BlockingPresubmit": "blockingpresubmits.yaml",
    "Presubmit": "presubmits.yaml",
    "Postsubmit": "postsubmits.yaml",
}


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line strings (scripts stay readable)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not _trailing_spaces(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _trailing_spaces(value: str) -> bool:
    # PyYAML cannot write a block scalar whose lines end in spaces; it falls back to quotes.
    return any(line != line.rstrip(" \t") for line in value.split("\n"))


_Dumper.add_representer(str, _str)


def dump(document: Any) -> str:
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,  # never fold a long template or command line
    )


def file_for(item: Converted) -> str:
    obj = item.obj
    if obj.kind in _REPO_KINDS:
        spec: Any = getattr(obj, "spec", None)
        return f"jobs/{spec.org}/{spec.repo}/{_REPO_KINDS[obj.kind]}"
    return _KIND_FILES.get(obj.kind, f"{obj.kind.lower()}s.yaml")


def render(conversion: Conversion) -> dict[str, str]:
    """Relative path -> file content, for every file of the output folder."""
    by_file: dict[str, list[Converted]] = defaultdict(list)
    for item in conversion.objects:
        by_file[file_for(item)].append(item)
    files = {
        path: "---\n".join(
            f"# From {item.source}\n{dump(item.obj.to_manifest())}" for item in items
        )
        for path, items in sorted(by_file.items())
    }
    files["kustomization.yaml"] = (
        "# Written by `bowsprit convert`; apply with `kubectl apply -k` or a GitOps tool.\n"
        + dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": sorted(by_file),
            }
        )
    )
    files["CONVERSION.md"] = report(conversion)
    return dict(sorted(files.items()))


def report(conversion: Conversion) -> str:
    counts: dict[str, int] = defaultdict(int)
    for item in conversion.objects:
        counts[item.obj.kind] += 1
    lines = ["# Conversion report", "", "Written by `bowsprit convert`.", "", "## Objects", ""]
    lines += [f"- {kind}: {count}" for kind, count in sorted(counts.items())] or ["- none"]
    sections = (
        ("Errors (Prow would reject these too; fix them in the Prow files)", conversion.errors),
        ("Not carried over", conversion.not_carried),
        ("Notes", conversion.warnings),
    )
    for title, findings in sections:
        lines += ["", f"## {title}", ""]
        lines += [_line(item) for item in findings] or ["None."]
    return "\n".join(lines) + "\n"


def _line(item: Finding) -> str:
    problem = item.problem
    where = f"`{problem.field}`" if problem.field else "(whole object)"
    message = problem.message.removeprefix("not used: ")
    return f"- {item.source}: {problem.obj}: {where}: {message}"
