"""`bowsprit convert`: read Prow's files, write Bowsprit manifests and CONVERSION.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from bowsprit.convert.convert import Role, Source, convert
from bowsprit.convert.output import render
from bowsprit.convert.templates import translate_templates
from bowsprit.lib.prowignore import read_files

SUFFIXES = (".yaml", ".yml")


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Convert Prow's config.yaml, plugins.yaml and job files into Bowsprit CR manifests "
        "laid out for GitOps (jobs/<org>/<repo>/*.yaml, prowconfig.yaml, tidepools.yaml, "
        "pluginconfigs.yaml, kustomization.yaml) and a report of every Prow field not "
        "carried over (stdout and CONVERSION.md)."
    )
    parser.add_argument("--config", type=Path, action="append", default=[], help="config.yaml")
    parser.add_argument("--plugins", type=Path, action="append", default=[], help="plugins.yaml")
    parser.add_argument(
        "--jobs", type=Path, nargs="+", action="extend", default=[], help="job files or folders"
    )
    parser.add_argument("--namespace", default=None, help="namespace of every object")
    parser.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when any Prow field was not carried over"
    )


def run(args: argparse.Namespace) -> int:
    inputs: list[tuple[Path, Role]] = [
        *((path, "config") for path in args.config),
        *((path, "plugins") for path in args.plugins),
        *((path, "jobs") for path in args.jobs),
    ]
    if not inputs:
        print("bowsprit convert: give --config, --plugins or --jobs", file=sys.stderr)
        return 2
    missing = [path for path, _ in inputs if not path.exists()]
    for path in missing:
        print(f"{path}: no such file or folder", file=sys.stderr)
    if missing:
        return 2
    try:
        sources = read_sources(inputs)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        print(f"bowsprit convert: {error}", file=sys.stderr)
        return 1
    conversion = convert(sources, args.namespace)
    translate_templates(conversion)
    files = render(conversion)
    write(args.out, files)
    sys.stdout.write(files["CONVERSION.md"])
    if conversion.errors:
        return 1
    return 1 if args.strict and conversion.not_carried else 0


def read_sources(inputs: list[tuple[Path, Role]]) -> list[Source]:
    sources = []
    for path, role in inputs:
        files = read_files(path, SUFFIXES) if path.is_dir() else [path]
        for file in files:
            text = file.read_text(encoding="utf-8")
            for document in yaml.safe_load_all(text):
                sources.append(Source(file.as_posix(), role, document))
    return sources


def _previous_resources(out: Path) -> list[Path]:
    try:
        kustomization = yaml.safe_load((out / "kustomization.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    resources = kustomization.get("resources") if isinstance(kustomization, dict) else None
    root = out.resolve()
    return [
        path
        for path in (out / str(item) for item in resources or [])
        if path.resolve().is_relative_to(root)
    ]


def write(out: Path, files: dict[str, str]) -> None:
    """Write the files; the manifests an earlier run listed in its kustomization.yaml go
    first, so an object removed from Prow's files disappears from the output."""
    out.mkdir(parents=True, exist_ok=True)
    for old in _previous_resources(out):
        old.unlink(missing_ok=True)
        for folder in old.parents:
            if folder == out or not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()
    for path, content in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
