"""`bowsprit sinker`: Delete old ProwJobs and job pods, as Prow's sinker does."""

from __future__ import annotations

import argparse

from bowsprit.clients.operator import add_operator_flags, run_operator
from bowsprit.sinker.registry import Deps, build_registry


def add_flags(parser: argparse.ArgumentParser) -> None:
    add_operator_flags(parser)


def run(args: argparse.Namespace) -> int:
    return run_operator(build_registry(), Deps.from_args(args), args)
