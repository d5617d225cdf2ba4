"""`bowsprit local`: Bowsprit on this machine, no cluster needed.

The Kubernetes API emulator stands in for the cluster, plank, horologium and sinker run
against it as they would in one, and a local kubelet runs job pods' containers as
processes here (images are not pulled: commands run on this machine). Decorated jobs
upload to a folder instead of a bucket. Job definitions are the same CRs a cluster takes.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import kubernetes
import yaml

from bowsprit.api.base import API_VERSION, GROUP, VERSION
from bowsprit.api.crdgen import crd_for
from bowsprit.api.decoration import GCSConfiguration
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.api.registry import BY_KIND, KINDS
from bowsprit.checkconfig.check import input_files
from bowsprit.clients.kube import api_client
from bowsprit.emulator.runner import Emulator
from bowsprit.jobpod.storage import job_dir
from bowsprit.local.kubelet import LocalKubelet
from bowsprit.testing.envtest import free_port

NAMESPACE = "default"
OPERATORS = ("plank", "horologium", "sinker")
FINAL = ("success", "failure", "aborted", "error")
UTILITIES = ("clonerefs", "initupload", "entrypoint", "sidecar")


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders of bowsprit.dev CRs to load"
    )
    parser.add_argument(
        "--exit-after",
        type=int,
        default=0,
        metavar="N",
        help="stop once N ProwJobs have finished (default: run until interrupted)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="folder for the kubeconfig, operator logs, pods and artifacts (default: new temp)",
    )


def local_prow_config(artifacts: Path) -> dict[str, Any]:
    """Everything in one namespace; decorated jobs upload into `artifacts`."""
    decoration = {
        "utility_images": {name: "bowsprit" for name in UTILITIES},
        "gcs_configuration": {
            "bucket": "s3://local",
            "path_strategy": "explicit",
            "local_output_dir": str(artifacts),
        },
    }
    return {
        "apiVersion": API_VERSION,
        "kind": "ProwConfig",
        "metadata": {"name": "bowsprit"},
        "spec": {
            "prowjob_namespace": NAMESPACE,
            "pod_namespace": NAMESPACE,
            "plank": {"default_decoration_configs": {"*": decoration}},
        },
    }


def manifests(paths: list[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for file in input_files(paths):
        for document in yaml.safe_load_all(file.read_text()):
            if isinstance(document, dict) and document.get("apiVersion") == API_VERSION:
                yield file, document


def load(api: kubernetes.client.ApiClient, paths: list[Path]) -> int:
    objects = kubernetes.client.CustomObjectsApi(api)
    loaded = 0
    for file, document in manifests(paths):
        kind = document.get("kind", "")
        if kind == "ProwConfig" or kind not in BY_KIND:
            print(f"{file}: {kind} skipped (local mode brings its own ProwConfig)")
            continue
        plural = BY_KIND[kind].KIND.plural
        objects.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, plural, document)
        loaded += 1
    return loaded


@contextlib.contextmanager
def operators(kubeconfig: Path, logs: Path) -> Iterator[None]:
    logs.mkdir(parents=True, exist_ok=True)
    running = []
    for name in OPERATORS:
        argv = [sys.executable, "-m", "bowsprit", name, "--kubeconfig", str(kubeconfig)]
        argv += ["--config-namespace", NAMESPACE, "--standalone", "--metrics-port", "0"]
        argv += ["--health-port", str(free_port())]
        with (logs / f"{name}.log").open("wb") as log:
            running.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT))
    try:
        yield
    finally:
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def build_log(artifacts: Path, job: dict[str, Any]) -> Path | None:
    build_id = (job.get("status") or {}).get("build_id")
    spec = ProwJobSpec.model_validate(job["spec"])
    if not build_id or spec.decoration_config is None:
        return None
    log = artifacts / job_dir(spec, build_id, GCSConfiguration()) / "build-log.txt"
    return log if log.is_file() else None


def follow(
    api: kubernetes.client.ApiClient, artifacts: Path, exit_after: int, stop: threading.Event
) -> None:
    """Print each ProwJob's state changes until `exit_after` have finished (or `stop`)."""
    objects = kubernetes.client.CustomObjectsApi(api)
    seen: dict[str, str] = {}
    while not stop.is_set():
        watch = kubernetes.watch.Watch()
        for event in watch.stream(
            objects.list_namespaced_custom_object,
            GROUP,
            VERSION,
            NAMESPACE,
            "prowjobs",
            timeout_seconds=5,
        ):
            job = event["object"]
            name, state = job["metadata"]["name"], (job.get("status") or {}).get("state", "")
            if seen.get(name) == state:
                continue
            seen[name] = state
            description = (job.get("status") or {}).get("description", "")
            print(f"{job['spec']['job']} ({name}): {state}  {description}", flush=True)
            if state in FINAL:
                log = build_log(artifacts, job)
                if log is not None:
                    print(f"  build log: {log}\n" + _indented(log.read_text()), flush=True)
            finished = sum(1 for value in seen.values() if value in FINAL)
            if stop.is_set() or (exit_after and finished >= exit_after):
                watch.stop()
                stop.set()
                return


def _indented(text: str, limit: int = 20) -> str:
    lines = text.splitlines()[-limit:]
    return "\n".join(f"  | {line}" for line in lines)


def run(args: argparse.Namespace) -> int:
    work = (args.work_dir or Path(tempfile.mkdtemp(prefix="bowsprit-local-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with Emulator() as emulator:
        kubeconfig = emulator.write_kubeconfig(work / "kubeconfig")
        api = api_client(str(kubeconfig))
        extensions = kubernetes.client.ApiextensionsV1Api(api)
        for model in KINDS:
            extensions.create_custom_resource_definition(cast(Any, crd_for(model)))
        objects = kubernetes.client.CustomObjectsApi(api)
        objects.create_namespaced_custom_object(
            GROUP, VERSION, NAMESPACE, "prowconfigs", local_prow_config(work / "artifacts")
        )
        try:
            loaded = load(api, args.paths)
        except kubernetes.client.exceptions.ApiException as error:
            print(f"rejected: {error.body}", file=sys.stderr)
            return 1
        print(f"Bowsprit local: {loaded} object(s) loaded; work folder {work}")
        print(f"  kubectl --kubeconfig {kubeconfig} get prowjobs", flush=True)
        kubelet = LocalKubelet(api, NAMESPACE, work / "pods")
        with operators(kubeconfig, work / "logs"):
            kubelet.start()
            try:
                follow(api, work / "artifacts", args.exit_after, stop)
            finally:
                kubelet.stop()
        api.close()
    return 0
