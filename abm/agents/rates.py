"""A utility's tariff: energy, capacity and network charges per MWh, and who pays for new builds.

Energy is the territory's mean LMP. The network charge is `market.tariff_adder_usd_per_mwh`
(the 2025 system's wires and capacity, already in rates) plus the annuity of network upgrades
its own builds drew. The capacity charge recovers its builds in service: capex annuity plus
fixed O&M (abm.agents.build_choice). Every MWh pays the same (a volumetric tariff), so the
rate impact, what new builds and their upgrades add per MWh, falls on other customers in
proportion to their energy: that share of the month's new cost is what they pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from abm.agents.build_choice import (
    capital_recovery_factor,
    fixed_cost_usd_per_kw_year,
    option_named,
)

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig
    from abm.signals import Signals


@dataclass(frozen=True)
class Tariff:
    """One month's tariff of a territory (USD/MWh) and the new cost it recovers (USD/month)."""

    energy_usd_per_mwh: float
    capacity_usd_per_mwh: float
    network_usd_per_mwh: float
    rate_impact_usd_per_mwh: float  # capacity + upgrades: what builds since 2025 add
    new_cost_usd: float  # builds' annuity and fixed O&M and their upgrades' annuity, this month

    @property
    def total_usd_per_mwh(self) -> float:
        """Energy + capacity + network."""
        return self.energy_usd_per_mwh + self.capacity_usd_per_mwh + self.network_usd_per_mwh

    @property
    def charges_usd_per_mwh(self) -> float:
        """Capacity + network: what a grid-connected load pays on top of energy."""
        return self.capacity_usd_per_mwh + self.network_usd_per_mwh


def builds_usd_per_month(in_service_mw: dict[str, float], config: ScenarioConfig) -> float:
    """Capex annuity plus fixed O&M of builds in service (nameplate MW by option), per month."""
    return sum(
        mw * 1000.0 * fixed_cost_usd_per_kw_year(option_named(config, name), config) / 12.0
        for name, mw in sorted(in_service_mw.items())
    )


def upgrades_usd_per_month(upgrade_usd: float, config: ScenarioConfig) -> float:
    """Annuity per month of network upgrades drawn by builds in service (generation life, planning rate)."""
    p = config.planning
    return upgrade_usd * capital_recovery_factor(p.discount_rate, p.generation_life_years) / 12.0


def tariff(
    mean_lmp_usd_per_mwh: float,
    energy_mwh: float,
    builds_usd: float,
    upgrades_usd: float,
    config: ScenarioConfig,
) -> Tariff:
    """The month's tariff of a territory serving `energy_mwh` with these new costs (USD/month) to recover."""
    per_mwh = 1.0 / energy_mwh if energy_mwh > 0 else 0.0
    capacity = builds_usd * per_mwh
    upgrades = upgrades_usd * per_mwh
    return Tariff(
        energy_usd_per_mwh=mean_lmp_usd_per_mwh,
        capacity_usd_per_mwh=capacity,
        network_usd_per_mwh=config.market.tariff_adder_usd_per_mwh + upgrades,
        rate_impact_usd_per_mwh=capacity + upgrades,
        new_cost_usd=builds_usd + upgrades_usd,
    )


def grid_charges(signals: Signals, config: ScenarioConfig) -> float:
    """Capacity + network charges (USD/MWh) a grid load pays on top of energy: the utilities' tariff, or the 2025 adder."""
    charges = signals.grid_charges_usd_per_mwh
    return config.market.tariff_adder_usd_per_mwh if charges is None else charges
