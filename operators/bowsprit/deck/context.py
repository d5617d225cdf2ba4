"""What deck's handlers share: the caches, the bucket opener, the cluster writer, GitHub,
the templates. Built once in main (or by a test) and handed to the app."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import jinja2
from pydantic import ValidationError

from bowsprit.api.prowconfig import ProwConfigSpec
from bowsprit.clients.artifacts import BrowsableStore
from bowsprit.clients.oauth import GitHubOAuth
from bowsprit.deck.auth import GitHubAsker, Signer
from bowsprit.deck.jobs import Visibility
from bowsprit.deck.latest import PLURALS
from bowsprit.deck.store import ObjectStore
from bowsprit.lib.clock import Clock, NewName

logger = logging.getLogger("bowsprit.deck")
TEMPLATES = Path(__file__).parent / "templates"


class ProwJobWriter(Protocol):
    def create_custom(
        self, namespace: str, plural: str, body: dict[str, Any]
    ) -> dict[str, Any]: ...
    def patch_custom_status(
        self,
        namespace: str,
        plural: str,
        name: str,
        status: dict[str, Any],
        resource_version: str | None = None,
    ) -> dict[str, Any]: ...
    def pod_log(self, namespace: str, name: str, container: str) -> LogChunks: ...


class PodLogs(Protocol):
    def pod_log(self, namespace: str, name: str, container: str) -> LogChunks: ...


class LogChunks(Protocol):
    def chunks(self) -> Iterator[bytes]: ...
    def close(self) -> None: ...


class HelpSource(Protocol):
    async def __call__(self) -> dict[str, Any]: ...


@dataclass
class Deck:
    prowjobs: ObjectStore
    prow_configs: ObjectStore
    tidepools: ObjectStore
    open_bucket: Callable[[str], BrowsableStore]
    cluster: ProwJobWriter
    clock: Clock
    new_name: NewName
    signer: Signer
    config_name: str = "bowsprit"
    plugin_help: HelpSource | None = None
    github: GitHubAsker | None = None
    oauth: GitHubOAuth | None = None
    bot: str = ""
    show_hidden: bool = False
    hidden_only: bool = False
    rerun_creates_job: bool = True
    secure_cookies: bool = False
    extensions_dir: Path | None = None  # served at /static/extensions (branding files)
    # The build cluster of a job by alias, where /log reads its pod; None: `cluster`.
    pods_in: Callable[[str | None], PodLogs] | None = None
    # PluginConfigs: trigger's trust settings for rerun and abort.
    plugin_configs: ObjectStore = field(default_factory=ObjectStore)
    # Job definitions by plural, for rerun's mode=latest.
    definitions: dict[str, ObjectStore] = field(
        default_factory=lambda: {plural: ObjectStore() for plural in PLURALS}
    )
    env: jinja2.Environment = field(init=False)
    _config: tuple[int, ProwConfigSpec] = field(init=False, default=(-1, ProwConfigSpec()))

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def config(self) -> ProwConfigSpec:
        """The ProwConfig's spec, parsed once per change; Prow's defaults without one (or
        with a broken one, which admission should have refused)."""
        version, items = self.prow_configs.newest_first()
        if self._config[0] != version:
            spec = ProwConfigSpec()
            for item in items:
                if (item.get("metadata") or {}).get("name") == self.config_name:
                    try:
                        spec = ProwConfigSpec.model_validate(item.get("spec") or {})
                    except ValidationError as error:
                        logger.error("ProwConfig ignored: %s", error)
            self._config = (version, spec)
        return self._config[1]

    def visibility(self) -> Visibility:
        return Visibility(
            tuple(self.config().deck.hidden_repos or ()), self.show_hidden, self.hidden_only
        )

    def now(self) -> datetime:
        return self.clock()

    def render(self, template: str, **values: Any) -> str:
        branding = self.config().deck.branding
        return self.env.get_template(template).render(branding=branding, **values)
