"""Build clusters: the API servers job pods run in, one per alias (Prow's `buildClients`).

Credentials come as Prow's do (`pkg/kube/config.go`): every context of `--kubeconfig`
and of each file in `--kubeconfig-dir` (files ending in `--kubeconfig-suffix`; names
starting with `..` and sub-folders skipped, as the kubelet's projection of a Secret
puts them there) is a build cluster named after the context; a context name seen twice
is an error. `default` is the control plane's own connection unless a context of that
name exists. In the chart, each alias's Secret is mounted in the folder, and the kubelet
rewrites the files when the Secret changes: `reload_if_changed` notices (by the files'
modification times) and builds new clients, so a rotated credential needs no restart.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import kubernetes
import urllib3
import yaml
from kubernetes.client.exceptions import ApiException

from bowsprit.clients.cluster import Cluster, request

logger = logging.getLogger("bowsprit.buildclusters")

DEFAULT_ALIAS = "default"
# Prow's RequiredTestPodVerbs (pkg/plank/reconciler.go): what plank needs on test pods.
REQUIRED_POD_VERBS = ("create", "delete", "list", "watch", "get", "patch")

# Prow's ClusterStatus values (pkg/plank/reconciler.go), as deck reads them.
REACHABLE = "Reachable"
NO_MANAGER = "No-Manager"
ERROR = "Error"
MISSING_PERMISSIONS = "MissingPermissions"
STATUSES = (REACHABLE, NO_MANAGER, ERROR, MISSING_PERMISSIONS)


class UnknownCluster(KeyError):
    """A job names an alias no credentials were given for."""

    def __init__(self, alias: str) -> None:
        super().__init__(alias)
        self.alias = alias

    def __str__(self) -> str:
        return f"build cluster {self.alias!r} is not configured"


class ClusterUnreachable(RuntimeError):
    """A build cluster's API server could not be reached (connection refused, DNS, TLS,
    timeout): worth retrying for a while, unlike a refusal."""

    def __init__(self, alias: str, reason: str) -> None:
        super().__init__(f"build cluster {alias!r} is unreachable: {reason}")
        self.alias = alias


@contextlib.contextmanager
def reaching(alias: str | None) -> Iterator[None]:
    """Calls to a build cluster: connection failures become ClusterUnreachable, naming
    the alias (the client library's own errors stay in this layer)."""
    try:
        yield
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise ClusterUnreachable(alias or DEFAULT_ALIAS, str(error)) from error


class CredentialsError(ValueError):
    """The kubeconfigs cannot be read (bad file, duplicate context)."""


def add_build_cluster_flags(parser: argparse.ArgumentParser) -> None:
    """Prow's `--kubeconfig-dir`/`--kubeconfig-suffix` (`--kubeconfig` is shared by all)."""
    parser.add_argument(
        "--kubeconfig-dir",
        default="",
        help="folder of kubeconfig files: each context is a build cluster named after it",
    )
    parser.add_argument(
        "--kubeconfig-suffix",
        default="",
        help="with --kubeconfig-dir, only files ending in this are read",
    )


@dataclass(frozen=True)
class Sources:
    """Where build-cluster credentials are read from."""

    kubeconfig: str = ""
    kubeconfig_dir: str = ""
    suffix: str = ""

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Sources:
        return cls(
            getattr(args, "kubeconfig", ""),
            getattr(args, "kubeconfig_dir", ""),
            getattr(args, "kubeconfig_suffix", ""),
        )

    def files(self) -> list[Path]:
        """The kubeconfig files, in a stable order (Prow's candidate rules)."""
        found = [Path(self.kubeconfig)] if self.kubeconfig else []
        if self.kubeconfig_dir:
            folder = Path(self.kubeconfig_dir)
            if not folder.is_dir():
                raise CredentialsError(f"--kubeconfig-dir {folder}: not a folder")
            for entry in sorted(folder.iterdir()):
                if entry.name.startswith("..") or entry.is_dir():
                    continue
                if entry.name.endswith(self.suffix):
                    found.append(entry)
        return found

    def signature(self) -> tuple[tuple[str, float], ...]:
        """What changes when a file is rewritten (the kubelet swaps a symlink), added or
        removed: names and the modification times of what they resolve to."""
        try:
            files = self.files()
        except CredentialsError:
            return ()
        stamps = []
        for path in files:
            try:
                stamps.append((str(path), path.resolve().stat().st_mtime))
            except OSError:
                stamps.append((str(path), -1.0))
        return tuple(stamps)


class ClusterUnavailable(RuntimeError):
    """An alias is configured but its credentials cannot make a client (Prow's No-Manager)."""

    def __init__(self, alias: str, reason: str) -> None:
        super().__init__(f"build cluster {alias!r} has no usable credentials: {reason}")
        self.alias = alias


@dataclass(frozen=True)
class Loaded:
    """The configurations read, and the aliases whose context could not be used."""

    configurations: dict[str, kubernetes.client.Configuration]
    broken: dict[str, str]


def load_configurations(sources: Sources, control_plane: kubernetes.client.Configuration) -> Loaded:
    """One client configuration per alias (context name), plus `default`. A context whose
    credentials cannot be used is reported in `broken`, never dropping the others."""
    configurations: dict[str, kubernetes.client.Configuration] = {}
    broken: dict[str, str] = {}
    origin: dict[str, Path] = {}
    for path in sources.files():
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise CredentialsError(f"kubeconfig {path}: {error}") from error
        for context in document.get("contexts") or []:
            alias = str(context.get("name", ""))
            if alias in origin:
                raise CredentialsError(
                    f"context {alias!r} occurs in both {origin[alias]} and {path}"
                )
            configuration = kubernetes.client.Configuration()
            try:
                kubernetes.config.load_kube_config(
                    config_file=str(path), context=alias, client_configuration=configuration
                )
            except (kubernetes.config.ConfigException, ValueError, OSError) as error:
                broken[alias] = f"{path}: {error}"
            else:
                configurations[alias] = configuration
            origin[alias] = path
    if DEFAULT_ALIAS not in origin:
        configurations[DEFAULT_ALIAS] = control_plane
    return Loaded(configurations, broken)


@dataclass
class BuildClusters:
    """The API client of every build cluster, by alias; swapped whole on a reload so
    readers in other threads always see one consistent set."""

    sources: Sources
    control_plane: Cluster
    _clusters: dict[str, Cluster] = field(default_factory=dict)
    _broken: dict[str, str] = field(default_factory=dict)
    _signature: tuple[tuple[str, float], ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, sources: Sources, control_plane: Cluster) -> BuildClusters:
        built = cls(sources, control_plane)
        built.reload()
        return built

    @classmethod
    def from_args(cls, args: argparse.Namespace, control_plane: Cluster) -> BuildClusters:
        """The components' start: unreadable kubeconfigs end the process with a message
        naming the file (not a traceback)."""
        try:
            return cls.load(Sources.from_args(args), control_plane)
        except CredentialsError as error:
            raise SystemExit(f"bowsprit: build cluster credentials: {error}") from None

    @classmethod
    def single(cls, control_plane: Cluster) -> BuildClusters:
        """Only the control plane, as `default` (tests, local mode)."""
        return cls(Sources(), control_plane, {DEFAULT_ALIAS: control_plane})

    @classmethod
    def of(cls, clusters: Mapping[str, Cluster], control_plane: Cluster) -> BuildClusters:
        """Given clients by alias (tests); `default` is the control plane unless given."""
        return cls(Sources(), control_plane, {DEFAULT_ALIAS: control_plane, **clusters})

    def reload(self) -> None:
        """Read the kubeconfigs again and build new clients for them."""
        signature = self.sources.signature()
        loaded = load_configurations(self.sources, self.control_plane.api.configuration)
        clusters = {
            alias: self.control_plane
            if configuration is self.control_plane.api.configuration
            else Cluster(kubernetes.client.ApiClient(configuration))
            for alias, configuration in loaded.configurations.items()
        }
        for alias, reason in loaded.broken.items():
            logger.error("build cluster %s: credentials unusable: %s", alias, reason)
        with self._lock:
            old, self._clusters, self._signature = self._clusters, clusters, signature
            self._broken = loaded.broken
        for cluster in old.values():
            if cluster is not self.control_plane and cluster not in clusters.values():
                cluster.api.close()
        logger.info("build clusters: %s", ", ".join(sorted(clusters)))

    def reload_if_changed(self) -> bool:
        """Reload when a kubeconfig file was rewritten, added or removed; a broken new
        set keeps the old clients (and is logged) rather than dropping every cluster."""
        if not (self.sources.kubeconfig or self.sources.kubeconfig_dir):
            return False
        if self.sources.signature() == self._signature:
            return False
        try:
            self.reload()
        except CredentialsError as error:
            logger.error("build cluster credentials not reloaded: %s", error)
            self._signature = self.sources.signature()
            return False
        return True

    def aliases(self) -> list[str]:
        """Every configured alias, usable or not."""
        return sorted({*self._clusters, *self._broken})

    def get(self, alias: str | None) -> Cluster:
        """The client of a job's cluster (`default` when it names none)."""
        name = alias or DEFAULT_ALIAS
        try:
            return self._clusters[name]
        except KeyError:
            if name in self._broken:
                raise ClusterUnavailable(name, self._broken[name]) from None
            raise UnknownCluster(name) from None

    def get_fresh(self, alias: str | None) -> Cluster:
        """`get`, after picking up rotated credentials (a stat of each file): for
        components without a periodic check of their own (crier, deck)."""
        self.reload_if_changed()
        return self.get(alias)

    def server(self, alias: str | None) -> str:
        """The API server an alias's pods live on: aliases of one server (a kubeconfig's
        current context is also `default`) share one watch and one set of pods."""
        return str(self.get(alias).api.configuration.host)

    def servers(self) -> dict[str, Cluster]:
        """One client per distinct server (the first alias's, in alias order)."""
        found: dict[str, Cluster] = {}
        for _, cluster in self.items():
            found.setdefault(str(cluster.api.configuration.host), cluster)
        return found

    def items(self) -> list[tuple[str, Cluster]]:
        """The usable clusters by alias."""
        return sorted(self._clusters.items(), key=lambda item: item[0])

    def broken(self) -> dict[str, str]:
        """Aliases whose credentials cannot be used, with the reason."""
        return dict(self._broken)


def check_cluster(
    cluster: Cluster, namespace: str, verbs: tuple[str, ...] = REQUIRED_POD_VERBS
) -> str:
    """Prow's build-cluster status for one cluster: can plank work on test pods there?

    A list of pods proves the server answers and the credentials work; then, as Prow's
    CheckAuthorizations, a SelfSubjectAccessReview per verb. An API server without the
    authorization API (the emulator) answers the list, and that is taken as enough."""
    try:
        path = f"/api/v1/namespaces/{namespace}/pods"
        request(cluster.api, "GET", path, query={"limit": 1}, timeout=10)
    except ApiException as error:
        return MISSING_PERMISSIONS if error.status in (401, 403) else ERROR
    except Exception:  # noqa: BLE001 - unreachable in any way (refused, DNS, TLS) is Error
        return ERROR
    for verb in verbs:
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {
                "resourceAttributes": {"namespace": namespace, "verb": verb, "resource": "pods"}
            },
        }
        try:
            path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
            answer = json.loads(request(cluster.api, "POST", path, body=review, timeout=10).data)
        except ApiException as error:
            if error.status == 404:
                return REACHABLE  # no authorization API: nothing more to ask
            return MISSING_PERMISSIONS if error.status == 403 else ERROR
        except Exception:  # noqa: BLE001
            return ERROR
        if not (answer.get("status") or {}).get("allowed"):
            return MISSING_PERMISSIONS
    return REACHABLE


def check_all(clusters: BuildClusters, namespace: str) -> dict[str, str]:
    """Every alias's status (blocking: one request per verb and cluster); an alias whose
    credentials make no client is Prow's No-Manager."""
    statuses = {alias: NO_MANAGER for alias in clusters.broken()}
    statuses.update({alias: check_cluster(c, namespace) for alias, c in clusters.items()})
    return dict(sorted(statuses.items()))
