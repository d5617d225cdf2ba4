"""`bowsprit sinker`: Delete old ProwJobs and job pods, as Prow's sinker does."""

from __future__ import annotations

import argparse

from bowsprit.clients.buildclusters import BuildClusters, add_build_cluster_flags
from bowsprit.clients.operator import add_operator_flags, run_operator
from bowsprit.sinker.registry import Deps, build_registry


def add_flags(parser: argparse.ArgumentParser) -> None:
    add_operator_flags(parser)
    add_build_cluster_flags(parser)


def run(args: argparse.Namespace) -> int:
    deps = Deps.from_args(args)
    deps.build_clusters = BuildClusters.from_args(args, deps.cluster)
    return run_operator(build_registry(), deps, args)
