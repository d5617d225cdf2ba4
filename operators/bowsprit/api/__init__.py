"""The Bowsprit API (group bowsprit.dev, version v1) as pydantic models.

The models are the single source of truth: the CRDs in crds/ are generated from them.
"""

from bowsprit.api.base import API_VERSION, GROUP, VERSION, Condition, ObjectMeta, Resource
from bowsprit.api.blockingpresubmit import BlockingPresubmit, BlockingPresubmitSpec
from bowsprit.api.core import Container, PodSpec
from bowsprit.api.decoration import DecorationConfig, GCSConfiguration, UtilityImages
from bowsprit.api.periodic import Periodic, PeriodicSpec, PeriodicStatus, Retry
from bowsprit.api.pluginconfig import PluginConfig, PluginConfigSpec
from bowsprit.api.postsubmit import Postsubmit, PostsubmitSpec
from bowsprit.api.presubmit import Presubmit, PresubmitSpec
from bowsprit.api.prowconfig import (
    CrierConfig,
    DeckConfig,
    PlankConfig,
    ProwConfig,
    ProwConfigSpec,
    SinkerConfig,
    TideConfig,
)
from bowsprit.api.prowjob import ProwJob, ProwJobSpec, ProwJobStatus
from bowsprit.api.refs import Pull, Refs
from bowsprit.api.registry import BY_KIND, KINDS
from bowsprit.api.states import FINAL_STATES, ProwJobAgent, ProwJobState, ProwJobType
from bowsprit.api.tidepool import TidePool, TidePoolSpec

__all__ = [
    "API_VERSION",
    "BY_KIND",
    "FINAL_STATES",
    "GROUP",
    "KINDS",
    "VERSION",
    "BlockingPresubmit",
    "BlockingPresubmitSpec",
    "Condition",
    "Container",
    "CrierConfig",
    "DeckConfig",
    "DecorationConfig",
    "GCSConfiguration",
    "ObjectMeta",
    "Periodic",
    "PeriodicSpec",
    "PeriodicStatus",
    "PlankConfig",
    "PluginConfig",
    "PluginConfigSpec",
    "PodSpec",
    "Postsubmit",
    "PostsubmitSpec",
    "Presubmit",
    "PresubmitSpec",
    "ProwConfig",
    "ProwConfigSpec",
    "ProwJob",
    "ProwJobAgent",
    "ProwJobSpec",
    "ProwJobState",
    "ProwJobStatus",
    "ProwJobType",
    "Pull",
    "Refs",
    "Resource",
    "Retry",
    "SinkerConfig",
    "TideConfig",
    "TidePool",
    "TidePoolSpec",
    "UtilityImages",
]
