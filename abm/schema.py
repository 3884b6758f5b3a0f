"""Typed scenario schema: every parameter with its unit (in the name), default, allowed range and source.

The schema is the single source for validation, the app's controls and `docs/parameters.md`.
Sources point at `shared/DOMAIN.md` / `DOMAIN-NUMBERS.md` rows or public reports; figures the
source list marks as unconfirmed carry `unconfirmed=True` and say so in the parameter table.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def P(
    default: Any,
    *,
    source: str,
    doc: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    unconfirmed: bool = False,
) -> Any:
    """A parameter with its range, one-line meaning and source (shown in docs/parameters.md)."""
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        description=doc,
        json_schema_extra={"source": source, "unconfirmed": unconfirmed},
    )


class Section(BaseModel):
    """Base for scenario sections: unknown keys, NaN/inf and type coercion are all errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


def parse_month(value: str) -> tuple[int, int]:
    """'2025-01' -> (2025, 1); raises ValueError for anything else."""
    m = _MONTH_RE.match(value)
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1990 <= int(m.group(1)) <= 2100:
        raise ValueError(f"expected a month as YYYY-MM between 1990-01 and 2100-12, got {value!r}")
    return int(m.group(1)), int(m.group(2))


class RunSection(Section):
    start: str = P(
        "2025-01",
        source="Issue 9: baseline runs 2025-01 to 2040-12",
        doc="First simulated month (YYYY-MM).",
    )
    months: int = P(
        192,
        ge=1,
        le=600,
        source="Issue 9: 2025-01 to 2040-12 is 192 months",
        doc="Number of monthly steps.",
    )
    seed: int = P(
        1,
        ge=0,
        le=2**32 - 1,
        source="Convention",
        doc="Seed of model.rng; same scenario + seed gives identical outputs.",
    )

    @field_validator("start")
    @classmethod
    def _check_start(cls, v: str) -> str:
        parse_month(v)
        return v


class DemandSection(Section):
    dc_twh_2023: float = P(
        176.0,
        gt=0,
        le=5000,
        source="LBNL 2024 US Data Center Energy Usage Report: 176 TWh (2023) (DOMAIN-NUMBERS #8)",
        doc="US data-centre electricity in 2023, the energised base.",
    )
    dc_twh_2028: float = P(
        452.0,
        gt=0,
        le=5000,
        source="LBNL 2024: 325-580 TWh in 2028, midpoint (DOMAIN-NUMBERS #8)",
        doc="US data-centre electricity anchor for 2028.",
    )
    growth_after_2028_per_year: float = P(
        0.05,
        ge=0,
        le=1,
        source="IEA Energy and AI (2025): global ~945 TWh (2030) to ~1,200 TWh (2035) = 4.9 %/yr",
        doc="Compound growth of data-centre electricity after 2028.",
    )
    growth_multiplier: float = P(
        1.0,
        ge=0,
        le=5,
        source="Lever (1 = sourced path, 0 = no growth above 2023)",
        doc="Scales growth above the 2023 level.",
    )
    load_factor: float = P(
        0.86,
        gt=0,
        le=1,
        source="E3 (2024) data-centre load factor 86 % (DOMAIN-NUMBERS #13)",
        doc="Average / peak facility power; converts TWh to MW of capacity.",
    )
    value_of_lost_compute_usd_per_mw_month: float = P(
        300_000.0,
        ge=0,
        le=1e8,
        source="SemiAnalysis via aidatacenterguide: 1 GW AI = $10-12 bn/yr revenue (~$0.85 M/MW-month, contested) x ~35 % contribution margin (assumption)",
        doc="Margin lost per MW for each month AI capacity is not powered.",
        unconfirmed=True,
    )


class GridSection(Section):
    source: str = P(
        "synthetic",
        source="Issue 4",
        doc="'synthetic', 'pandapower:<case>' or a path to a GraphML/JSON grid file.",
    )
    n_buses: int = P(
        200,
        ge=20,
        le=10_000,
        source="Issue 4: synthetic grids from 20 to 10,000 buses",
        doc="Buses of the synthetic grid.",
    )
    n_territories: int = P(
        8,
        ge=1,
        le=64,
        source="Assumption: one utility per territory, US-like regions",
        doc="Utility territories (one utility each).",
    )
    peak_load_mw: float = P(
        745_000.0,
        gt=0,
        le=5e6,
        source="EIA: US lower-48 peak demand ~745 GW (July 2023)",
        doc="System peak load of the synthetic grid.",
        unconfirmed=True,
    )
    load_growth_per_year: float = P(
        0.01,
        ge=0,
        le=0.2,
        source="EIA AEO: non-DC US load growth ~1 %/yr (assumption)",
        doc="Growth of the grid's existing (non-AI) load.",
        unconfirmed=True,
    )


class QueueSection(Section):
    """Interconnection-queue rules; defaults calibrated in docs/grid.md (abm.grid.queue.QueueRules)."""

    mode: Literal["serial", "cluster"] = P(
        "serial",
        source="FERC Order 2023 (cluster) vs legacy serial FCFS (DOMAIN-NUMBERS §1)",
        doc="Queue discipline.",
    )
    studies_per_month_us: float = P(
        120.0,
        gt=0,
        le=100_000,
        source="Calibrated (docs/grid.md): 6 study starts/month in each of ~20 US territories gives the 55-month median IR-to-COD at LBNL request volumes (DOMAIN-NUMBERS #3)",
        doc="Generation/storage study starts per month nationally (serial); split over territories and scaled to the grid's peak.",
        unconfirmed=True,
    )
    load_studies_per_month_us: float = P(
        80.0,
        gt=0,
        le=100_000,
        source="Assumption: 4 per territory in ~20 US territories; the large-load line should not back up at ~2-3 requests/territory/month",
        doc="Large-load study starts per month nationally (serial); split over territories and scaled to the grid's peak.",
        unconfirmed=True,
    )
    system_study_months: float = P(
        5.0,
        ge=0,
        le=120,
        source="FERC Order 2023 cluster-study clock of 150 days (DOMAIN-NUMBERS §1)",
        doc="Duration of the system study.",
    )
    facilities_study_months: float = P(
        6.0,
        ge=0,
        le=120,
        source="Facilities study ~180 days, pro-forma LGIP (assumption)",
        doc="Duration of the facilities study / upgrade design.",
        unconfirmed=True,
    )
    agreement_months: float = P(
        3.0,
        ge=0,
        le=60,
        source="Assumption: interconnection agreement negotiation",
        doc="Months to sign the agreement.",
        unconfirmed=True,
    )
    construction_months_load: float = P(
        18.0,
        ge=0,
        le=120,
        source="Conventional DC build 12-24 months (DOMAIN.md)",
        doc="Construction after agreement for a large load.",
    )
    construction_months_generation: float = P(
        18.0,
        ge=0,
        le=120,
        source="LBNL median IR-to-COD 55 months minus ~37 months of queue and studies (calibration, docs/grid.md)",
        doc="Construction after agreement for generation.",
    )
    construction_months_storage: float = P(
        12.0,
        ge=0,
        le=120,
        source="Assumption: batteries build faster than PV/wind",
        doc="Construction after agreement for storage.",
        unconfirmed=True,
    )
    construction_sigma: float = P(
        0.25,
        ge=0,
        le=3,
        source="Assumption: spreads COD dates",
        doc="Log-sd of construction durations.",
        unconfirmed=True,
    )
    cluster_window_months: int = P(
        12,
        ge=1,
        le=60,
        source="FERC Order 2023: annual cluster request window (DOMAIN-NUMBERS §1)",
        doc="Months between cluster windows.",
    )
    cluster_study_months: float = P(
        5.0,
        ge=1,
        le=60,
        source="FERC Order 2023: 150-day cluster study deadline (DOMAIN-NUMBERS §1)",
        doc="Duration of one cluster study.",
    )
    cluster_study_capacity_requests: int = P(
        50,
        ge=1,
        le=100_000,
        source="ERCOT process 'designed for 40-50 at a time' (DOMAIN-NUMBERS §1)",
        doc="Requests one cluster study handles on time; bigger clusters run late pro rata.",
    )
    readiness_deposit_usd_per_mw: float = P(
        4_000.0,
        ge=0,
        le=1e7,
        source="MISO M4 milestone $2,000-5,000/MW (DOMAIN-NUMBERS §1; Order 2023 amounts unconfirmed)",
        doc="Commercial readiness deposit (cluster mode).",
        unconfirmed=True,
    )
    agreement_deposit_fraction_of_upgrade: float = P(
        0.1,
        ge=0,
        le=1,
        source="FERC Order 2023: 10 % of network-upgrade cost at facilities study (DOMAIN-NUMBERS §1, unverified recall)",
        doc="Share of the allocated upgrade cost posted at agreement (cluster).",
        unconfirmed=True,
    )
    withdrawal_penalty_fraction_of_upgrade: float = P(
        0.2,
        ge=0,
        le=1,
        source="FERC Order 2023: up to 20 % of network upgrade costs (DOMAIN-NUMBERS §1, unverified recall)",
        doc="Withdrawal penalty past the facilities study, share of upgrade cost (cluster).",
        unconfirmed=True,
    )
    late_study_penalty_usd_per_day: float = P(
        1_000.0,
        ge=0,
        le=1e7,
        source="FERC Order 2023: $1,000 per business day late (DOMAIN-NUMBERS §1, unverified recall)",
        doc="Penalty the transmission provider pays per day a cluster study is late.",
        unconfirmed=True,
    )
    serial_deposit_usd: float = P(
        10_000.0,
        ge=0,
        le=1e8,
        source="Pre-Order-2023 entry cost ~$10,000 (zonevex 2025, DOMAIN-NUMBERS §1)",
        doc="Deposit per request in serial mode.",
    )
    upgrade_cost_usd_per_mw: float = P(
        300_000.0,
        ge=0,
        le=1e8,
        source="Between MISO active ($156/kW) and withdrawn ($452/kW) mean costs (DOMAIN-NUMBERS §3b)",
        doc="Network upgrade cost per MW beyond hosting capacity.",
    )
    upgrade_lead_months: float = P(
        48.0,
        ge=0,
        le=240,
        source="Dominion: large loads +1-3 years on top of historic 3-4 (DOMAIN-NUMBERS #5)",
        doc="Lead time of an upgrade as large as the request (scales with its share).",
    )
    restudy_months: float = P(
        3.0,
        ge=0,
        le=60,
        source="Assumption: restudy after a withdrawal ahead in line",
        doc="Months added to a study when a request ahead withdraws (serial).",
        unconfirmed=True,
    )
    base_withdrawal_hazard_per_month: float = P(
        0.03,
        ge=0,
        le=1,
        source="Calibrated to 14-21 % completion by MW (LBNL, DOMAIN-NUMBERS #4)",
        doc="Monthly attrition of requests in the queue.",
        unconfirmed=True,
    )
    speculative_hazard_multiplier: float = P(
        3.0,
        ge=0,
        le=100,
        source="Assumption; 50 % of DC requests speculative (DOMAIN-NUMBERS #7)",
        doc="How much faster speculative requests withdraw.",
        unconfirmed=True,
    )
    withdraw_if_upgrade_cost_above_usd_per_kw: float = P(
        250.0,
        ge=0,
        le=100_000,
        source="Generator withdrawals rise steeply above ~$200-300/kW (DOMAIN-NUMBERS §3b)",
        doc="Upgrade cost above which generation requests tend to withdraw.",
    )
    load_withdraw_if_upgrade_cost_above_usd_per_kw: float = P(
        1_000.0,
        ge=0,
        le=100_000,
        source="~5 % of a $20 M/MW AI facility (DOMAIN-NUMBERS §4b); assumption",
        doc="Upgrade cost above which load requests tend to withdraw.",
        unconfirmed=True,
    )
    upgrade_wait_probability: float = P(
        0.25,
        ge=0,
        le=1,
        source="Assumption",
        doc="Share of serial requesters that wait for headroom instead of paying for an upgrade.",
        unconfirmed=True,
    )
    upgrade_wait_max_months: float = P(
        12.0,
        ge=0,
        le=120,
        source="Assumption",
        doc="How long a requester waits for headroom before accepting the upgrade.",
        unconfirmed=True,
    )
    flexible_connections: bool = P(
        False,
        source="Duke Nicholas Inst. 'Rethinking Load Growth' (2025); PJM connect-and-manage (DOMAIN-NUMBERS #15, §3c)",
        doc="Large loads may connect early if they accept curtailment.",
    )
    flexible_speedup_months: float = P(
        30.0,
        ge=0,
        le=240,
        source="Flexible loads skip the upgrade wait: upgrade lead 48 minus build 18 months (Duke 2025)",
        doc="How much earlier a flexible load connects on a constrained node.",
    )
    merchant_gw_per_year: float = P(
        500.0,
        ge=0,
        le=10_000,
        source="LBNL Queued Up 2025: ~500 GW of new requests in 2024 (DOMAIN-NUMBERS §1)",
        doc="New merchant generation and storage requests per year (scaled to the grid's peak).",
    )
    merchant_request_mw_median: float = P(
        150.0,
        gt=0,
        le=5000,
        source="LBNL: ~10,300 projects for 2,290 GW, ~220 MW mean (DOMAIN-NUMBERS #1)",
        doc="Median size of a merchant request (lognormal, sigma 0.8).",
    )


class HyperscalerSection(Section):
    n_hyperscalers: int = P(
        6,
        ge=1,
        le=500,
        source="Big-4 plus Oracle and xAI-class entrants (DOMAIN-NUMBERS §4a)",
        doc="Hyperscaler agents sharing the AI demand.",
    )
    duplicate_filings: float = P(
        2.0,
        ge=1,
        le=10,
        source="Phantom share ~0.5 of DC requests (DOMAIN-NUMBERS #7): mean 2 filings per real project",
        doc="Mean number of utilities a grid project files with (1 = no phantom load).",
        unconfirmed=True,
    )
    campus_mw_median: float = P(
        200.0,
        gt=0,
        le=5000,
        source="Stargate Abilene phase = 200 MW; campus requests 300 MW to GW (DOMAIN-NUMBERS #10)",
        doc="Median facility MW of a new project.",
    )
    campus_mw_sigma: float = P(
        0.7,
        ge=0,
        le=3,
        source="Assumption: lognormal spread spanning 60 MW to ~1 GW",
        doc="Log-sd of project size.",
        unconfirmed=True,
    )
    pue: float = P(
        1.2,
        ge=1,
        le=3,
        source="E3 new DC PUE 1.2; Google 1.10, industry 1.58 (DOMAIN-NUMBERS #12)",
        doc="Facility power / IT power.",
    )
    initial_grid_pipeline_mw: float = P(
        40_000.0,
        ge=0,
        le=1e6,
        source="Wood Mackenzie (Apr 2026): contracted US DC pipeline >40 GW; Dominion ~40 GW contracted (DOMAIN-NUMBERS §1, §4c)",
        doc="Data-centre MW already in grid queues when the run starts (filed over the previous four years).",
    )
    lookahead_months: int = P(
        24,
        ge=0,
        le=120,
        source="Assumption: hyperscalers plan capacity two years out (campus phases, DOMAIN-NUMBERS #10)",
        doc="How far ahead demand is covered by new projects.",
        unconfirmed=True,
    )
    overcommit_months: int = P(
        36,
        ge=0,
        le=240,
        source="Assumption: phased campuses commit up to ~3 years beyond the look-ahead (Stargate phases, DOMAIN-NUMBERS #10)",
        doc="Total commitments are capped at the demand this many months beyond the look-ahead.",
        unconfirmed=True,
    )
    max_projects_per_month: int = P(
        6,
        ge=1,
        le=1000,
        source="Assumption: development teams open a few campuses a month",
        doc="Most projects one hyperscaler opens in a month.",
        unconfirmed=True,
    )
    discount_rate: float = P(
        0.08,
        ge=0,
        le=0.5,
        source="Assumption: hyperscaler WACC ~8 %",
        doc="Discount rate for annualising capex.",
        unconfirmed=True,
    )
    conventional_capex_usd_per_mw: float = P(
        11_300_000.0,
        ge=0,
        le=1e9,
        source="US average $11.3 M/MW critical load (DOMAIN-NUMBERS §4b)",
        doc="Facility capex of a conventional (grid or gas) DC, excl. IT.",
    )
    planning_horizon_months: int = P(
        120,
        ge=12,
        le=360,
        source="Battery-as-a-service 10-year contracts (DOMAIN.md)",
        doc="Horizon over which paths are compared.",
    )
    choice_scale_usd_per_mw_month: float = P(
        40_000.0,
        gt=0,
        le=1e7,
        source="Assumption: logit scale, ~5 % of the cost of a month's delay",
        doc="Logit scale: how sharply cost differences decide the path.",
        unconfirmed=True,
    )
    internal_carbon_price_usd_per_t: float = P(
        15.0,
        ge=0,
        le=1000,
        source="Microsoft internal carbon fee ~$15/t (public statements; not in DOMAIN-NUMBERS)",
        doc="Carbon price hyperscalers apply on top of policy.",
        unconfirmed=True,
    )
    expectation_weight: float = P(
        0.2,
        gt=0,
        le=1,
        source="Assumption: adaptive expectations, ~5-month memory",
        doc="Weight of a new observation in expected waits and costs.",
        unconfirmed=True,
    )
    switch_wait_months: float = P(
        60.0,
        ge=1,
        le=240,
        source="Dominion 4-7 yr large-load waits (DOMAIN-NUMBERS #5)",
        doc="A queued grid project reconsiders its path once it has waited this long.",
    )
    flexible_share: float = P(
        0.0,
        ge=0,
        le=1,
        source="Lever; Duke 2025 headroom at 0.25-1 % curtailment",
        doc="Share of grid projects that accept a flexible (curtailable) connection.",
    )


class VendorSection(Section):
    n_vendors: int = P(
        3,
        ge=1,
        le=100,
        source="Crusoe, Armada, Duos/CDM-class vendors (DOMAIN-NUMBERS §4c)",
        doc="Modular DC vendors.",
    )
    factory_mw_per_month: float = P(
        15.0,
        gt=0,
        le=10_000,
        source="Between Crusoe Spark ~8 MW/month (100 x 1 MW units/yr) and edge AI DC $15.5 bn/yr (DOMAIN.md) at $8-12 M/MW facility cost (~40 MW/month per vendor; the market figure may include GPUs) (DOMAIN-NUMBERS §2, §4b)",
        doc="Initial factory output per vendor.",
        unconfirmed=True,
    )
    factory_growth_per_month: float = P(
        0.02,
        ge=0,
        le=1,
        source="Edge AI DC market 20.5 % CAGR (DOMAIN.md) ~ 1.6 %/month; Armada bookings 6x FY25-FY26 (DOMAIN-NUMBERS §4c)",
        doc="Maximum monthly factory expansion when the backlog justifies it.",
        unconfirmed=True,
    )
    augmentation_trigger: float = P(
        0.9,
        gt=0,
        le=1,
        source="PPA floors commonly 90 % of original capacity; augmentation in steps (DOMAIN-NUMBERS §6)",
        doc="A site is topped back up to design storage when its usable storage falls below this share of design.",
    )
    max_site_mw: float = P(
        50.0,
        gt=0,
        le=10_000,
        source="Sparks NV site ~20 MW; Soluna Dorothy 50 MW; prefab modules 0.2-2 MW (DOMAIN-NUMBERS §2, §4c)",
        doc="Largest modular site; bigger campuses are split into several sites.",
        unconfirmed=True,
    )
    delivery_months: float = P(
        3.0,
        ge=0,
        le=60,
        source="Crusoe Spark: ~3 months to deploy (DOMAIN.md)",
        doc="Build and delivery time of a modular unit.",
    )
    solar_permit_months: float = P(
        9.0,
        ge=0,
        le=60,
        source="Solar permitting adds 6-12 months (DOMAIN.md)",
        doc="Permitting delay for the on-site solar.",
    )
    storage_mwh_per_mw: float = P(
        5.25,
        gt=0,
        le=48,
        source="Crusoe+Redwood Nevada 12 MW / 63 MWh (DOMAIN.md)",
        doc="Usable storage designed per MW of load.",
    )
    solar_mw_per_mw: float = P(
        4.0,
        ge=0,
        le=50,
        source="Energy balance at CF ~0.25 with backup gensets (Vernon 2024; offgridai.us, DOMAIN-NUMBERS §5a)",
        doc="PV per MW of load.",
        unconfirmed=True,
    )
    backup_gas_energy_share: float = P(
        0.08,
        ge=0,
        le=1,
        source="offgridai.us: 40-90 % renewable off-grid with gas backup; Nevada >99 % solar+storage (DOMAIN-NUMBERS §5a)",
        doc="Share of a modular site's energy from backup gensets.",
        unconfirmed=True,
    )
    facility_capex_usd_per_mw: float = P(
        10_000_000.0,
        ge=0,
        le=1e9,
        source="Modular DC $8-12 M/MW (DOMAIN-NUMBERS §4b)",
        doc="Modular facility capex per MW (excl. IT, storage, solar).",
    )
    solar_capex_usd_per_mw: float = P(
        1_430_000.0,
        ge=0,
        le=1e8,
        source="LBNL Utility-Scale Solar 2024: $1.43/Wac",
        doc="PV capex.",
    )
    om_usd_per_mw_month: float = P(
        15_000.0,
        ge=0,
        le=1e7,
        source="Assumption: ~1.5 % of capex per year",
        doc="Fixed O&M of a modular site.",
        unconfirmed=True,
    )
    margin: float = P(
        0.2,
        ge=0,
        le=2,
        source="Hardware revenue $4-5 M/MW (DOMAIN.md) over cost (assumption)",
        doc="Vendor markup over cost.",
        unconfirmed=True,
    )


class GasSection(Section):
    turbine_lead_time_months: float = P(
        60.0,
        ge=0,
        le=240,
        source="Gas turbine lead ~5 yr (3.5 in 2023, up to 7) (DOMAIN-NUMBERS #23)",
        doc="Lead time for on-site turbines.",
    )
    recip_lead_time_months: float = P(
        15.0,
        ge=0,
        le=120,
        source="Reciprocating engines 1-1.5 yr (DOMAIN-NUMBERS #23)",
        doc="Lead time for reciprocating engines.",
    )
    recip_capacity_mw_per_month: float = P(
        150.0,
        ge=0,
        le=1e6,
        source="Engine orders 2025-26: Wartsila 412 MW, INNIO 1.25 GW framework, ProEnergy 650 MW (~2.3 GW over ~15 months, DOMAIN-NUMBERS §5b)",
        doc="Engine and small-turbine deliveries available to data centres per month.",
        unconfirmed=True,
    )
    cost_usd_per_mwh: float = P(
        175.0,
        ge=0,
        le=5000,
        source="BNP Paribas: behind-the-meter gas ~$175/MWh (DOMAIN-NUMBERS §5b)",
        doc="All-in cost of on-site gas power.",
    )
    co2_t_per_mwh: float = P(
        0.55,
        ge=0,
        le=2,
        source="EIA/EPA: simple-cycle CT ~0.55 t/MWh (DOMAIN-NUMBERS #25)",
        doc="Emission factor of on-site gas.",
    )
    air_permit_risk: float = P(
        0.2,
        ge=0,
        le=1,
        source="xAI Colossus air-permit dispute (DOMAIN.md); probability is an assumption",
        doc="Chance an on-site gas project meets an air-permit delay.",
        unconfirmed=True,
    )
    air_permit_delay_months: float = P(
        12.0,
        ge=0,
        le=120,
        source="Assumption",
        doc="Delay when an air permit is contested.",
        unconfirmed=True,
    )


class OtherSection(Section):
    enabled: bool = P(
        False,
        source="DOMAIN.md wildcard (orbital compute); off in the baseline",
        doc="Whether the wildcard path exists.",
    )
    available_from: str = P(
        "2032-01",
        source="Assumption for the orbital wildcard",
        doc="First month the wildcard can be ordered (YYYY-MM).",
        unconfirmed=True,
    )
    cost_usd_per_mwh: float = P(
        200.0,
        ge=0,
        le=10_000,
        source="Assumption",
        doc="All-in cost of power on the wildcard path.",
        unconfirmed=True,
    )
    capacity_cap_mw: float = P(
        5_000.0,
        ge=0,
        le=1e6,
        source="DOMAIN.md: up to 100 GW orbital proposed; cap is an assumption",
        doc="Total MW the wildcard can ever supply.",
        unconfirmed=True,
    )
    lead_time_months: float = P(
        24.0,
        ge=0,
        le=240,
        source="Assumption",
        doc="Order-to-power time on the wildcard path.",
        unconfirmed=True,
    )
    co2_t_per_mwh: float = P(
        0.0,
        ge=0,
        le=2,
        source="Space solar: no operational emissions",
        doc="Operational emission factor of the wildcard path.",
    )

    @field_validator("available_from")
    @classmethod
    def _check_month(cls, v: str) -> str:
        parse_month(v)
        return v


class PacksSection(Section):
    routing: Literal["market", "second_use_first", "recycle_first"] = P(
        "market",
        source="Issue 5; California second-use-first study (DOMAIN.md)",
        doc="How recyclers route graded packs.",
    )
    retirement_multiplier: float = P(
        1.0, ge=0, le=20, source="Lever", doc="Scales the flow of retiring EV packs."
    )
    soh_mean: float = P(
        0.75,
        gt=0,
        le=0.99,
        source="ADL; Gharebaghi 2024; Redwood: 0.70-0.80 (DOMAIN-NUMBERS #16)",
        doc="Mean state of health at EV retirement.",
    )
    soh_sd: float = P(
        0.08,
        gt=0,
        le=0.3,
        source="Nevada packs 50-80 % (DOMAIN.md); spread is an assumption",
        doc="Spread of state of health at retirement.",
        unconfirmed=True,
    )
    ev_lifetime_weibull_shape: float = P(
        4.23,
        gt=0,
        le=20,
        source="Busch et al. 2025: EV battery life mean 15, sd 4 years (DOMAIN-NUMBERS §1c) -> Weibull shape 4.23",
        doc="Shape of EV first-life lifetime.",
    )
    ev_lifetime_weibull_scale_years: float = P(
        16.5,
        gt=0,
        le=50,
        source="Busch et al. 2025: EV battery life mean 15, sd 4 years (DOMAIN-NUMBERS §1c) -> Weibull scale 16.5 years",
        doc="Scale of EV first-life lifetime.",
    )
    repurpose_cost_usd_per_kwh: float = P(
        40.0,
        ge=0,
        le=1000,
        source="Lieskoski et al. 2024: 27-38 EUR/kWh (~$30-45) (DOMAIN-NUMBERS #17)",
        doc="Testing, reconfiguring and integrating a second-life kWh.",
    )
    recycling_value_usd_per_kwh: float = P(
        10.0,
        ge=-100,
        le=500,
        source="Assumption: recovered NMC material value net of process cost; LFP lower",
        doc="Net value of recycling a kWh (chemistry-mix average).",
        unconfirmed=True,
    )
    second_life_yield: float = P(
        0.9,
        gt=0,
        le=1,
        source="Assumption: share of graded capacity that survives reconfiguration",
        doc="Usable fraction after repurposing.",
        unconfirmed=True,
    )
    buyback_price_usd_per_kwh: float = P(
        5.0,
        ge=0,
        le=500,
        source="Assumption: contract price per nameplate kWh paid to the OEM",
        doc="Price recyclers pay OEMs under buy-back contracts.",
        unconfirmed=True,
    )
    contract_months: int = P(
        60,
        ge=1,
        le=360,
        source="Assumption: multi-year OEM-recycler agreements (Redwood-Toyota/GM/VW, DOMAIN-NUMBERS §2)",
        doc="Length of a buy-back contract.",
        unconfirmed=True,
    )
    buyback_share: float = P(
        0.6,
        ge=0,
        le=1,
        source="Pack supply depends on OEM buy-back contracts (DOMAIN.md); share is an assumption",
        doc="Share of retiring packs under OEM buy-back contracts.",
        unconfirmed=True,
    )


class RecyclerSection(Section):
    n_recyclers: int = P(
        3, ge=1, le=100, source="Redwood plus peers (DOMAIN.md)", doc="Battery recyclers."
    )
    test_capacity_gwh_per_month: float = P(
        0.5,
        gt=0,
        le=10_000,
        source="Redwood's ~20 GWh/yr is all Li-ion feedstock; EV packs were ~5 GWh/yr in 2025 (DOMAIN-NUMBERS §3, §2b)",
        doc="Initial total test-and-grade capacity for retired EV packs.",
        unconfirmed=True,
    )
    capacity_growth_per_month: float = P(
        0.03,
        ge=0,
        le=1,
        source="Assumption: expansion when margins justify it; 20 GWh repurposed by 2028 plan (DOMAIN.md)",
        doc="Maximum monthly capacity growth.",
        unconfirmed=True,
    )
    holding_cost_usd_per_kwh_month: float = P(
        0.3,
        ge=0,
        le=100,
        source="Assumption: warehouse and capital cost",
        doc="Cost of holding a kWh in inventory.",
        unconfirmed=True,
    )


class OEMSection(Section):
    n_oems: int = P(
        4,
        ge=1,
        le=100,
        source="EV makers with buy-back contracts (Toyota, GM, VW, ... in the Nevada packs, DOMAIN-NUMBERS §2)",
        doc="OEMs.",
    )
    new_storage_price_usd_per_kwh: float = P(
        165.0,
        gt=0,
        le=5000,
        source="BNEF 2024 turnkey 4 h BESS $165/kWh (DOMAIN-NUMBERS #18)",
        doc="New stationary storage price at the start.",
    )
    learning_rate: float = P(
        0.18,
        ge=0,
        le=0.9,
        source="BNEF battery learning rate ~18 % per doubling (assumption; prices fell 115->108 $/kWh 2024-25, DOMAIN-NUMBERS #20)",
        doc="Price fall per doubling of cumulative storage.",
        unconfirmed=True,
    )
    cumulative_growth_per_year: float = P(
        0.35,
        ge=0,
        le=5,
        source="Assumption: global stationary storage deployment growth",
        doc="Growth of global cumulative storage (drives learning).",
        unconfirmed=True,
    )
    production_gwh_per_month: float = P(
        8.0,
        gt=0,
        le=1e5,
        source="Assumption: US-available stationary storage supply",
        doc="Total new-storage supply to this market per month.",
        unconfirmed=True,
    )
    lead_time_months: float = P(
        6.0,
        ge=0,
        le=60,
        source="Assumption: BESS delivery lead time",
        doc="Order-to-delivery of new storage.",
        unconfirmed=True,
    )


class BatteriesSection(Section):
    ai_duty_fade_multiplier: float = P(
        1.0,
        ge=0,
        le=10,
        source="Lever; article: degraded cells fade faster at AI C-rates, field data < 1 yr (DOMAIN.md)",
        doc="Multiplies fade under AI duty.",
    )
    c_rate: float = P(
        0.19,
        gt=0,
        le=5,
        source="Nevada 12 MW on 63 MWh = 0.19C (DOMAIN-NUMBERS §6)",
        doc="Average C-rate of storage at modular sites.",
    )
    efc_per_month: float = P(
        30.0,
        ge=0,
        le=300,
        source="Daily solar cycling, 1 EFC/day (DOMAIN-NUMBERS §6 augmentation practice)",
        doc="Equivalent full cycles per month.",
    )
    second_life_eol_soh: float = P(
        0.5,
        gt=0,
        le=0.95,
        source="Redwood uses packs down to ~50 % (DOMAIN-NUMBERS #16)",
        doc="Second-life packs retire again below this SoH.",
    )
    new_eol_soh: float = P(
        0.7,
        gt=0,
        le=0.95,
        source="PPA floors / augmentation practice (DOMAIN-NUMBERS §6)",
        doc="New storage retires below this SoH.",
        unconfirmed=True,
    )


class MarketSection(Section):
    representative_hours: int = P(
        4,
        ge=1,
        le=24,
        source="Issue 6: peak, shoulder, off-peak with and without solar",
        doc="Representative hours the power market clears each month.",
    )
    copper_plate: bool = P(
        False, source="Issue 6", doc="Ignore line limits (faster, no congestion)."
    )
    voll_usd_per_mwh: float = P(
        10_000.0,
        gt=0,
        le=1e6,
        source="ERCOT system-wide offer cap $5,000-9,000/MWh (public); assumption",
        doc="Value of lost load.",
        unconfirmed=True,
    )
    flex_curtail_cost_usd_per_mwh: float = P(
        1_000.0,
        ge=0,
        le=1e6,
        source="Assumption: below VOLL, above peakers",
        doc="Price at which flexible DC load curtails.",
        unconfirmed=True,
    )
    cost_gas_usd_per_mwh: float = P(
        25.0,
        ge=0,
        le=1000,
        source="Gas at ~$3/MMBtu x 7 MMBtu/MWh CCGT heat rate + ~$4/MWh VOM (EIA; assumption)",
        doc="Marginal cost of grid gas generation.",
        unconfirmed=True,
    )
    cost_coal_usd_per_mwh: float = P(
        35.0,
        ge=0,
        le=1000,
        source="EIA: coal fuel + VOM (assumption)",
        doc="Marginal cost of coal generation.",
        unconfirmed=True,
    )
    cost_nuclear_usd_per_mwh: float = P(
        10.0,
        ge=0,
        le=1000,
        source="EIA: nuclear fuel + VOM (assumption)",
        doc="Marginal cost of nuclear generation.",
        unconfirmed=True,
    )
    cost_hydro_usd_per_mwh: float = P(
        5.0, ge=0, le=1000, source="Assumption", doc="Marginal cost of hydro.", unconfirmed=True
    )
    cost_storage_usd_per_mwh: float = P(
        60.0,
        ge=0,
        le=1000,
        source="Assumption: charging cost / round-trip efficiency",
        doc="Offer price of storage discharge.",
        unconfirmed=True,
    )
    cost_other_usd_per_mwh: float = P(
        80.0,
        ge=0,
        le=1000,
        source="Assumption: oil and misc. peakers",
        doc="Marginal cost of other generation.",
        unconfirmed=True,
    )
    co2_gas_t_per_mwh: float = P(
        0.435,
        ge=0,
        le=2,
        source="EIA FAQ 74: gas fleet 0.435 t/MWh (DOMAIN-NUMBERS #25)",
        doc="Gas fleet emission factor.",
    )
    co2_coal_t_per_mwh: float = P(
        1.05,
        ge=0,
        le=2,
        source="EIA FAQ 74: coal 2.31 lb/kWh = 1.05 t/MWh (DOMAIN-NUMBERS #25)",
        doc="Coal emission factor.",
    )
    co2_other_t_per_mwh: float = P(
        0.8,
        ge=0,
        le=2,
        source="Assumption: oil peakers",
        doc="Other fossil emission factor.",
        unconfirmed=True,
    )
    wind_availability: float = P(
        0.36,
        ge=0,
        le=1,
        source="E3: wind capacity factor ~36 % (DOMAIN-NUMBERS)",
        doc="Wind output as a share of capacity in every representative hour.",
    )
    tariff_adder_usd_per_mwh: float = P(
        30.0,
        ge=0,
        le=1000,
        source="Assumption: T&D and capacity recovery on top of energy",
        doc="Retail adder utilities charge above the LMP.",
        unconfirmed=True,
    )


class PolicySection(Section):
    carbon_price_usd_per_t: float = P(
        0.0,
        ge=0,
        le=1000,
        source="Lever (no US federal carbon price)",
        doc="Carbon price on operational CO2.",
    )
    credit_45x_usd_per_kwh: float = P(
        10.0,
        ge=0,
        le=200,
        source="26 USC 45X: $10/kWh modules (DOMAIN-NUMBERS #21)",
        doc="45X credit per kWh of storage modules (new and remanufactured).",
    )
    credit_45x_phaseout_start_year: int = P(
        2030,
        ge=2000,
        le=2100,
        source="26 USC 45X: phase-out 2030-2032 (DOMAIN-NUMBERS #21)",
        doc="First year of the 45X phase-out (75 %, 50 %, 25 %, then 0).",
    )
    solar_credit_share: float = P(
        0.3,
        ge=0,
        le=1,
        source="IRA 48E/45Y 30 % base credit (DOMAIN.md: 45Y for solar)",
        doc="Share of solar capex covered by credits.",
    )


class UtilitySection(Section):
    reserve_margin: float = P(
        0.15,
        ge=0,
        le=1,
        source="NERC reference reserve margin ~15 % (public)",
        doc="Target capacity above forecast peak.",
    )
    forecast_inclusion: float = P(
        0.5,
        ge=0,
        le=1,
        source="Utilities include signed and a share of queued load (assumption; Dominion/ERCOT practice)",
        doc="Share of queued (unsigned) load MW utilities count in their forecast.",
        unconfirmed=True,
    )
    build_lead_months_gas: float = P(
        60.0,
        ge=0,
        le=240,
        source="CCGT lead ~5 yr (DOMAIN-NUMBERS #23)",
        doc="Utility gas build lead time.",
    )
    build_lead_months_solar: float = P(
        20.0,
        ge=0,
        le=240,
        source="Solar+storage 18-20 months (DOMAIN-NUMBERS §5a)",
        doc="Utility solar build lead time.",
    )
    build_lead_months_storage: float = P(
        12.0,
        ge=0,
        le=240,
        source="Assumption",
        doc="Utility storage build lead time.",
        unconfirmed=True,
    )
    gas_capex_usd_per_kw: float = P(
        2_400.0,
        ge=0,
        le=20_000,
        source="New CCGT $2,000-2,500/kW (DOMAIN-NUMBERS #24)",
        doc="Utility CCGT capex.",
    )
    storage_hours: float = P(
        4.0,
        gt=0,
        le=24,
        source="BNEF 4 h turnkey BESS (DOMAIN-NUMBERS #18)",
        doc="Duration of grid storage utilities buy.",
    )
    storage_share_of_new_capacity: float = P(
        0.3,
        ge=0,
        le=1,
        source="Storage ~39 % of queued capacity x its lower completion (11 % vs 14 %) ~ 0.31 of built capacity (DOMAIN-NUMBERS #2, #4)",
        doc="Share of new utility capacity built as storage.",
    )


class ScenarioConfig(BaseModel):
    """A whole scenario: a named story and all its sections."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    name: str = Field("baseline", min_length=1, max_length=80, description="Scenario name.")
    description: str = Field(
        "",
        max_length=4000,
        description="One-paragraph story shown in the app and `powerstack list`.",
    )
    run: RunSection = RunSection()
    demand: DemandSection = DemandSection()
    grid: GridSection = GridSection()
    queue: QueueSection = QueueSection()
    hyperscalers: HyperscalerSection = HyperscalerSection()
    vendors: VendorSection = VendorSection()
    gas: GasSection = GasSection()
    other: OtherSection = OtherSection()
    packs: PacksSection = PacksSection()
    recyclers: RecyclerSection = RecyclerSection()
    oems: OEMSection = OEMSection()
    batteries: BatteriesSection = BatteriesSection()
    market: MarketSection = MarketSection()
    policy: PolicySection = PolicySection()
    utilities: UtilitySection = UtilitySection()


SECTIONS: dict[str, type[Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in ScenarioConfig.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, Section)
}


def parameter_keys() -> list[str]:
    """Every dotted parameter key, e.g. 'queue.mode'."""
    return [f"{s}.{k}" for s, cls in SECTIONS.items() for k in cls.model_fields]


_BOUND_SYMBOLS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _number(x: float) -> str:
    """Bounds as people write them: whole numbers in full (4294967295, not 4.29497e+09)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def allowed_range(section: str, param: str) -> str:
    """Human-readable allowed values of one parameter, e.g. '>= 0 and <= 5' or 'one of: a, b'."""
    field = SECTIONS[section].model_fields[param]
    choices = getattr(field.annotation, "__args__", None)
    if choices and all(isinstance(c, str) for c in choices):
        return "one of: " + ", ".join(choices)
    if field.annotation is bool:
        return "true or false"
    if field.annotation is str and param in ("start", "available_from"):
        return "a month YYYY-MM"
    parts = [
        f"{symbol} {_number(getattr(meta, name))}"
        for meta in field.metadata
        for name, symbol in _BOUND_SYMBOLS.items()
        if getattr(meta, name, None) is not None
    ]
    return " and ".join(parts) if parts else "any " + getattr(field.annotation, "__name__", "value")
