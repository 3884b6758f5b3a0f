"""Typed scenario schema: every parameter with its unit (in the name), default, allowed range and source.

The schema is the single source for validation, the app's controls and `docs/parameters.md`.
Sources point at `shared/DOMAIN.md` / `DOMAIN-NUMBERS.md` rows or public reports; figures the
source list marks as unconfirmed carry `unconfirmed=True` and say so in the parameter table.
It stands alone: its modules import only pydantic, the standard library and `abm.errors`.
"""

from __future__ import annotations

from abm.schema.config import SECTIONS, ScenarioConfig, allowed_range, is_table, parameter_keys
from abm.schema.factors import CarbonSection, FadeNmcSection, FadeOtherSection, FadeSection
from abm.schema.fields import Section, param, parse_month
from abm.schema.firm_types import DEFAULT_TYPES, FirmType
from abm.schema.grid import GridSection, MarketSection, PolicySection, UtilitySection
from abm.schema.onsite import GasSection, OtherSection
from abm.schema.packs import BatteriesSection, OEMSection, PacksSection, RecyclerSection
from abm.schema.paths import HyperscalerSection, VendorSection
from abm.schema.queue import QueueSection
from abm.schema.run import DemandSection, RunSection
from abm.schema.tariff import TariffSection

__all__ = [
    "SECTIONS",
    "DEFAULT_TYPES",
    "BatteriesSection",
    "CarbonSection",
    "DemandSection",
    "FadeNmcSection",
    "FadeOtherSection",
    "FadeSection",
    "FirmType",
    "GasSection",
    "GridSection",
    "HyperscalerSection",
    "MarketSection",
    "OEMSection",
    "OtherSection",
    "PacksSection",
    "PolicySection",
    "QueueSection",
    "RecyclerSection",
    "RunSection",
    "ScenarioConfig",
    "Section",
    "TariffSection",
    "UtilitySection",
    "VendorSection",
    "allowed_range",
    "is_table",
    "param",
    "parameter_keys",
    "parse_month",
]
