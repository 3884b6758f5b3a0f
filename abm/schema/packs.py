"""Pack-economy sections: retiring EV packs, recyclers, battery makers and ageing."""

from __future__ import annotations

from typing import Literal

from abm.schema.fields import Section, param

_NO_CHEMISTRY_COST = (
    "No chemistry-specific repurposing cost in DOMAIN-NUMBERS: Lieskoski 2024 (#17) priced Tesla"
    " NCA packs and Redwood integrates LFP to high-Ni packs alike at pack level (§3), so 1.0"
)
_RECENT_PACK_YIELD = (
    "Assumption: recent liquid-cooled packs graded at pack level keep 0.9-0.98 (Redwood screening"
    " 'high 90s %'; DOMAIN-NUMBERS part 2 §2c model hint); 0.9, the low end"
)


class PacksSection(Section):
    """Retiring EV packs: volumes, state of health, routing and buy-back contracts."""

    routing: Literal["market", "second_use_first", "recycle_first"] = param(
        "market",
        source="Issue 5; California second-use-first study (DOMAIN.md)",
        doc="How recyclers route graded packs.",
    )
    retirement_multiplier: float = param(
        1.0, ge=0, le=20, source="Lever", doc="Scales the flow of retiring EV packs."
    )
    soh_mean: float = param(
        0.75,
        gt=0,
        le=0.99,
        source="ADL; Gharebaghi 2024; Redwood: 0.70-0.80 (DOMAIN-NUMBERS #16)",
        doc="Mean state of health at EV retirement.",
    )
    soh_sd: float = param(
        0.08,
        gt=0,
        le=0.3,
        source="Nevada packs 50-80 % (DOMAIN.md); spread is an assumption",
        doc="Spread of state of health at retirement.",
        unconfirmed=True,
    )
    ev_lifetime_weibull_shape: float = param(
        4.23,
        gt=0,
        le=20,
        source="Busch et al. 2025: EV battery life mean 15, sd 4 years (DOMAIN-NUMBERS §1c) -> Weibull shape 4.23",
        doc="Shape of EV first-life lifetime.",
    )
    ev_lifetime_weibull_scale_years: float = param(
        16.5,
        gt=0,
        le=50,
        source="Busch et al. 2025: EV battery life mean 15, sd 4 years (DOMAIN-NUMBERS §1c) -> Weibull scale 16.5 years",
        doc="Scale of EV first-life lifetime.",
    )
    repurpose_cost_usd_per_kwh: float = param(
        40.0,
        ge=0,
        le=1000,
        source="Lieskoski et al. 2024: 27-38 EUR/kWh (~$30-45) (DOMAIN-NUMBERS #17)",
        doc="Testing, reconfiguring and integrating a second-life kWh at the start (it learns with repurposed volume).",
    )
    repurpose_cost_share_nmc: float = param(
        1.0,
        ge=0,
        le=5,
        source=_NO_CHEMISTRY_COST,
        doc="Repurposing cost of NMC packs as a share of packs.repurpose_cost_usd_per_kwh.",
        unconfirmed=True,
    )
    repurpose_cost_share_lfp: float = param(
        1.0,
        ge=0,
        le=5,
        source=_NO_CHEMISTRY_COST,
        doc="Repurposing cost of LFP packs as a share of packs.repurpose_cost_usd_per_kwh.",
        unconfirmed=True,
    )
    repurpose_cost_share_other: float = param(
        1.0,
        ge=0,
        le=5,
        source=_NO_CHEMISTRY_COST,
        doc="Repurposing cost of other packs (NCA, LMO) as a share of packs.repurpose_cost_usd_per_kwh.",
        unconfirmed=True,
    )
    recycling_value_nmc_usd_per_kwh: float = param(
        13.5,
        ge=-100,
        le=500,
        source="NMC black mass ≈ $25-32/kWh (Argus Jan 2024, derived; DOMAIN-NUMBERS part 2 §2a), midpoint 28.5, less recycling cost ≈ $15/kWh (§2a, unconfirmed)",
        doc="Net value of recycling a nameplate kWh of NMC packs (materials less process cost).",
        unconfirmed=True,
    )
    recycling_value_lfp_usd_per_kwh: float = param(
        -8.5,
        ge=-100,
        le=500,
        source="LFP black mass ≈ $5-8/kWh (Argus Jan 2024, derived; DOMAIN-NUMBERS part 2 §2a), midpoint 6.5, less recycling cost ≈ $15/kWh: a gate fee, as LFP recycling is a net loss (MacroPolo; Fastmarkets gate fees, §2a)",
        doc="Net value of recycling a nameplate kWh of LFP packs (negative: the recycler pays to be rid of it).",
        unconfirmed=True,
    )
    recycling_value_other_usd_per_kwh: float = param(
        10.5,
        ge=-100,
        le=500,
        source="End-of-life mixed black mass ≈ $23-28/kWh (Benchmark Jul 2023, derived; DOMAIN-NUMBERS part 2 §2a), midpoint 25.5, less recycling cost ≈ $15/kWh",
        doc="Net value of recycling a nameplate kWh of other packs (NCA, LMO).",
        unconfirmed=True,
    )
    second_life_yield_nmc: float = param(
        0.9,
        gt=0,
        le=1,
        source=_RECENT_PACK_YIELD,
        doc="Usable fraction of graded NMC capacity after repurposing.",
        unconfirmed=True,
    )
    second_life_yield_lfp: float = param(
        0.9,
        gt=0,
        le=1,
        source=_RECENT_PACK_YIELD,
        doc="Usable fraction of graded LFP capacity after repurposing.",
        unconfirmed=True,
    )
    second_life_yield_other: float = param(
        0.85,
        gt=0,
        le=1,
        source=(
            "Assumption: 'other' is mostly recent liquid-cooled NCA packs (0.9, as NMC) with older"
            " air-cooled Leaf LMO packs regraded at module level (0.5-0.8, midpoint 0.65; DOMAIN-NUMBERS"
            " part 2 §2c model hint), assumed a fifth of its kWh: 0.8 x 0.9 + 0.2 x 0.65 = 0.85"
        ),
        doc="Usable fraction of graded other (NCA, LMO) capacity after repurposing.",
        unconfirmed=True,
    )
    buyback_price_usd_per_kwh: float = param(
        5.0,
        ge=0,
        le=500,
        source="Assumption: contract price per nameplate kWh paid to the OEM",
        doc="Price recyclers pay OEMs under buy-back contracts.",
        unconfirmed=True,
    )
    contract_months: int = param(
        60,
        ge=1,
        le=360,
        source="Assumption: multi-year OEM-recycler agreements (Redwood-Toyota/GM/VW, DOMAIN-NUMBERS §2)",
        doc="Length of a buy-back contract.",
        unconfirmed=True,
    )
    buyback_share: float = param(
        0.6,
        ge=0,
        le=1,
        source="Pack supply depends on OEM buy-back contracts (DOMAIN.md); share is an assumption",
        doc="Share of retiring packs under OEM buy-back contracts.",
        unconfirmed=True,
    )

    new_storage_bid_markup: float = param(
        1.05,
        ge=1,
        le=3,
        source="Assumption: buyers bid 5 % over the list price of new storage so a new-storage order clears",
        doc="New-storage willingness to pay as a multiple of its price.",
        unconfirmed=True,
    )
    repurpose_learning_rate: float = param(
        0.10,
        ge=0,
        le=0.9,
        source="Assumption: testing and integration learn like balance of plant, per doubling of cumulative repurposed kWh",
        doc="Repurposing cost fall per doubling of the cumulative repurposed (second-life) kWh.",
        unconfirmed=True,
    )
    repurposed_gwh_start: float = param(
        1.0,
        gt=0,
        le=1e6,
        source="Assumption: ~1 GWh repurposed in the US before the run (Redwood 63 MWh in Nevada, pilots; DOMAIN-NUMBERS §2)",
        doc="Cumulative repurposed capacity at the start (the repurposing learning base).",
        unconfirmed=True,
    )


class RecyclerSection(Section):
    """Recyclers that test, grade and route packs."""

    n_recyclers: int = param(
        3, ge=1, le=100, source="Redwood plus peers (DOMAIN.md)", doc="Battery recyclers."
    )
    test_capacity_gwh_per_month: float = param(
        0.5,
        gt=0,
        le=10_000,
        source="Redwood's ~20 GWh/yr is all Li-ion feedstock; EV packs were ~5 GWh/yr in 2025 (DOMAIN-NUMBERS §3, §2b)",
        doc="Initial total test-and-grade capacity for retired EV packs.",
        unconfirmed=True,
    )
    capacity_growth_per_month: float = param(
        0.03,
        ge=0,
        le=1,
        source="Assumption: expansion when margins justify it; 20 GWh repurposed by 2028 plan (DOMAIN.md)",
        doc="Maximum monthly capacity growth.",
        unconfirmed=True,
    )
    holding_cost_usd_per_kwh_month: float = param(
        0.3,
        ge=0,
        le=100,
        source="Assumption: warehouse and capital cost",
        doc="Cost of holding a kWh in inventory.",
        unconfirmed=True,
    )

    stale_months: int = param(
        24,
        ge=1,
        le=240,
        source="Assumption: graded stock unsold for two years is recycled",
        doc="Months in inventory after which a grade's stock goes to material recovery.",
        unconfirmed=True,
    )
    backlog_trigger_months: float = param(
        2.0,
        ge=0,
        le=60,
        source="Assumption: test capacity grows when more than two months of packs await testing",
        doc="Backlog (months of test capacity) above which a recycler invests in capacity.",
        unconfirmed=True,
    )


class OEMSection(Section):
    """EV and battery makers: new stationary storage on a learning curve."""

    n_oems: int = param(
        4,
        ge=1,
        le=100,
        source="EV makers with buy-back contracts (Toyota, GM, VW, ... in the Nevada packs, DOMAIN-NUMBERS §2)",
        doc="OEMs.",
    )
    pack_price_usd_per_kwh: float = param(
        70.0,
        gt=0,
        le=5000,
        source="BNEF 2025: stationary-storage LFP packs $70/kWh (DOMAIN-NUMBERS #18, §BNEF 2025)",
        doc="New stationary LFP pack price at the start (the part a second-life pack replaces).",
    )
    balance_of_plant_usd_per_kwh: float = param(
        40.0,
        ge=0,
        le=5000,
        source="Derived: BNEF 2024 turnkey 4 h system $165/kWh less the 2024 stationary pack ~$125/kWh (DOMAIN-NUMBERS #18, §BNEF 2025)",
        doc="Balance of plant of a turnkey system (PCS, containers, HVAC, controls), paid for new and second-life storage alike.",
        unconfirmed=True,
    )
    pack_learning_rate: float = param(
        0.18,
        ge=0,
        le=0.9,
        source="BNEF battery learning rate ~18 % per doubling of cumulative Li-ion volume (assumption; prices fell 115->108 $/kWh 2024-25, DOMAIN-NUMBERS #20)",
        doc="Pack price fall per doubling of cumulative global Li-ion packs.",
        unconfirmed=True,
    )
    balance_of_plant_learning_rate: float = param(
        0.10,
        ge=0,
        le=0.9,
        source="Assumption: balance of plant (power electronics, enclosures, EPC) learns about half as fast as cells",
        doc="Balance-of-plant cost fall per doubling of cumulative stationary storage.",
        unconfirmed=True,
    )
    global_pack_gwh_start: float = param(
        5000.0,
        gt=0,
        le=1e7,
        source="Assumption: cumulative global Li-ion packs to 2025 ~5 TWh (2024 demand ~1.2 TWh = 3.1 TWh cell capacity / 2.5, DOMAIN-NUMBERS §BNEF)",
        doc="Cumulative global Li-ion pack volume at the start (the pack learning base).",
        unconfirmed=True,
    )
    global_stationary_gwh_start: float = param(
        400.0,
        gt=0,
        le=1e7,
        source="Assumption: cumulative global stationary storage ~400 GWh by end-2025 (not in DOMAIN-NUMBERS)",
        doc="Cumulative global stationary storage at the start (the balance-of-plant learning base).",
        unconfirmed=True,
    )
    global_pack_gwh_per_year: float = param(
        1240.0,
        ge=0,
        le=1e6,
        source="Derived: 2024 Li-ion demand = 3.1 TWh cell capacity / 2.5 (BNEF, DOMAIN-NUMBERS §BNEF)",
        doc="Global Li-ion pack volume added per year at the start (grows at global_demand_growth_per_year).",
        unconfirmed=True,
    )
    global_stationary_gwh_per_year: float = param(
        150.0,
        ge=0,
        le=1e6,
        source="Assumption: global stationary storage additions ~150 GWh/yr in 2025 (not in DOMAIN-NUMBERS)",
        doc="Global stationary storage added per year at the start, besides this model's own.",
        unconfirmed=True,
    )
    global_demand_growth_per_year: float = param(
        0.12,
        ge=0,
        le=2,
        source="Assumption: global battery demand grows ~12 %/yr to 2040 (slower than the 2020-24 pace)",
        doc="Growth of the global yearly pack and stationary volumes (the exogenous learning path).",
        unconfirmed=True,
    )
    production_gwh_per_month: float = param(
        8.0,
        gt=0,
        le=1e5,
        source="Assumption: US-available stationary storage supply",
        doc="Total new-storage supply to this market per month.",
        unconfirmed=True,
    )
    lead_time_months: float = param(
        6.0,
        ge=0,
        le=60,
        source="Assumption: BESS delivery lead time",
        doc="Order-to-delivery of new storage.",
        unconfirmed=True,
    )
    stationary_line_gwh_per_month: float = param(
        0.05,
        ge=0,
        le=1000,
        source="Assumption: OEM-run second-life lines (Nissan 4R, GM, BMW) repurpose well under 1 GWh a year each; ~0.6 GWh/yr for all OEMs together",
        doc="Nameplate GWh a month all OEMs' own stationary lines can take of their retiring packs (0 = none).",
        unconfirmed=True,
    )
    line_repurpose_cost_share: float = param(
        0.75,
        ge=0,
        le=2,
        source="Assumption: an OEM's own pack history (BMS data) spares much of the testing in packs.repurpose_cost_usd_per_kwh",
        doc="An OEM line's repurposing cost as a share of a recycler's.",
        unconfirmed=True,
    )


class BatteriesSection(Section):
    """How storage ages at modular sites (AI duty) and when it retires."""

    ai_duty_fade_multiplier: float = param(
        1.0,
        ge=0,
        le=10,
        source="Lever; article: degraded cells fade faster at AI C-rates, field data < 1 yr (DOMAIN.md)",
        doc="Multiplies fade under AI duty.",
    )
    c_rate: float = param(
        0.19,
        gt=0,
        le=5,
        source="Nevada 12 MW on 63 MWh = 0.19C (DOMAIN-NUMBERS §6)",
        doc="Average C-rate of storage at modular sites.",
    )
    efc_per_month: float = param(
        30.0,
        ge=0,
        le=300,
        source="Daily solar cycling, 1 EFC/day (DOMAIN-NUMBERS §6 augmentation practice)",
        doc="Equivalent full cycles per month.",
    )
    second_life_eol_soh: float = param(
        0.5,
        gt=0,
        le=0.95,
        source="Redwood uses packs down to ~50 % (DOMAIN-NUMBERS #16)",
        doc="Second-life packs retire again below this SoH.",
    )
    new_eol_soh: float = param(
        0.7,
        gt=0,
        le=0.95,
        source="PPA floors / augmentation practice (DOMAIN-NUMBERS §6)",
        doc="New storage retires below this SoH.",
        unconfirmed=True,
    )
