"""Grid-side sections: the network, its power market, policy and utility planning."""

from __future__ import annotations

from typing import Literal

from abm.schema.fields import Section, param


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


class MarketSection(Section):
    """The monthly power market: representative hours, marginal costs and emission factors."""

    representative_hours: int = param(
        4,
        ge=1,
        le=4,
        source="Issue 6: peak, solar midday, shoulder, off-peak (each with its sourced share and factors)",
        doc=(
            "Representative hours the power market clears each month, the first N of peak, solar "
            "midday, shoulder and off-peak (shares renormalised); at most 4, as only these four "
            "have hour shares and load and solar factors."
        ),
    )
    copper_plate: bool = param(
        False, source="Issue 6", doc="Ignore line limits (faster, no congestion)."
    )
    voll_usd_per_mwh: float = param(
        10_000.0,
        gt=0,
        le=1e6,
        source="ERCOT system-wide offer cap $5,000-9,000/MWh (public); assumption",
        doc="Value of lost load.",
        unconfirmed=True,
    )
    flex_curtail_cost_usd_per_mwh: float = param(
        1_000.0,
        ge=0,
        le=1e6,
        source="Assumption: below VOLL, above peakers",
        doc="Price at which flexible DC load curtails.",
        unconfirmed=True,
    )
    cost_gas_usd_per_mwh: float = param(
        25.0,
        ge=0,
        le=1000,
        source="Gas at ~$3/MMBtu x 7 MMBtu/MWh CCGT heat rate + ~$4/MWh VOM (EIA; assumption)",
        doc="Marginal cost of grid gas generation.",
        unconfirmed=True,
    )
    cost_coal_usd_per_mwh: float = param(
        35.0,
        ge=0,
        le=1000,
        source="EIA: coal fuel + VOM (assumption)",
        doc="Marginal cost of coal generation.",
        unconfirmed=True,
    )
    cost_nuclear_usd_per_mwh: float = param(
        10.0,
        ge=0,
        le=1000,
        source="EIA: nuclear fuel + VOM (assumption)",
        doc="Marginal cost of nuclear generation.",
        unconfirmed=True,
    )
    cost_hydro_usd_per_mwh: float = param(
        5.0, ge=0, le=1000, source="Assumption", doc="Marginal cost of hydro.", unconfirmed=True
    )
    cost_storage_usd_per_mwh: float = param(
        60.0,
        ge=0,
        le=1000,
        source="Assumption: charging cost / round-trip efficiency",
        doc="Offer price of storage discharge.",
        unconfirmed=True,
    )
    cost_other_usd_per_mwh: float = param(
        80.0,
        ge=0,
        le=1000,
        source="Assumption: oil and misc. peakers",
        doc="Marginal cost of other generation.",
        unconfirmed=True,
    )
    co2_gas_t_per_mwh: float = param(
        0.435,
        ge=0,
        le=2,
        source="EIA FAQ 74: gas fleet 0.435 t/MWh (DOMAIN-NUMBERS #25)",
        doc="Gas fleet emission factor.",
    )
    co2_coal_t_per_mwh: float = param(
        1.05,
        ge=0,
        le=2,
        source="EIA FAQ 74: coal 2.31 lb/kWh = 1.05 t/MWh (DOMAIN-NUMBERS #25)",
        doc="Coal emission factor.",
    )
    co2_other_t_per_mwh: float = param(
        0.8,
        ge=0,
        le=2,
        source="Assumption: oil peakers",
        doc="Other fossil emission factor.",
        unconfirmed=True,
    )
    wind_availability: float = param(
        0.36,
        ge=0,
        le=1,
        source="E3: wind capacity factor ~36 % (DOMAIN-NUMBERS)",
        doc="Wind output as a share of capacity in every representative hour.",
    )
    tariff_adder_usd_per_mwh: float = param(
        30.0,
        ge=0,
        le=1000,
        source="Assumption: T&D and capacity recovery on top of energy",
        doc="Retail adder utilities charge above the LMP.",
        unconfirmed=True,
    )

    initial_price_merit_point: float = param(
        0.75,
        ge=0,
        le=1,
        source="Assumption: the first month's price is set by the plant at 75 % of the peak on the merit order",
        doc="Share of grid peak load whose marginal plant sets the initial expected LMP.",
        unconfirmed=True,
    )
    peak_hours_share: float = param(
        0.1,
        ge=0,
        le=1,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Share of the month's hours that the evening peak stands for.",
        unconfirmed=True,
    )
    peak_load_factor: float = param(
        1.0,
        ge=0,
        le=2,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Load in the evening peak as a share of peak load.",
        unconfirmed=True,
    )
    peak_solar_factor: float = param(
        0.25,
        ge=0,
        le=1,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Solar availability factor in the evening peak (1 = full sun).",
        unconfirmed=True,
    )
    solar_midday_hours_share: float = param(
        0.25,
        ge=0,
        le=1,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Share of the month's hours that solar midday stands for.",
        unconfirmed=True,
    )
    solar_midday_load_factor: float = param(
        0.85,
        ge=0,
        le=2,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Load in solar midday as a share of peak load.",
        unconfirmed=True,
    )
    solar_midday_solar_factor: float = param(
        1.0,
        ge=0,
        le=1,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Solar availability factor in solar midday (1 = full sun).",
        unconfirmed=True,
    )
    shoulder_hours_share: float = param(
        0.35,
        ge=0,
        le=1,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Share of the month's hours that shoulder hours stands for.",
        unconfirmed=True,
    )
    shoulder_load_factor: float = param(
        0.75,
        ge=0,
        le=2,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Load in shoulder hours as a share of peak load.",
        unconfirmed=True,
    )
    shoulder_solar_factor: float = param(
        0.1,
        ge=0,
        le=1,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Solar availability factor in shoulder hours (1 = full sun).",
        unconfirmed=True,
    )
    off_peak_hours_share: float = param(
        0.3,
        ge=0,
        le=1,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Share of the month's hours that off-peak night stands for.",
        unconfirmed=True,
    )
    off_peak_load_factor: float = param(
        0.6,
        ge=0,
        le=2,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Load in off-peak night as a share of peak load.",
        unconfirmed=True,
    )
    off_peak_solar_factor: float = param(
        0.0,
        ge=0,
        le=1,
        source="Issue 6: stylised representative hours (peak, solar midday, shoulder, off-peak); assumption",
        doc="Solar availability factor in off-peak night (1 = full sun).",
        unconfirmed=True,
    )

    # --- dispatch: offers, must-run, energy-limited hydro and storage (issue 18 item 1) ---
    gas_peaker_capacity_share: float = param(
        0.42,
        ge=0,
        le=1,
        source="EIA Electric Power Annual 2023 / Form EIA-860: combined cycle ~58 % of US gas summer capacity, the rest combustion turbines, steam units and engines (not in DOMAIN-NUMBERS)",
        doc="Share of each bus's gas capacity offered as peakers (at planning.gas_ct_cost_usd_per_mwh and carbon.gas_ct_t_per_mwh); the rest runs as combined cycle.",
        unconfirmed=True,
    )
    coal_min_generation_share: float = param(
        0.4,
        ge=0,
        le=1,
        source="Minimum stable level of US coal units ~40-50 % of nameplate (NREL 'Flexible Coal', 2013; IEA Status of Power System Transformation 2018); not in DOMAIN-NUMBERS",
        doc="Share of a committed coal plant's capacity that must run in every representative hour (offered at the price floor).",
        unconfirmed=True,
    )
    nuclear_min_generation_share: float = param(
        1.0,
        ge=0,
        le=1,
        source="US nuclear units run base-loaded at full available output and do not load-follow (EIA: nuclear capacity factor 93 % in 2023)",
        doc="Share of a committed nuclear plant's available capacity that must run in every representative hour (offered at the price floor).",
        unconfirmed=True,
    )
    nuclear_availability: float = param(
        0.93,
        ge=0,
        le=1,
        source="EIA Electric Power Monthly Table 6.07.B: nuclear capacity factor 93 % (2023); DOMAIN-NUMBERS 90-95 %",
        doc="Nuclear output available as a share of capacity (refuelling and forced outages).",
    )
    hydro_capacity_factor: float = param(
        0.36,
        ge=0,
        le=1,
        source="EIA Electric Power Monthly Table 6.07.B: conventional hydro capacity factor ~35-37 % (2022-2023); not in DOMAIN-NUMBERS",
        doc="Hydro's energy budget as a share of capacity: each month's water, shaped over the representative hours in proportion to load.",
        unconfirmed=True,
    )
    must_run_offer_usd_per_mwh: float = param(
        -150.0,
        ge=-1000,
        le=0,
        source="CAISO bid floor -$150/MWh (CAISO tariff section 39.6.1.4); self-scheduled must-run output is a price taker",
        doc="Offer price of must-run output (coal and nuclear minimum generation): it is backed down only when nothing else can be.",
    )
    storage_round_trip_efficiency: float = param(
        0.85,
        gt=0,
        le=1,
        source="NREL ATB 2024: utility Li-ion round-trip efficiency 85 % (not in DOMAIN-NUMBERS)",
        doc="MWh a storage plant returns per MWh it charged; its discharge offer is its charging price over this.",
        unconfirmed=True,
    )
    dc_co2_basis: Literal["average", "marginal"] = param(
        "average",
        source="Lever: GHG Protocol Scope 2 location-based (average) accounting vs consequential (marginal) emission factors",
        doc="Emission factor grid-connected data centres are charged (their CO2 and the carbon price in their path choice): the grid average or the marginal factor at their buses (both are reported).",
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
        doc="Duration of grid storage utilities buy.",
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
    storage_c_rate: float = param(
        0.25,
        gt=0,
        le=4,
        source="Grid storage of 4 h at 0.25C (DOMAIN-NUMBERS #18; assumption)",
        doc="C-rate (1/h) of grid storage utilities install.",
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
