"""What a utility build is: which plant (option, grid technology), its firm MW, lead time and capex.

The utility decides it (abm.agents.build_choice); the grid desk files it in the queue, waits
its lead time (and a gas plant's turbines), adds its MW to the technology's capacity and books
its capex. Without a decision a generation build is a combined cycle and a storage build
storage, at the configured leads and capex (what filings were before planning had economics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from abm.grid.queue import Kind

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig


BUILD_OPTIONS: tuple[str, ...] = ("gas_cc", "gas_ct", "solar", "wind", "storage")
"""The plants a utility can build, in the order it weighs them (abm.agents.build_choice)."""


@dataclass(frozen=True)
class UtilityBuild:
    """One build: option name, grid technology, firm MW counted while pending, lead (months), capex (USD/kW)."""

    option: str
    tech: str
    firm_mw: float
    lead_months: float
    capex_usd_per_kw: float


def default_build(config: ScenarioConfig, kind: Kind, mw: float) -> UtilityBuild:
    """A combined cycle (generation) or storage build of `mw`, counted fully firm."""
    u = config.utilities
    if kind == Kind.STORAGE:
        capex = config.planning.storage_capex_usd_per_kwh * u.storage_hours
        return UtilityBuild("storage", "storage", mw, u.build_lead_months_storage, capex)
    return UtilityBuild("gas_cc", "gas", mw, u.build_lead_months_gas, u.gas_capex_usd_per_kw)
