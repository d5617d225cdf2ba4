"""`bowsprit`: one entry point for every component and tool.

`main` only parses flags and wires things up; the work lives in the component packages.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bowsprit import __version__

# Components and what each does; each becomes `bowsprit <name>` as it lands.
COMPONENTS: dict[str, str] = {}


# Components that exist, and the module whose add_flags/run implement their command.
BUILT: dict[str, tuple[str, str]] = {
    "emulator": (
        "serve a Kubernetes API emulator on 127.0.0.1 (a light cluster for tests)",
        "bowsprit.emulator.main",
    ),
    "local": (
        "run Bowsprit on this machine: the emulator, the operators, and job pods as processes",
        "bowsprit.local.main",
    ),
    "plank": ("operator: run ProwJobs as pods, followed to the end", "bowsprit.plank.main"),
    "horologium": ("operator: start Periodics' runs on schedule", "bowsprit.horologium.main"),
    "sinker": ("operator: delete old ProwJobs and job pods", "bowsprit.sinker.main"),
    "hook": ("service: GitHub webhooks to plugins and ProwJobs", "bowsprit.hook.main"),
    "crier": ("operator: report ProwJob states to GitHub and Slack", "bowsprit.crier.main"),
    "deck": ("service: the dashboard (job list, Spyglass, histories, Tide)", "bowsprit.deck.main"),
    "ghproxy": ("service: caching proxy for the GitHub API", "bowsprit.ghproxy.main"),
    "status-reconciler": (
        "operator: keeps contexts of open PRs in step with BlockingPresubmits",
        "bowsprit.statusreconciler.main",
    ),
    "tide": ("operator: merge pull requests of TidePools", "bowsprit.tide.main"),
    "clonerefs": ("pod utility: clone the refs of a job", "bowsprit.podutils.clonerefs"),
    "initupload": ("pod utility: record the start of a job", "bowsprit.podutils.initupload"),
    "entrypoint": (
        "pod utility: run the test, capture its log and exit code",
        "bowsprit.podutils.entrypoint",
    ),
    "sidecar": ("pod utility: upload logs and artifacts", "bowsprit.podutils.sidecar"),
    "convert": (
        "convert Prow's config, plugins and job files into Bowsprit manifests",
        "bowsprit.convert.main",
    ),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole CLI; with `only`, just that command's module is imported (a pod utility
    starts in a fraction of the time it takes to import every operator)."""
    parser = argparse.ArgumentParser(
        prog="bowsprit",
        description="Kubernetes-native CI for GitHub projects, configured by custom resources.",
    )
    parser.add_argument("--version", action="version", version=f"bowsprit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    version = commands.add_parser("version", help="print the version")
    version.set_defaults(run=_run_version)

    check = commands.add_parser(
        "check",
        help="validate CR manifests and Prow config files (like Prow's checkconfig)",
        description="Validate bowsprit.dev manifests and Prow job/config files against the "
        "API: schema and CEL rules. Prints every problem with its file, object and field; "
        "exits 1 when there is any.",
    )
    check.add_argument("paths", nargs="+", type=Path, help="files or folders to check")
    check.add_argument(
        "--build-clusters",
        default=None,
        help="comma-separated build cluster aliases the installation has (`default` "
        "always); jobs naming another are reported. Without it, aliases are not checked",
    )
    check.set_defaults(run=_run_check)

    gen = commands.add_parser("gen", help="generate files from the API models")
    gen.add_argument("what", choices=["crds"], help="what to generate")
    gen.add_argument("--out", type=Path, default=Path("crds"), help="output folder")
    gen.add_argument(
        "--chart-out",
        type=Path,
        default=None,
        help="also write the CRDs as Helm templates into this folder "
        "(charts/bowsprit/templates/crds)",
    )
    gen.set_defaults(run=_run_gen)

    for name, (summary, module) in BUILT.items():
        built = commands.add_parser(name, help=summary, description=summary)
        if only is not None and name != only:
            continue
        # Each component's main module holds add_flags(parser) and run(args).
        main_module = importlib.import_module(module)
        main_module.add_flags(built)
        built.set_defaults(run=main_module.run)

    for name, summary in COMPONENTS.items():
        component = commands.add_parser(name, help=summary, description=summary)
        component.set_defaults(run=_not_yet(name))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = next((argument for argument in arguments if not argument.startswith("-")), None)
    args = build_parser(command if command in BUILT else None).parse_args(arguments)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)


def _run_version(_: argparse.Namespace) -> int:
    print(f"bowsprit {__version__}")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from bowsprit.checkconfig.check import check
    from bowsprit.hook.plugins import PLUGINS

    missing = [path for path in args.paths if not path.exists()]
    if missing:
        for path in missing:
            print(f"{path}: no such file or folder", file=sys.stderr)
        return 2
    aliases = getattr(args, "build_clusters", None)
    clusters = None if aliases is None else {a.strip() for a in aliases.split(",") if a.strip()}
    report = check(args.paths, known_plugins=frozenset(PLUGINS), build_clusters=clusters)
    for item in report.problems:
        print(item)
    print(report.summary())
    return 1 if report.errors else 0


def _run_gen(args: argparse.Namespace) -> int:
    from bowsprit.api.crdgen import write_crds

    for path in write_crds(args.out, args.chart_out):
        print(path)
    return 0


def _not_yet(name: str) -> Callable[[argparse.Namespace], int]:
    def run(_: argparse.Namespace) -> int:
        print(f"bowsprit {name}: not available in bowsprit {__version__} yet", file=sys.stderr)
        return 2

    return run
