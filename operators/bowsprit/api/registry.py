"""Every kind of the API, in one place."""

from __future__ import annotations

from bowsprit.api.base import Resource
from bowsprit.api.blockingpresubmit import BlockingPresubmit
from bowsprit.api.periodic import Periodic
from bowsprit.api.pluginconfig import PluginConfig
from bowsprit.api.postsubmit import Postsubmit
from bowsprit.api.presubmit import Presubmit
from bowsprit.api.prowconfig import ProwConfig
from bowsprit.api.prowjob import ProwJob
from bowsprit.api.tidepool import TidePool

KINDS: tuple[type[Resource], ...] = (
    ProwJob,
    BlockingPresubmit,
    Presubmit,
    Postsubmit,
    Periodic,
    TidePool,
    PluginConfig,
    ProwConfig,
)

BY_KIND: dict[str, type[Resource]] = {model.KIND.kind: model for model in KINDS}
