"""Water: cooling technologies and their water use, grid generation's water, stressed regions and a price.

Direct water is what a data centre's cooling consumes on site (evaporated, not returned); indirect
water is what the power plants serving it consume. The WUE figures are per kWh of IT energy (The
Green Grid's definition); the fleet figure is per facility kWh, as LBNL 2024 reports it.
"""

from __future__ import annotations

from typing import Literal

from abm.schema.fields import Section, param

Cooling = Literal["evaporative", "hybrid", "dry", "liquid"]
"""Cooling technologies: cooling towers or adiabatic coolers, their mix with dry coolers, closed
loops on dry coolers, and direct-to-chip liquid loops rejecting heat through dry coolers."""

_MACKNICK = (
    "Macknick et al. 2012 (NREL, Environ. Res. Lett. 7 045802), median operational consumption"
)


class WaterSection(Section):
    """Water use per MWh by cooling technology and by generation technology; stressed nodes; a price."""

    cooling_conventional: Cooling = param(
        "evaporative",
        source="LBNL 2024 US Data Center Energy Usage Report: hyperscale and colocation sites rely on evaporative cooling (towers, adiabatic), fleet WUE rising 0.36 -> 0.38 L/kWh 2014-2023",
        doc="Cooling of the grid-connected and on-site gas data centres built in the run.",
        unconfirmed=True,
    )
    cooling_modular: Cooling = param(
        "liquid",
        source="Assumption: containerised GPU racks up to 100 kW (Crusoe Spark, DOMAIN.md) need direct-to-chip liquid cooling on closed loops",
        doc="Cooling of the modular off-grid sites built in the run.",
        unconfirmed=True,
    )
    wue_evaporative_l_per_kwh: float = param(
        0.45,
        ge=0,
        le=20,
        source="LBNL 2024: the fleet, mostly hyperscale and colocation sites on evaporative cooling, consumed ~64 bn L directly on 176 TWh in 2023 (0.36 L per facility kWh) = ~0.45 L per IT kWh at PUE 1.25; Shehabi et al. 2016's 1.8 L/kWh describes older sites",
        doc="Water an evaporatively cooled site consumes per kWh of IT energy (WUE).",
        unconfirmed=True,
    )
    wue_hybrid_l_per_kwh: float = param(
        0.25,
        ge=0,
        le=20,
        source="Assumption: hybrid (evaporative on hot hours, dry otherwise) at about half the evaporative WUE",
        doc="WUE of a hybrid-cooled site (L per kWh of IT energy).",
        unconfirmed=True,
    )
    wue_dry_l_per_kwh: float = param(
        0.05,
        ge=0,
        le=20,
        source="Assumption: closed loops on dry coolers consume water only for humidification and make-up (near zero)",
        doc="WUE of a dry / closed-loop site (L per kWh of IT energy).",
        unconfirmed=True,
    )
    wue_liquid_l_per_kwh: float = param(
        0.2,
        ge=0,
        le=20,
        source="Assumption: direct-to-chip loops on dry coolers with evaporative trim on the hottest hours",
        doc="WUE of a liquid-cooled site (L per kWh of IT energy).",
        unconfirmed=True,
    )
    fleet_direct_l_per_kwh: float = param(
        0.36,
        ge=0,
        le=20,
        source="LBNL 2024: US data centres consumed ~64 bn L (17 bn gal) directly in 2023 on 176 TWh (DOMAIN-NUMBERS #8) = 0.36 L per facility kWh",
        doc="Direct water of the data centres energised before the run, per kWh of facility energy.",
        unconfirmed=True,
    )
    gen_gas_l_per_mwh: float = param(
        750.0,
        ge=0,
        le=20_000,
        source=f"{_MACKNICK}: gas combined cycle with cooling tower 198 gal/MWh",
        doc="Water the grid's gas generation consumes per MWh.",
        unconfirmed=True,
    )
    gen_coal_l_per_mwh: float = param(
        2_600.0,
        ge=0,
        le=20_000,
        source=f"{_MACKNICK}: subcritical coal with cooling tower 687 gal/MWh",
        doc="Water the grid's coal generation consumes per MWh.",
        unconfirmed=True,
    )
    gen_nuclear_l_per_mwh: float = param(
        2_540.0,
        ge=0,
        le=20_000,
        source=f"{_MACKNICK}: nuclear with cooling tower 672 gal/MWh",
        doc="Water the grid's nuclear generation consumes per MWh.",
        unconfirmed=True,
    )
    gen_solar_l_per_mwh: float = param(
        20.0,
        ge=0,
        le=20_000,
        source=f"{_MACKNICK}: PV (panel washing) ~1-26 gal/MWh",
        doc="Water solar PV consumes per MWh (grid and modular sites' own PV).",
        unconfirmed=True,
    )
    gen_hydro_l_per_mwh: float = param(
        0.0,
        ge=0,
        le=50_000,
        source=f"Reservoir evaporation is left out (shared with irrigation and flood control); {_MACKNICK} gives 4,491 gal/MWh when it is all charged to power",
        doc="Water the grid's hydro consumes per MWh (0: reservoir evaporation not charged to power).",
        unconfirmed=True,
    )
    gen_other_l_per_mwh: float = param(
        1_800.0,
        ge=0,
        le=20_000,
        source=f"{_MACKNICK}: biopower steam 553 gal/MWh, geothermal flash 10 gal/MWh; the grid's 'other' is read as steam plants",
        doc="Water the grid's other generation consumes per MWh.",
        unconfirmed=True,
    )
    gen_onsite_gas_l_per_mwh: float = param(
        190.0,
        ge=0,
        le=20_000,
        source=f"{_MACKNICK}: gas combustion turbine (no steam cycle) ~50 gal/MWh; recip engines similar (closed radiators)",
        doc="Water on-site gas (engines, turbines, modular backup gensets) consumes per MWh.",
        unconfirmed=True,
    )
    stressed_share_of_buses: float = param(
        0.35,
        ge=0,
        le=1,
        source="Assumption: WRI Aqueduct puts much of the US West and Southwest in high or extremely high baseline water stress; about two-thirds of DCs built since 2022 sit in high-stress areas (Bloomberg 2025, secondary); not in DOMAIN-NUMBERS",
        doc="Share of the grid's buses in water-stressed regions (a seeded rule, abm/grid/water_stress.py).",
        unconfirmed=True,
    )
    stress_solar_weight: float = param(
        0.5,
        ge=0,
        le=1,
        source="Assumption: the sunniest US regions (Southwest) are the most water-stressed; 0 draws stress independently of sun",
        doc="Weight of a bus's solar-resource rank in its water-stress score (the rest is a keyed draw).",
        unconfirmed=True,
    )
    price_usd_per_m3_stressed: float = param(
        0.0,
        ge=0,
        le=1_000,
        source="Lever (0 = water not priced); municipal industrial water ~$1-5 per m3 in the US West (assumption)",
        doc="What a data centre pays per m3 of direct water at a water-stressed bus; it weighs sites down by the share water adds to their MWh.",
    )
