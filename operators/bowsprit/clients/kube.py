"""Finding the cluster: --kubeconfig, else in-cluster config, else KUBECONFIG / ~/.kube/config."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import kubernetes
from kubernetes.client.exceptions import ApiException

from bowsprit.api import GROUP, VERSION, ProwConfig, ProwConfigSpec

IN_CLUSTER_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


def add_kube_flags(parser: argparse.ArgumentParser) -> None:
    """The flags every component shares with Prow's (`--kubeconfig`, `--dry-run`)."""
    parser.add_argument(
        "--kubeconfig",
        default="",
        help="path to a kubeconfig; empty uses the in-cluster config, then KUBECONFIG "
        "or ~/.kube/config",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="log what would be changed in the cluster instead of changing it",
    )


def load_configuration(kubeconfig: str = "") -> kubernetes.client.Configuration:
    """A client configuration found the standard way, as kubectl and Prow find it."""
    configuration = kubernetes.client.Configuration()
    if kubeconfig:
        kubernetes.config.load_kube_config(
            config_file=kubeconfig, client_configuration=configuration
        )
    elif IN_CLUSTER_TOKEN.exists() and "KUBERNETES_SERVICE_HOST" in os.environ:
        kubernetes.config.load_incluster_config(client_configuration=configuration)
    else:
        # The client reads KUBECONFIG once at import; read it at call time instead.
        kubernetes.config.load_kube_config(
            config_file=os.environ.get("KUBECONFIG") or "~/.kube/config",
            client_configuration=configuration,
        )
    return configuration


def api_client(kubeconfig: str = "", pool_size: int | None = None) -> kubernetes.client.ApiClient:
    """A client whose connection pool keeps `pool_size` connections alive: as many as
    the threads that use it at once, or every request beyond them opens (and the API
    server accepts) a new TLS connection. The library's default is 5 per CPU."""
    configuration = load_configuration(kubeconfig)
    if pool_size is not None:
        configuration.connection_pool_maxsize = pool_size
    return kubernetes.client.ApiClient(configuration)


def read_prow_config(api: kubernetes.client.ApiClient, namespace: str, name: str) -> ProwConfigSpec:
    """The installation's ProwConfig, or Prow's defaults when there is none."""
    objects = kubernetes.client.CustomObjectsApi(api)
    try:
        body = objects.get_namespaced_custom_object(GROUP, VERSION, namespace, "prowconfigs", name)
    except ApiException as error:
        if error.status == 404:
            return ProwConfigSpec()
        raise
    return ProwConfig.model_validate(body).spec


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """Where the installation's ProwConfig is."""
    parser.add_argument(
        "--config-namespace",
        default=os.environ.get("POD_NAMESPACE", "default"),
        help="namespace of the ProwConfig (default: $POD_NAMESPACE, else default)",
    )
    parser.add_argument("--config-name", default="bowsprit", help="name of the ProwConfig")


def connection_info(configuration: kubernetes.client.Configuration) -> dict[str, Any]:
    """The arguments of kopf.ConnectionInfo for a loaded client configuration, so kopf
    talks to the same cluster with the same credentials as the component's own client."""
    if configuration.refresh_api_key_hook is not None:
        configuration.refresh_api_key_hook(configuration)  # exec plugins (EKS) mint tokens
    token = (configuration.api_key or {}).get("BearerToken") or (configuration.api_key or {}).get(
        "authorization"
    )
    return {
        "server": configuration.host,
        "ca_path": configuration.ssl_ca_cert,
        "insecure": not configuration.verify_ssl,
        "scheme": "Bearer" if token else None,
        "token": token.removeprefix("Bearer ").strip() if token else None,
        "certificate_path": configuration.cert_file,
        "private_key_path": configuration.key_file,
        "username": configuration.username or None,
        "password": configuration.password or None,
    }
