"""Grid-side sections: the network, policy and utility planning (the power market: abm.schema.market)."""

from __future__ import annotations

from typing import Literal

from abm.schema.fields import Section, param
from abm.schema.market import MarketSection

__all__ = ["GridSection", "MarketSection", "PolicySection", "UtilitySection"]


class GridSection(Section):
    """The network the utilities run: synthetic, a pandapower case or a GraphML/JSON file."""

    source: str = param(
        "synthetic",
        source="Issue 4",
        doc="'synthetic', 'pandapower:<case>' or a path to a GraphML/JSON grid file.",
    )
    n_buses: int = param(
        200,
        ge=20,
        le=10_000,
        source="Issue 4: synthetic grids from 20 to 10,000 buses",
        doc="Buses of the synthetic grid.",
    )
    n_territories: int = param(
        8,
        ge=1,
        le=64,
        source="Assumption: one utility per territory, US-like regions",
        doc="Utility territories (one utility each).",
    )
    peak_load_mw: float = param(
        745_000.0,
        gt=0,
        le=5e6,
        source="EIA: US lower-48 peak demand ~745 GW (July 2023)",
        doc="System peak load of the synthetic grid.",
        unconfirmed=True,
    )
    load_growth_per_year: float = param(
        0.01,
        ge=0,
        le=0.2,
        source="EIA AEO: non-DC US load growth ~1 %/yr (assumption)",
        doc="Growth of the grid's existing (non-AI) load.",
        unconfirmed=True,
    )
    hosting_dfax_cutoff: float = param(
        0.05,
        ge=0.0,
        le=1.0,
        source=(
            "Interconnection studies attribute a constraint to a new load or generator only if "
            "its distribution factor on the line is at least a cutoff: 5 % in PJM Manual 14B "
            "(deliverability) and MISO's NRIS studies (recall, to confirm against the manuals)"
        ),
        doc=(
            "Distribution factor (MW of line flow per MW of new load) below which a line does "
            "not limit a bus's hosting capacity or get raised by its upgrade; without it, one "
            "line at its limit in the peak dispatch leaves no hosting room at any bus of a "
            "meshed network."
        ),
        unconfirmed=True,
    )
    emergency_rating_ratio: float = param(
        1.15,
        ge=1.0,
        le=2.0,
        source=(
            "NERC TPL-001-5.1 category P1: after a single line outage, flows stay within "
            "emergency ratings; assumption: long-term emergency ratings are 110-125 % of normal "
            "(utility rating practice, e.g. IEEE Std 738 based methods), 1.15 taken"
        ),
        doc=(
            "Emergency over normal line rating: the synthetic grid's base-year plan keeps every "
            "post-outage flow within this multiple of the normal rating (N-1)."
        ),
        unconfirmed=True,
    )
    planning_horizon_years: float = param(
        5.0,
        ge=0.0,
        le=15.0,
        source="NERC TPL-001-5.1 R2.1: the Near-Term Transmission Planning Horizon is years 1-5",
        doc=(
            "Years of existing-load growth the synthetic grid's base-year lines are rated for "
            "(planned peak = base peak x (1 + load growth) ^ years)."
        ),
    )
    us_peak_mw: float = param(
        745_000.0,
        gt=0,
        le=5e6,
        source="EIA: US lower-48 peak demand ~745 GW (July 2023)",
        doc=(
            "US peak the national quantities are sized for (abm.schema.national): they scale "
            "to any grid by its peak over this (1.0 for the baseline's synthetic grid)."
        ),
        unconfirmed=True,
    )
    transmission_assessment_years: float = param(
        1.0,
        ge=0.0,
        le=20.0,
        source=(
            "NERC TPL-001-5.1 R2: each Planning Coordinator and Transmission Planner prepares "
            "an annual Planning Assessment of its system"
        ),
        doc=(
            "Years between the planner's rolling transmission assessments (0: none): each "
            "re-plans the present system's lines to the base-year N-1 criteria and raises "
            "those short of it."
        ),
    )
    transmission_cost_usd_per_mw_km: float = param(
        1_250.0,
        ge=0.0,
        le=50_000.0,
        source=(
            "Assumption from MISO's Transmission Cost Estimation Guide (MTEP24): a 345 kV "
            "single-circuit line about $2.4 M/mile carrying about 1,200 MW, i.e. ~$2,000 per "
            "MW-mile (~$1,250 per MW-km); reconductoring is often cheaper"
        ),
        doc=(
            "Capex of transmission the rolling assessment adds, per MW of rating and km of "
            "line; recovered through the network charge of the territories the line touches."
        ),
        unconfirmed=True,
    )


class PolicySection(Section):
    """Carbon price and the IRA credits (45X, solar)."""

    carbon_price_usd_per_t: float = param(
        0.0,
        ge=0,
        le=1000,
        source="Lever (no US federal carbon price)",
        doc="Carbon price on operational CO2.",
    )
    credit_45x_usd_per_kwh: float = param(
        10.0,
        ge=0,
        le=200,
        source="26 USC 45X: $10/kWh modules (DOMAIN-NUMBERS #21)",
        doc="45X credit per kWh of storage modules (new and remanufactured).",
    )
    credit_45x_first_year: int = param(
        2023,
        ge=2000,
        le=2100,
        source="26 USC 45X (Inflation Reduction Act 2022, sec. 13502): components produced and sold after 31 Dec 2022",
        doc="First year the 45X credit is paid; a run starting earlier (the hindcast) sees no credit before it.",
    )
    credit_45x_phaseout_start_year: int = param(
        2030,
        ge=2000,
        le=2100,
        source="26 USC 45X: phase-out 2030-2032 (DOMAIN-NUMBERS #21)",
        doc="First year of the 45X phase-out (75 %, 50 %, 25 %, then 0).",
    )
    credit_45x_scope: Literal["new_and_second_life", "new_only", "second_life_only"] = param(
        "new_and_second_life",
        source="26 USC 45X credits produced battery modules; whether repurposed modules qualify is an assumption (issue 17 item 3)",
        doc="Which storage the 45X credit is paid on: new modules (passed through into the new-storage price), remanufactured second-life packs (paid to the seller on sale, in recyclers' routing value and asks), or both.",
        unconfirmed=True,
    )
    second_life_production_credit_usd_per_kwh: float = param(
        0.0,
        ge=0,
        le=200,
        source="Lever: no such US credit exists; a hypothetical production credit per usable kWh repurposed to second life",
        doc="Credit paid to a recycler per usable kWh it repurposes for second life (enters its routing value).",
    )
    solar_credit_share: float = param(
        0.3,
        ge=0,
        le=1,
        source="IRA 48E/45Y 30 % base credit (DOMAIN.md: 45Y for solar)",
        doc="Share of solar capex covered by credits.",
    )


class UtilitySection(Section):
    """Utility planning: reserve margin, forecasts, build lead times and costs."""

    reserve_margin: float = param(
        0.15,
        ge=0,
        le=1,
        source="NERC reference reserve margin ~15 % (public)",
        doc="Target capacity above forecast peak.",
    )
    forecast_inclusion: float = param(
        0.5,
        ge=0,
        le=1,
        source="Utilities include signed and a share of queued load (assumption; Dominion/ERCOT practice)",
        doc="Share of queued (unsigned) load MW utilities count in their forecast.",
        unconfirmed=True,
    )
    build_lead_months_gas: float = param(
        60.0,
        ge=0,
        le=240,
        source="CCGT lead ~5 yr (DOMAIN-NUMBERS #23)",
        doc=(
            "Months from a utility's gas build filing to its plant being ready; it enters "
            "service once this has passed and its interconnection is energised."
        ),
    )
    build_lead_months_storage: float = param(
        12.0,
        ge=0,
        le=240,
        source="Assumption",
        doc=(
            "Months from a utility's storage build filing to its plant being ready; it enters "
            "service once this has passed and its interconnection is energised."
        ),
        unconfirmed=True,
    )
    gas_capex_usd_per_kw: float = param(
        2_400.0,
        ge=0,
        le=20_000,
        source="New CCGT $2,000-2,500/kW (DOMAIN-NUMBERS #24)",
        doc="Utility CCGT capex.",
    )
    storage_hours: float = param(
        4.0,
        gt=0,
        le=24,
        source="BNEF 4 h turnkey BESS (DOMAIN-NUMBERS #18)",
        doc="Duration of grid storage utilities buy; its C-rate (1 / duration) is the duty it ages and values packs at.",
    )
    build_cancel_surplus_share: float = param(
        0.1,
        ge=0,
        le=1,
        source=(
            "Assumption: a utility cancels a not-yet-signed build only when planned firm "
            "capacity exceeds its need (forecast plus reserve margin) by more than a forecast's "
            "own error, taken as ~10 % of need; no published rule"
        ),
        doc=(
            "Firm capacity above need (forecast plus reserve margin), as a share of need across "
            "the system, beyond which utilities cancel their own builds that have not signed."
        ),
        unconfirmed=True,
    )
    storage_efc_per_month: float = param(
        20.0,
        ge=0,
        le=100,
        source="About 20 equivalent full cycles a month for grid storage (DOMAIN-NUMBERS #18; assumption)",
        doc="Equivalent full cycles a month of grid storage utilities install.",
        unconfirmed=True,
    )
    second_life_bankability_discount: float = param(
        0.2,
        ge=0,
        le=1,
        source="Assumption: lenders and insurers haircut second-life grid storage for its shorter warranty (~5 vs 10-15 years for new) and performance risk; no published figure",
        doc="Share a utility takes off a second-life pack's value under grid duty when it bids for it.",
        unconfirmed=True,
    )
