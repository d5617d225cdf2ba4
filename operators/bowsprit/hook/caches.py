"""In-memory pictures of PluginConfigs and job definitions, kept current by informers.

Each store holds the parsed objects by namespace and name; an object that does not
parse is logged and left out (admission should have refused it), never fatal. Lookups
by repository are rebuilt lazily after a change, so a webhook costs a dict lookup.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from bowsprit.api.blockingpresubmit import BlockingPresubmitSpec
from bowsprit.api.jobbase import RepoJobDefinition
from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.api.postsubmit import PostsubmitSpec
from bowsprit.api.presubmit import PresubmitSpec
from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.jobpod.jobs import Job, JobKind

logger = logging.getLogger("bowsprit.hook")

T = TypeVar("T")
MAX_CACHED_REPOS = 10_000  # merged configs kept; past it the cache starts over
Key = tuple[str, str]
# Every plugin's settings section: all of PluginConfigSpec but what says where and which
# (a section listed by hand was lost whenever a plugin added one: owners, milestone, ...).
SETTINGS: tuple[str, ...] = tuple(
    name
    for name in PluginConfigSpec.model_fields
    if name not in ("repos", "excluded_repos", "plugins", "external_plugins")
)


def _key(item: dict[str, Any]) -> Key:
    metadata = item.get("metadata") or {}
    return (str(metadata.get("namespace", "")), str(metadata.get("name", "")))


class Store(Generic[T]):
    """Objects of one kind, parsed; safe to update from an informer's thread."""

    def __init__(
        self,
        kind: str,
        parse: Callable[[dict[str, Any]], T],
        on_refused: Callable[[dict[str, Any], Exception], None] | None = None,
    ) -> None:
        self.kind = kind
        self._parse = parse
        self.on_refused = on_refused
        """Told of each object left out, with why (hook posts a Warning Event on it)."""
        self.on_accepted: Callable[[dict[str, Any]], None] | None = None
        """Told of each object taken (hook marks a PluginConfig Accepted)."""
        self._items: dict[Key, T] = {}
        self._lock = threading.Lock()
        self.version = 0  # bumped on every change, for derived lookups

    def _parsed(self, item: dict[str, Any]) -> T | None:
        try:
            parsed = self._parse(item)
        except (ValidationError, ValueError, KeyError, TypeError) as error:
            # The user's object is at fault, not hook: a warning (and, for PluginConfigs, an
            # Event on the object), so hook's own errors stay meaningful.
            logger.warning("%s %s/%s ignored: %s", self.kind, *_key(item), error)
            if self.on_refused is not None:
                self.on_refused(item, error)
            return None
        if self.on_accepted is not None:
            self.on_accepted(item)
        return parsed

    def replace(self, items: Iterable[dict[str, Any]]) -> None:
        parsed = {_key(item): self._parsed(item) for item in items}
        with self._lock:
            self._items = {key: value for key, value in parsed.items() if value is not None}
            self.version += 1

    def upsert(self, item: dict[str, Any]) -> None:
        parsed = self._parsed(item)
        with self._lock:
            if parsed is None:
                self._items.pop(_key(item), None)
            else:
                self._items[_key(item)] = parsed
            self.version += 1

    def delete(self, item: dict[str, Any]) -> None:
        with self._lock:
            self._items.pop(_key(item), None)
            self.version += 1

    def items(self) -> list[tuple[Key, T]]:
        with self._lock:
            return sorted(self._items.items(), key=lambda pair: pair[0])


def unknown_plugins(spec: PluginConfigSpec, known: Collection[str]) -> list[str]:
    return [name for name in spec.plugins or [] if name not in known]


class UnknownPlugins(ValueError):
    """A PluginConfig names plugins hook does not have; the message names each one's
    field, as `bowsprit check` does."""

    def __init__(self, spec: PluginConfigSpec, known: Collection[str]) -> None:
        faults = [
            f"spec.plugins[{index}]: unknown plugin {name!r}"
            for index, name in enumerate(spec.plugins or [])
            if name not in known
        ]
        super().__init__(f"{'; '.join(faults)} (known: {', '.join(sorted(known))})")


def plugin_config_store(known: Collection[str] | None = None) -> Store[PluginConfigSpec]:
    """PluginConfigs; with `known` (hook's plugin registry), one naming another plugin is
    refused whole (logged with the field), as Prow refuses a plugins.yaml naming one."""

    def parse(item: dict[str, Any]) -> PluginConfigSpec:
        spec = PluginConfigSpec.model_validate(item["spec"])
        if known is not None and unknown_plugins(spec, known):
            raise UnknownPlugins(spec, known)
        return spec

    return Store("PluginConfig", parse)


def _job_parser(kind: JobKind) -> Callable[[dict[str, Any]], Job]:
    models: dict[JobKind, type[RepoJobDefinition]] = {
        "BlockingPresubmit": BlockingPresubmitSpec,
        "Presubmit": PresubmitSpec,
        "Postsubmit": PostsubmitSpec,
    }
    model = models[kind]

    def parse(item: dict[str, Any]) -> Job:
        namespace, name = _key(item)
        return Job(kind, namespace, name, model.model_validate(item["spec"]))

    return parse


def job_store(kind: JobKind) -> Store[Job]:
    return Store(kind, _job_parser(kind))


def applies_to(spec: PluginConfigSpec, org: str, repo: str) -> int:
    """How specifically a PluginConfig names a repository: 2 by org/repo, 1 by org (and
    not excluded), 0 not at all."""
    full = f"{org}/{repo}"
    if full in spec.repos:
        return 2
    if org in spec.repos and full not in (spec.excluded_repos or []):
        return 1
    return 0


def merged_config(configs: list[PluginConfigSpec], org: str, repo: str) -> PluginConfigSpec | None:
    """The plugins on for a repository (the union of every config naming it or its org)
    and each plugin's settings from the most specific config that has them (Prow's
    first-match rule: org/repo before org)."""
    ranked = [(applies_to(spec, org, repo), index, spec) for index, spec in enumerate(configs)]
    matching = [spec for rank, _, spec in sorted(ranked, key=lambda t: (-t[0], t[1])) if rank]
    if not matching:
        return None
    plugins = sorted({name for spec in matching for name in spec.plugins or []})
    settings = {
        section: next(
            (getattr(spec, section) for spec in matching if getattr(spec, section) is not None),
            None,
        )
        for section in SETTINGS
    }
    external = [plugin for spec in matching for plugin in spec.external_plugins or []]
    return PluginConfigSpec(
        repos=[f"{org}/{repo}"], plugins=plugins, external_plugins=external or None, **settings
    )


class Caches:
    """Everything hook reads from the cluster, by repository."""

    def __init__(
        self, config_name: str = "bowsprit", known_plugins: Collection[str] | None = None
    ) -> None:
        self.config_name = config_name
        self.prow_configs: Store[ProwConfigSpec] = Store(
            "ProwConfig", lambda item: ProwConfigSpec.model_validate(item.get("spec") or {})
        )
        self.plugin_configs = plugin_config_store(known_plugins)
        self.jobs: dict[JobKind, Store[Job]] = {
            kind: job_store(kind) for kind in ("BlockingPresubmit", "Presubmit", "Postsubmit")
        }
        self._index_version: tuple[int, ...] = ()
        self._index: dict[tuple[str, str, bool], tuple[Job, ...]] = {}
        # Merged configs by repository, for the PluginConfigs' version they were made from:
        # merging builds a pydantic model, and each webhook asks for its repository's twice.
        self._configs_version = -1
        self._configs: dict[Key, PluginConfigSpec | None] = {}

    def prowjob_namespace(self) -> str:
        """Where ProwJobs go: the ProwConfig's prowjob_namespace, Prow's default without one."""
        for (_, name), spec in self.prow_configs.items():
            if name == self.config_name:
                return spec.prowjob_namespace
        return ProwConfigSpec().prowjob_namespace

    def config_for(self, org: str, repo: str) -> PluginConfigSpec | None:
        """The merged config of a repository (shared: callers must not change it)."""
        version = self.plugin_configs.version
        if version != self._configs_version or len(self._configs) >= MAX_CACHED_REPOS:
            self._configs, self._configs_version = {}, version
        key = (org, repo)
        if key not in self._configs:
            configs = [spec for _, spec in self.plugin_configs.items()]
            self._configs[key] = merged_config(configs, org, repo)
        return self._configs[key]

    def all_configs(self) -> list[PluginConfigSpec]:
        return [spec for _, spec in self.plugin_configs.items()]

    def _jobs_index(self) -> dict[tuple[str, str, bool], tuple[Job, ...]]:
        version = tuple(store.version for store in self.jobs.values())
        if version != self._index_version:
            index: dict[tuple[str, str, bool], list[Job]] = {}
            for store in self.jobs.values():
                for _, job in store.items():
                    index.setdefault((job.spec.org, job.spec.repo, job.presubmit), []).append(job)
            self._index = {key: tuple(jobs) for key, jobs in index.items()}
            self._index_version = version
        return self._index

    def presubmits(self, org: str, repo: str) -> tuple[Job, ...]:
        return self._jobs_index().get((org, repo, True), ())

    def postsubmits(self, org: str, repo: str) -> tuple[Job, ...]:
        return self._jobs_index().get((org, repo, False), ())
