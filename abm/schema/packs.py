"""Pack-economy sections: retiring EV packs, recyclers, battery makers and ageing."""

from __future__ import annotations

from typing import Literal

from abm.schema.fields import Section, param


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
        doc="Testing, reconfiguring and integrating a second-life kWh.",
    )
    recycling_value_usd_per_kwh: float = param(
        10.0,
        ge=-100,
        le=500,
        source="Assumption: recovered NMC material value net of process cost; LFP lower",
        doc="Net value of recycling a kWh (chemistry-mix average).",
        unconfirmed=True,
    )
    second_life_yield: float = param(
        0.9,
        gt=0,
        le=1,
        source="Assumption: share of graded capacity that survives reconfiguration",
        doc="Usable fraction after repurposing.",
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
    new_storage_price_usd_per_kwh: float = param(
        165.0,
        gt=0,
        le=5000,
        source="BNEF 2024 turnkey 4 h BESS $165/kWh (DOMAIN-NUMBERS #18)",
        doc="New stationary storage price at the start.",
    )
    learning_rate: float = param(
        0.18,
        ge=0,
        le=0.9,
        source="BNEF battery learning rate ~18 % per doubling (assumption; prices fell 115->108 $/kWh 2024-25, DOMAIN-NUMBERS #20)",
        doc="Price fall per doubling of cumulative storage.",
        unconfirmed=True,
    )
    cumulative_growth_per_year: float = param(
        0.35,
        ge=0,
        le=5,
        source="Assumption: global stationary storage deployment growth",
        doc="Growth of global cumulative storage (drives learning).",
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
