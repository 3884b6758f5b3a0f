"""Which plant a utility builds: the least-cost option per MW of firm capacity, carbon included.

A screening curve per option (gas combined cycle, gas CT, solar, wind, storage): the capex
annuity plus fixed O&M, plus the energy it is expected to make (capacity factor x 8,760 h)
at its own fuel and carbon cost net of the fleet gas energy it displaces, all divided by its
capacity credit (a firm MW of solar takes 1/0.3 MW of panels). The cheapest option per firm
kW-year is built; the annuity and fixed O&M per MW are what the tariff's capacity charge
recovers once it is in service. Pure functions of the scenario: numbers in, numbers out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from abm.catalogue import TECHNOLOGY_CATALOGUE
from abm.grid.build_spec import BUILD_OPTIONS
from abm.grid.queue import Kind
from abm.numerics import elementary

if TYPE_CHECKING:
    from abm.schema import ScenarioConfig

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class BuildOption:
    """One buildable plant: its grid technology, queue kind and costs per kW (USD, USD/kW-year, USD/MWh)."""

    name: str
    tech: str  # the grid technology it joins (both gas options join "gas")
    kind: Kind
    capex_usd_per_kw: float  # net of credits
    life_years: float
    fixed_om_usd_per_kw_year: float
    variable_usd_per_mwh: float  # fuel and variable O&M
    co2_t_per_mwh: float
    capacity_factor: float
    capacity_credit: float
    lead_months: float


def capital_recovery_factor(rate_per_year: float, years: float) -> float:
    """Share of capex paid each year to recover it over `years` at `rate_per_year`."""
    if rate_per_year <= 0.0:
        return 1.0 / years
    return rate_per_year / (1.0 - elementary.power(1.0 + rate_per_year, -years))


def build_options(config: ScenarioConfig) -> tuple[BuildOption, ...]:
    """The five options utilities weigh, in a fixed order (ties go to the first)."""
    p, u, mk, c = config.planning, config.utilities, config.market, config.carbon
    gen, store, gas_lead = p.generation_life_years, p.storage_life_years, u.build_lead_months_gas
    solar_net = p.solar_capex_usd_per_kw * (1.0 - config.policy.solar_credit_share)
    g, s = Kind.GENERATION, Kind.STORAGE
    # name, tech, kind, capex, life, fixed O&M, variable cost, CO2, capacity factor, lead
    rows = (
        ("gas_cc", "gas", g, u.gas_capex_usd_per_kw, gen, p.gas_cc_fixed_om_usd_per_kw_year,
         mk.cost_gas_usd_per_mwh, c.gas_ccgt_t_per_mwh, p.gas_cc_capacity_factor, gas_lead),
        ("gas_ct", "gas", g, p.gas_ct_capex_usd_per_kw, gen, p.gas_ct_fixed_om_usd_per_kw_year,
         p.gas_ct_cost_usd_per_mwh, c.gas_ct_t_per_mwh, p.gas_ct_capacity_factor, gas_lead),
        ("solar", "solar", g, solar_net, gen, p.solar_fixed_om_usd_per_kw_year, 0.0, 0.0,
         p.solar_capacity_factor, p.build_lead_months_solar),
        ("wind", "wind", g, p.wind_capex_usd_per_kw, gen, p.wind_fixed_om_usd_per_kw_year, 0.0,
         0.0, mk.wind_availability, p.build_lead_months_wind),
        ("storage", "storage", s, p.storage_capex_usd_per_kwh * u.storage_hours, store,
         p.storage_fixed_om_usd_per_kw_year, 0.0, 0.0, 0.0, u.build_lead_months_storage),
    )  # fmt: skip
    assert tuple(r[0] for r in rows) == BUILD_OPTIONS, "one row per build option, in order"
    credit = {t.name: t.capacity_credit for t in TECHNOLOGY_CATALOGUE.values()}
    return tuple(
        BuildOption(*row[:9], capacity_credit=credit[row[1]], lead_months=row[9]) for row in rows
    )


def fixed_cost_usd_per_kw_year(option: BuildOption, config: ScenarioConfig) -> float:
    """Capex annuity plus fixed O&M per kW-year: what the tariff recovers for the plant."""
    crf = capital_recovery_factor(config.planning.discount_rate, option.life_years)
    return option.capex_usd_per_kw * crf + option.fixed_om_usd_per_kw_year


def net_cost_usd_per_firm_kw_year(option: BuildOption, config: ScenarioConfig) -> float:
    """Fixed cost plus energy cost net of the displaced fleet gas energy (carbon at the policy price), per firm kW-year."""
    carbon = config.policy.carbon_price_usd_per_t
    mk = config.market
    displaced = mk.cost_gas_usd_per_mwh + carbon * mk.co2_gas_t_per_mwh
    own = option.variable_usd_per_mwh + carbon * option.co2_t_per_mwh
    energy_mwh_per_kw_year = option.capacity_factor * HOURS_PER_YEAR / 1000.0
    cost = fixed_cost_usd_per_kw_year(option, config) + energy_mwh_per_kw_year * (own - displaced)
    return cost / option.capacity_credit


def cheapest_option(config: ScenarioConfig) -> BuildOption:
    """The option with the least net cost per firm kW-year (the first of equals)."""
    options = build_options(config)
    costs = [net_cost_usd_per_firm_kw_year(o, config) for o in options]
    return options[costs.index(min(costs))]


def option_named(config: ScenarioConfig, name: str) -> BuildOption:
    """The option called `name` (gas_cc, gas_ct, solar, wind or storage)."""
    return next(o for o in build_options(config) if o.name == name)
