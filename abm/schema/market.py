"""The power market section: representative hours, offers, availability and must-run."""

from __future__ import annotations

from typing import Literal

from abm.schema.fields import Section, param


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
    heat_rate_spread_share: float = param(
        0.1,
        ge=0,
        le=0.5,
        source="Assumption: plant heat rates within a prime mover spread roughly +/-10 % around its mean (EIA-923 plant-level heat rates; EIA Electric Power Annual Table 8.1 gives the means only)",
        doc="Half-width of the uniform spread of each fossil plant's heat rate (gas, coal, other) around its technology's: its offer and CO2 per MWh scale with it, so the merit order slopes instead of stepping by technology.",
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
