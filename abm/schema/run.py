"""Run and demand sections: when a run happens and how much data-centre power it asks for."""

from __future__ import annotations

from abm.schema.fields import Month, Section, param


class RunSection(Section):
    """Calendar, length and random seed of a run."""

    start: Month = param(
        "2025-01",
        source="Issue 9: baseline runs 2025-01 to 2040-12",
        doc="First simulated month (YYYY-MM).",
    )
    months: int = param(
        192,
        ge=1,
        le=600,
        source="Issue 9: 2025-01 to 2040-12 is 192 months",
        doc="Number of monthly steps.",
    )
    seed: int = param(
        1,
        ge=0,
        le=2**32 - 1,
        source="Convention",
        doc="Seed of every random stream of the run (docs/randomness.md); same scenario + seed gives identical outputs.",
    )
    history_snapshot: bool = param(
        False,
        source="LBNL Queued Up: new requests 2024 (DOMAIN-NUMBERS), 2021-2023 and storage's share of filings (540 of 1.2 TW after the IRA, a 2021 lower bound from the queue's growth) (scenarios/history/snapshots.toml; the pre-2024 figures and end-2020 queue are secondary or derived, unconfirmed)",
        doc=(
            "Months before 2025 follow the dated snapshot table (abm/history.py): merchant queue "
            "requests are filed at the published new-request volume of their year, split by kind "
            "(storage, generation) on the published storage share of filings, so a start from 2020 inherits "
            "the queue those arrivals leave. Off, every month files `queue.merchant_gw_per_year`."
        ),
        unconfirmed=True,
    )


class DemandSection(Section):
    """US data-centre power demand, anchored on LBNL 2023/2028 and IEA growth."""

    dc_twh_2023: float = param(
        176.0,
        gt=0,
        le=5000,
        source="LBNL 2024 US Data Center Energy Usage Report: 176 TWh (2023) (DOMAIN-NUMBERS #8)",
        doc="US data-centre electricity in 2023, the energised base.",
    )
    dc_twh_2028: float = param(
        452.0,
        gt=0,
        le=5000,
        source="LBNL 2024: 325-580 TWh in 2028, midpoint (DOMAIN-NUMBERS #8)",
        doc="US data-centre electricity anchor for 2028.",
    )
    growth_after_2028_per_year: float = param(
        0.05,
        ge=0,
        le=1,
        source="IEA Energy and AI (2025): global ~945 TWh (2030) to ~1,200 TWh (2035) = 4.9 %/yr",
        doc="Compound growth of data-centre electricity after 2028.",
    )
    growth_multiplier: float = param(
        1.0,
        ge=0,
        le=5,
        source="Lever (1 = sourced path, 0 = no growth above 2023)",
        doc="Scales growth above the 2023 level.",
    )
    source_pue: float = param(
        1.2,
        ge=1,
        le=3,
        source="E3 (2024) new DC PUE 1.2, the study the load factor is from (DOMAIN-NUMBERS #12, #13); reading the growth path at it is an assumption",
        doc=(
            "PUE of the new data centres the demand path describes: its growth above the "
            "energised fleet is IT power x this (`hyperscalers.pue` is the run's PUE)."
        ),
        unconfirmed=True,
    )
    load_factor: float = param(
        0.86,
        gt=0,
        le=1,
        source="E3 (2024) data-centre load factor 86 % (DOMAIN-NUMBERS #13)",
        doc="Average / peak facility power; converts TWh to MW of capacity.",
    )
    value_of_lost_compute_usd_per_mw_month: float = param(
        300_000.0,
        ge=0,
        le=1e8,
        source="SemiAnalysis via aidatacenterguide: 1 GW AI = $10-12 bn/yr revenue (~$0.85 M/MW-month, contested) x ~35 % contribution margin (assumption)",
        doc="Margin lost per MW for each month AI capacity is not powered.",
        unconfirmed=True,
    )
    slowdown_from: Month = param(
        "2028-01",
        source="Lever: the month a slowdown starts (acts only with growth_after_slowdown_share below 1)",
        doc="From this month demand grows at `growth_after_slowdown_share` of the sourced path's growth; hyperscalers plan on the sourced path until it comes.",
    )
    growth_after_slowdown_share: float = param(
        1.0,
        ge=-1,
        le=1,
        source="Lever (1 = no slowdown, 0 = growth stops, below 0 = demand falls back); load forecasts are inflated (DOMAIN.md); Wood Mackenzie (Apr 2026): nearly half of US DCs scheduled for 2026 face delay or cancellation (DOMAIN-NUMBERS §4c)",
        doc="Share of the sourced path's growth (above its level at `slowdown_from`) that still comes after the slowdown starts.",
    )
    shiftable_share: float = param(
        0.1,
        ge=0,
        le=1,
        source="Assumption: training and batch inference are the deferrable part of AI load; training was ~2/5 of Google's ML energy 2019-21 (Patterson et al. 2022, IEEE Computer, not in DOMAIN-NUMBERS); 'shifting workloads in time and space' is a named lever (DOMAIN.md); range 0-0.4",
        doc=(
            "Share of data-centre load that can move within a day: at modular sites into the "
            "sun hours (cutting design storage per MW), on the grid from dear into cheap hours; "
            "it runs only in the IT headroom the load factor leaves (docs/shiftable-compute.md)."
        ),
        unconfirmed=True,
    )
    shift_cost_usd_per_mwh: float = param(
        8.0,
        ge=0,
        le=1000,
        source="Assumption: checkpoint, requeue and delayed-result overhead of ~2 % of the compute margin per MWh that demand.value_of_lost_compute_usd_per_mw_month carries ($300k / 730 h = ~$411/MWh); shifted work runs in headroom, so no accelerator is bought for it",
        doc=(
            "Cost of moving a MWh of shiftable work to another hour or site: the grid moves it only "
            "where the price spread exceeds this; modular sites pay it on what they move (docs/shiftable-compute.md)."
        ),
        unconfirmed=True,
    )
    shift_max_delay_hours: float = param(
        12.0,
        ge=0,
        le=12,
        source="Radovanović et al. 2022 (IEEE Trans. Power Systems, Google's carbon-intelligent computing): flexible workloads must finish within 24 h, so any hour of the day is reachable (12 h each way on the 24-hour clock; not in DOMAIN-NUMBERS)",
        doc=(
            "Largest distance (h, on the 24-hour clock) between the centres of two representative "
            "hours that work may move between; modular sites move only dark hours this close to solar midday."
        ),
        unconfirmed=True,
    )
