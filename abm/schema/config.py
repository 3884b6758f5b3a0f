"""The whole scenario (`ScenarioConfig`), its section table and range text for messages and docs."""

from __future__ import annotations

import typing

from pydantic import BaseModel, ConfigDict, Field

from abm.schema.contracts import ContractsSection
from abm.schema.factors import CarbonSection, FadeNmcSection, FadeOtherSection, FadeSection
from abm.schema.fields import Section, is_month_field
from abm.schema.grid import GridSection, MarketSection, PolicySection, UtilitySection
from abm.schema.onsite import GasSection, OtherSection
from abm.schema.packs import BatteriesSection, OEMSection, PacksSection, RecyclerSection
from abm.schema.paths import HyperscalerSection, VendorSection
from abm.schema.planning import PlanningSection
from abm.schema.queue import QueueSection
from abm.schema.run import DemandSection, RunSection
from abm.schema.tariff import TariffSection
from abm.schema.triggers import Trigger
from abm.schema.water import WaterSection


class ScenarioConfig(BaseModel):
    """A whole scenario: a named story and all its sections."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    name: str = Field("baseline", min_length=1, max_length=80, description="Scenario name.")
    description: str = Field(
        "",
        max_length=4000,
        description="One-paragraph story shown in the app and `powerstack list`.",
    )
    run: RunSection = RunSection()
    demand: DemandSection = DemandSection()
    grid: GridSection = GridSection()
    queue: QueueSection = QueueSection()
    hyperscalers: HyperscalerSection = HyperscalerSection()
    vendors: VendorSection = VendorSection()
    gas: GasSection = GasSection()
    other: OtherSection = OtherSection()
    packs: PacksSection = PacksSection()
    recyclers: RecyclerSection = RecyclerSection()
    oems: OEMSection = OEMSection()
    batteries: BatteriesSection = BatteriesSection()
    market: MarketSection = MarketSection()
    policy: PolicySection = PolicySection()
    utilities: UtilitySection = UtilitySection()
    fade: FadeSection = FadeSection()
    fade_nmc: FadeNmcSection = FadeNmcSection()
    fade_other: FadeOtherSection = FadeOtherSection()
    carbon: CarbonSection = CarbonSection()
    tariff: TariffSection = TariffSection()
    planning: PlanningSection = PlanningSection()
    water: WaterSection = WaterSection()
    contracts: ContractsSection = ContractsSection()
    triggers: tuple[Trigger, ...] = Field(
        (),
        strict=False,
        max_length=20,
        description="Adaptive policy triggers ([[triggers]]), checked monthly (docs/triggers.md).",
    )


SECTIONS: dict[str, type[Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in ScenarioConfig.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, Section)
}


def is_table(section: str, param: str) -> bool:
    """Whether a key holds an array of tables (e.g. `[[hyperscalers.types]]`), not one value."""
    return typing.get_origin(SECTIONS[section].model_fields[param].annotation) is tuple


def parameter_keys() -> list[str]:
    """Every dotted scalar parameter key, e.g. 'queue.mode' (tables such as hyperscalers.types apart)."""
    return [
        f"{s}.{k}" for s, cls in SECTIONS.items() for k in cls.model_fields if not is_table(s, k)
    ]


_BOUND_SYMBOLS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _number(x: float) -> str:
    """Bounds as people write them: whole numbers in full (4294967295, not 4.29497e+09)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def allowed_range(section: str, param: str) -> str:
    """Human-readable allowed values of one parameter, e.g. '>= 0 and <= 5' or 'one of: a, b'."""
    field = SECTIONS[section].model_fields[param]
    choices = getattr(field.annotation, "__args__", None)
    if choices and all(isinstance(c, str) for c in choices):
        return "one of: " + ", ".join(choices)
    if field.annotation is bool:
        return "true or false"
    if is_month_field(field.metadata):
        return "a month YYYY-MM"
    parts = [
        f"{symbol} {_number(getattr(meta, name))}"
        for meta in field.metadata
        for name, symbol in _BOUND_SYMBOLS.items()
        if getattr(meta, name, None) is not None
    ]
    return " and ".join(parts) if parts else "any " + getattr(field.annotation, "__name__", "value")
