"""`bowsprit plank`: Run ProwJobs as pods and follow them to the end, as Prow's plank does."""

from __future__ import annotations

import argparse

from bowsprit.clients.buildclusters import BuildClusters, add_build_cluster_flags
from bowsprit.clients.operator import add_operator_flags, run_operator
from bowsprit.plank.registry import Deps, build_registry


def add_flags(parser: argparse.ArgumentParser) -> None:
    add_operator_flags(parser)
    add_build_cluster_flags(parser)
    parser.add_argument(
        "--build-cluster-check-period",
        type=float,
        default=60.0,
        help="seconds between build cluster status checks and credential reloads",
    )
    parser.add_argument(
        "--events",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="post a Kubernetes Event on each ProwJob transition (queued, off the hot path)",
    )


def run(args: argparse.Namespace) -> int:
    deps = Deps.from_args(args)
    deps.post_events = args.events
    deps.build_clusters = BuildClusters.from_args(args, deps.cluster)
    deps.cluster_check_period = args.build_cluster_check_period
    config = deps.prow_config()
    # plank watches three namespaces only: its config's, the ProwJobs' and the pods'.
    namespaces = sorted({deps.config_namespace, config.prowjob_namespace, config.pod_namespace})
    return run_operator(build_registry(), deps, args, namespaces=namespaces)
