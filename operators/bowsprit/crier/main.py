"""`bowsprit crier`: report ProwJob states to GitHub (statuses, failure comments) and Slack."""

from __future__ import annotations

import argparse
from pathlib import Path

from bowsprit.clients.artifacts import open_store
from bowsprit.clients.buildclusters import BuildClusters, add_build_cluster_flags
from bowsprit.clients.github import (
    GitHubClient,
    GitHubError,
    add_github_flags,
    settings_from_args,
)
from bowsprit.clients.operator import add_operator_flags, run_operator
from bowsprit.clients.slack import SlackError, SlackWebhook, read_webhook_url
from bowsprit.crier.blob import BlobReporter
from bowsprit.crier.registry import Deps, build_registry, pull_jobs
from bowsprit.crier.report import GitHubReporter, SlackReporter


def add_flags(parser: argparse.ArgumentParser) -> None:
    add_operator_flags(parser)
    add_build_cluster_flags(parser)  # the blob reporter reads pods in their build cluster
    add_github_flags(parser)
    # Prow's flags: a reporter runs only with workers; 0 turns it off.
    parser.add_argument(
        "--github-workers", type=int, default=0, help="GitHub reporter workers (0: off)"
    )
    parser.add_argument(
        "--slack-workers", type=int, default=0, help="Slack reporter workers (0: off)"
    )
    parser.add_argument(
        "--kubernetes-blob-storage-workers",
        type=int,
        default=0,
        help="blob reporter workers: podinfo.json, and finished.json for jobs whose pod never "
        "wrote one (0: off)",
    )
    parser.add_argument(
        "--s3-credentials-file", default="", help="Prow's s3-credentials JSON (blob reporter)"
    )
    parser.add_argument(
        "--slack-webhook-url-file",
        type=Path,
        default=None,
        help="file holding the Slack incoming-webhook URL (a mounted secret)",
    )


def run(args: argparse.Namespace) -> int:
    if max(args.github_workers, args.slack_workers, args.kubernetes_blob_storage_workers) <= 0:
        raise SystemExit(
            "crier: no reporter enabled (--github-workers, --slack-workers, "
            "--kubernetes-blob-storage-workers)"
        )
    if args.slack_workers > 0 and args.slack_webhook_url_file is None:
        raise SystemExit("crier: --slack-workers needs --slack-webhook-url-file")
    try:
        github = GitHubClient(settings_from_args(args)) if args.github_workers > 0 else None
        slack = (
            SlackWebhook(read_webhook_url(args.slack_webhook_url_file))
            if args.slack_workers > 0
            else None
        )
    except (GitHubError, SlackError) as error:
        raise SystemExit(f"crier: {error}") from error
    deps = Deps.from_args(args)
    if github is not None:
        reporter = GitHubReporter(github, known=lambda job: pull_jobs(deps, job))
        deps.reporters.append((reporter, args.github_workers))
        deps.closers.append(github.aclose)
    if slack is not None:
        deps.reporters.append((SlackReporter(slack), args.slack_workers))
        deps.closers.append(slack.aclose)
    if args.kubernetes_blob_storage_workers > 0:
        deps.reporters.append((blob_reporter(deps, args), args.kubernetes_blob_storage_workers))
    config = deps.prow_config()
    # crier watches the ProwJobs' namespace and its config's only (least privilege).
    namespaces = sorted({deps.config_namespace, config.prowjob_namespace})
    return run_operator(build_registry(), deps, args, namespaces=namespaces)


def blob_reporter(deps: Deps, args: argparse.Namespace) -> BlobReporter:
    credentials = args.s3_credentials_file or None
    clusters = BuildClusters.from_args(args, deps.cluster)
    return BlobReporter(
        deps.cluster,
        lambda bucket: open_store(bucket, s3_credentials_file=credentials),
        deps.bodies.get,
        pods_in=clusters.get_fresh,
    )
