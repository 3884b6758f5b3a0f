"""On-site and other direct paths: gas engines and turbines (bridge power included) and the wildcard."""

from __future__ import annotations

from typing import Literal

from abm.schema.fields import Month, Section, param


class GasSection(Section):
    """On-site gas and bridge power: the turbine and engine order books, cost, emissions, permits."""

    turbine_production_mw_per_month: float = param(
        1_667.0,
        ge=0,
        le=1e6,
        source="GE Vernova gas-turbine shipments ~5 GW/quarter, 2025 (DOMAIN-NUMBERS §4 Gas turbines); global, scaled to this grid by turbine_us_share x the grid's share of the US peak",
        doc="Gas turbines produced a month (global MW); one book shared by utility gas plants and on-site buyers.",
    )
    turbine_backlog_mw: float = param(
        29_000.0,
        ge=0,
        le=1e7,
        source="GE Vernova HA-class backlog 29 GW in Q1 2025 (~80 GW end-2025, ~100 GW 2026) (DOMAIN-NUMBERS §4 Gas turbines); global, scaled like the production",
        doc="Turbine MW already on order when the run starts (global MW).",
    )
    turbine_us_share: float = param(
        0.5,
        ge=0,
        le=1,
        source="GE expected ~20 GW/yr of gas-turbine orders to 2028, at least half US (icppower 2024, DOMAIN-NUMBERS §4 Gas turbines)",
        doc="Share of the world's turbine book that serves US buyers (then scaled by the grid's share of the US peak).",
        unconfirmed=True,
    )
    turbine_min_lead_months: float = param(
        24.0,
        ge=0,
        le=240,
        source="Orders placed Apr 2025 deliver 2028 (~36-44 months) when 29 GW of backlog took ~17 months to ship at 5 GW/quarter: ~2 years of manufacture and installation (DOMAIN-NUMBERS §4 Gas turbines; derived)",
        doc="Months from order to delivery of a turbine when the book is empty; the backlog ahead adds its production months.",
        unconfirmed=True,
    )
    recip_lead_time_months: float = param(
        15.0,
        ge=0,
        le=120,
        source="Reciprocating engines 1-1.5 yr (DOMAIN-NUMBERS #23)",
        doc="Lead time for reciprocating engines when the engine book is empty (the backlog ahead adds to it).",
    )
    recip_capacity_mw_per_month: float = param(
        150.0,
        ge=0,
        le=1e6,
        source="Engine orders 2025-26: Wartsila 412 MW, INNIO 1.25 GW framework, ProEnergy 650 MW (~2.3 GW over ~15 months, DOMAIN-NUMBERS §5b)",
        doc="Engine and small-turbine production available to data centres per month (the engine book starts empty).",
        unconfirmed=True,
    )
    cost_usd_per_mwh: float = param(
        175.0,
        ge=0,
        le=5000,
        source="BNP Paribas: behind-the-meter gas ~$175/MWh (DOMAIN-NUMBERS §5b)",
        doc="All-in cost of on-site gas power.",
    )
    co2_t_per_mwh: float = param(
        0.55,
        ge=0,
        le=2,
        source="EIA/EPA: simple-cycle CT ~0.55 t/MWh (DOMAIN-NUMBERS #25)",
        doc="Emission factor of on-site gas.",
    )
    air_permit_risk: float = param(
        0.2,
        ge=0,
        le=1,
        source="xAI Colossus air-permit dispute (DOMAIN.md); probability is an assumption",
        doc="Chance an on-site gas project meets an air-permit delay.",
        unconfirmed=True,
    )
    air_permit_delay_months: float = param(
        12.0,
        ge=0,
        le=120,
        source="Assumption",
        doc="Delay when an air permit is contested.",
        unconfirmed=True,
    )
    bridge_enabled: bool = param(
        True,
        source="xAI Colossus ran ~35 portable turbines (~422 MW) while its grid substation was built; Rabobank: behind-the-meter gas is treated as a 3-7 yr bridge, >130 GW proposed (DOMAIN-NUMBERS §4 Gas turbines, §5b)",
        doc="Whether a waiting grid project may run on on-site gas until its grid connection (the owner decides by its economics).",
    )
    bridge_capex_usd_per_mw: float = param(
        1_500_000.0,
        ge=0,
        le=1e8,
        source="Recip engines ~$1,200-2,000/kW installed (literature, DOMAIN-NUMBERS §5b, unconfirmed); simple-cycle CT $728-1,544/kW (2025, EIA via Utility Dive, DOMAIN-NUMBERS §4)",
        doc="Installed cost of bridge gas (engines or turbines) per MW; recovered over the bridge months.",
        unconfirmed=True,
    )
    bridge_fuel_om_usd_per_mwh: float = param(
        35.0,
        ge=0,
        le=1000,
        source="Gas ~$3/MMBtu x ~9.5 MMBtu/MWh recip/CT heat rate (DOMAIN-NUMBERS §4 emission factors) + ~$5/MWh VOM; the rest of behind-the-meter gas's ~$175/MWh (BNP Paribas, §5b) is capital recovery",
        doc="Fuel and variable O&M of bridge gas per MWh served.",
        unconfirmed=True,
    )
    bridge_after_grid: Literal["retire", "backup"] = param(
        "retire",
        source="Colossus: the 150 MW grid substation let xAI remove part of its portable turbines (DOMAIN-NUMBERS §4 Gas turbines)",
        doc="What happens to a bridge once its project's grid connection energises: retired, or kept as firm backup.",
    )
    backup_hours_per_year: float = param(
        50.0,
        ge=0,
        le=8760,
        source="Assumption: monthly readiness tests and rare outages; EPA RICE NESHAP caps emergency engines' non-emergency running at 100 h/yr (40 CFR 63.6640(f))",
        doc="Hours a year gas kept as backup runs (its CO2 is booked with the bridge's).",
        unconfirmed=True,
    )
    order_cancel_penalty_share: float = param(
        0.15,
        ge=0,
        le=1,
        source="Assumption: turbine and engine makers take reservation payments of ~10-20 % of the order, forfeit on cancellation; no figure in DOMAIN-NUMBERS",
        doc="Share of a gas order's installed cost its owner forfeits when it cancels the order: an on-site order's gas.bridge_capex_usd_per_mw, a utility gas plant's capex.",
        unconfirmed=True,
    )


class OtherSection(Section):
    """The wildcard path (e.g. orbital compute); off in the baseline."""

    enabled: bool = param(
        False,
        source="DOMAIN.md wildcard (orbital compute); off in the baseline",
        doc="Whether the wildcard path exists.",
    )
    available_from: Month = param(
        "2032-01",
        source="Assumption for the orbital wildcard",
        doc="First month the wildcard can be ordered (YYYY-MM).",
        unconfirmed=True,
    )
    cost_usd_per_mwh: float = param(
        200.0,
        ge=0,
        le=10_000,
        source="Assumption",
        doc="All-in cost of power on the wildcard path.",
        unconfirmed=True,
    )
    capacity_cap_mw: float = param(
        5_000.0,
        ge=0,
        le=1e6,
        source="DOMAIN.md: up to 100 GW orbital proposed; cap is an assumption",
        doc="Total MW the wildcard can ever supply.",
        unconfirmed=True,
    )
    lead_time_months: float = param(
        24.0,
        ge=0,
        le=240,
        source="Assumption",
        doc="Order-to-power time on the wildcard path.",
        unconfirmed=True,
    )
    co2_t_per_mwh: float = param(
        0.0,
        ge=0,
        le=2,
        source="Space solar: no operational emissions",
        doc="Operational emission factor of the wildcard path.",
    )
    launch_manufacturing_t_co2_per_mw: float = param(
        1_000.0,
        ge=0,
        le=100_000,
        source="Assumption: ~20 t in orbit per MW of compute (solar arrays at ~100-200 W/kg, radiators, racks), ~50 t CO2 per t to build space hardware plus a few t per t to launch; no figure in DOMAIN-NUMBERS",
        doc="CO2 of launching and manufacturing a MW of orbital compute (booked as embodied when it is powered; a failed launch books it again).",
        unconfirmed=True,
    )
    cost_decline_per_year: float = param(
        0.1,
        ge=0,
        le=0.5,
        source="Assumption: launch prices per kg fell ~10x in a decade (Shuttle to Falcon 9); a learning curve in time, not in cumulative MW",
        doc="Yearly fall of the wildcard's cost per MWh from `available_from` on (the price hyperscalers compare).",
        unconfirmed=True,
    )
    failure_risk: float = param(
        0.1,
        ge=0,
        le=1,
        source="Assumption: new launch vehicles and first-of-a-kind constellations fail more often than mature ones (a few %); a keyed draw per project",
        doc="Chance a wildcard project's launch fails: it is rebuilt and relaunched (another lead time, and its launch CO2 again).",
        unconfirmed=True,
    )
    cap_growth_mw_per_year: float = param(
        2_000.0,
        ge=0,
        le=100_000,
        source="Assumption: launch cadence adds capacity linearly; DOMAIN.md: up to 100 GW proposed",
        doc="MW a year the wildcard's cap grows by after `available_from` (the cap is `capacity_cap_mw` plus this times the years since).",
        unconfirmed=True,
    )
