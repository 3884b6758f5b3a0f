"""The planning section: what utilities' new plants cost, when old plants retire, how fast plants come.

Utilities choose each build by least cost per MW of firm capacity (capex annuity, fixed O&M
and the energy cost net of the gas energy it displaces, carbon included) and recover the
builds' annuity and fixed O&M through the tariff's capacity charge (docs/grid.md "Planning
with economics"). Combined-cycle capex stays `utilities.gas_capex_usd_per_kw`.
"""

from __future__ import annotations

from abm.schema.fields import Section, param

_ATB = "NREL ATB 2024 moderate case, order of magnitude (not in DOMAIN-NUMBERS; assumption)"
_EIA_2025 = (
    "EIA Today in Energy (Feb 2025): 12.3 GW planned to retire in 2025, 8.1 GW of it coal "
    "(~4.7 % of ~172 GW) and 2.6 GW gas (~0.5 % of ~565 GW); not in DOMAIN-NUMBERS"
)


class PlanningSection(Section):
    """Planning economics: build costs by technology, the cost of capital, retirements, lead times."""

    discount_rate: float = param(
        0.07,
        ge=0,
        le=0.3,
        source="Assumption: a regulated utility's after-tax WACC of ~6-8 %",
        doc="Rate (per year) at which utilities annualise build capex into the tariff.",
        unconfirmed=True,
    )
    generation_life_years: float = param(
        30.0,
        gt=0,
        le=80,
        source=f"{_ATB}: 30-year cost-recovery period for generation",
        doc="Years over which a generation build's capex is recovered.",
        unconfirmed=True,
    )
    storage_life_years: float = param(
        15.0,
        gt=0,
        le=40,
        source=f"{_ATB}: 15-year life of utility batteries",
        doc="Years over which a storage build's capex is recovered.",
        unconfirmed=True,
    )
    gas_ct_capex_usd_per_kw: float = param(
        1_100.0,
        ge=0,
        le=20_000,
        source="New CT $728-1,544/kW in 2025 (EIA via Utility Dive, DOMAIN-NUMBERS #24): near the middle",
        doc="Capex of a simple-cycle gas turbine (CT) build.",
    )
    solar_capex_usd_per_kw: float = param(
        1_430.0,
        ge=0,
        le=20_000,
        source="LBNL Utility-Scale Solar 2024: installed $1.43/Wac in 2023 (DOMAIN-NUMBERS)",
        doc="Capex of a utility-scale solar build (before the solar credit, policy.solar_credit_share).",
    )
    wind_capex_usd_per_kw: float = param(
        1_500.0,
        ge=0,
        le=20_000,
        source=f"{_ATB}: land-based wind ~$1,500/kW",
        doc="Capex of a land-based wind build.",
        unconfirmed=True,
    )
    storage_capex_usd_per_kwh: float = param(
        300.0,
        ge=0,
        le=5_000,
        source="Installed utility BESS $192/kWh world, US ~$250-500/kWh (DOMAIN-NUMBERS #19): the low US end",
        doc="Capex per kWh of a utility storage build (of utilities.storage_hours).",
        unconfirmed=True,
    )
    gas_cc_fixed_om_usd_per_kw_year: float = param(
        30.0,
        ge=0,
        le=1_000,
        source=_ATB,
        doc="Fixed O&M of a combined-cycle build.",
        unconfirmed=True,
    )
    gas_ct_fixed_om_usd_per_kw_year: float = param(
        20.0, ge=0, le=1_000, source=_ATB, doc="Fixed O&M of a CT build.", unconfirmed=True
    )
    solar_fixed_om_usd_per_kw_year: float = param(
        20.0, ge=0, le=1_000, source=_ATB, doc="Fixed O&M of a solar build.", unconfirmed=True
    )
    wind_fixed_om_usd_per_kw_year: float = param(
        45.0, ge=0, le=1_000, source=_ATB, doc="Fixed O&M of a wind build.", unconfirmed=True
    )
    storage_fixed_om_usd_per_kw_year: float = param(
        25.0, ge=0, le=1_000, source=_ATB, doc="Fixed O&M of a storage build.", unconfirmed=True
    )
    gas_ct_cost_usd_per_mwh: float = param(
        40.0,
        ge=0,
        le=1_000,
        source="Gas ~$3/MMBtu x ~10.5 MMBtu/MWh CT heat rate (DOMAIN-NUMBERS #25) + ~$8/MWh VOM (assumption)",
        doc="Fuel and variable O&M of a CT (a combined cycle runs at market.cost_gas_usd_per_mwh).",
        unconfirmed=True,
    )
    gas_cc_capacity_factor: float = param(
        0.5,
        ge=0,
        le=1,
        source="Thunder Said Energy base case: CCGT at 50 % utilisation (DOMAIN-NUMBERS)",
        doc="Share of the year a planned combined cycle is expected to run.",
    )
    gas_ct_capacity_factor: float = param(
        0.1,
        ge=0,
        le=1,
        source="Assumption: US peakers run ~5-15 % of hours",
        doc="Share of the year a planned CT is expected to run.",
        unconfirmed=True,
    )
    solar_capacity_factor: float = param(
        0.24,
        ge=0,
        le=1,
        source="LBNL Utility-Scale Solar 2024: median AC capacity factor 24 % (DOMAIN-NUMBERS)",
        doc="Expected capacity factor of a planned solar build (wind uses market.wind_availability).",
    )
    retire_coal_share_per_year: float = param(
        0.047,
        ge=0,
        le=1,
        source=_EIA_2025,
        doc="Share of the 2025 coal fleet retired each year (a linear schedule until none is left).",
        unconfirmed=True,
    )
    retire_gas_share_per_year: float = param(
        0.005,
        ge=0,
        le=1,
        source=_EIA_2025,
        doc="Share of the 2025 gas fleet retired each year (old steam units and CTs; new builds never).",
        unconfirmed=True,
    )
    horizon_months: float = param(
        60.0,
        ge=0,
        le=240,
        source=(
            "Assumption: a utility plans as far ahead as a gas plant takes to build (~5 years, "
            "DOMAIN-NUMBERS #23); EIA-860 lists planned retirements about that far ahead"
        ),
        doc=(
            "Months ahead a utility plans: its load forecast's horizon and the scheduled "
            "retirements it subtracts from firm capacity."
        ),
        unconfirmed=True,
    )
    build_lead_months_solar: float = param(
        18.0,
        ge=0,
        le=240,
        source="Solar+storage delivers utility-scale power in 18-20 months (DOMAIN-NUMBERS §4, secondary)",
        doc="Months from a utility's solar filing to its plant being ready.",
        unconfirmed=True,
    )
    build_lead_months_wind: float = param(
        36.0,
        ge=0,
        le=240,
        source="Assumption: land-based wind takes ~3 years from filing (permits, turbines) to ready",
        doc="Months from a utility's wind filing to its plant being ready.",
        unconfirmed=True,
    )
