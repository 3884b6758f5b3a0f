"""The interconnection-queue section: every rule of `abm.grid.queue` with its source."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from abm.schema.fields import Section, param


class QueueSection(Section):
    """Interconnection-queue rules; defaults calibrated in docs/grid.md (abm.grid.queue.QueueRules)."""

    mode: Literal["serial", "cluster"] = param(
        "serial",
        source="FERC Order 2023 (cluster) vs legacy serial FCFS (DOMAIN-NUMBERS §1)",
        doc="Queue discipline.",
    )
    studies_per_month_us: float = param(
        200.0,
        gt=0,
        le=100_000,
        source="Calibrated with base_withdrawal_hazard_per_month (baseline 2025-2034): 10 study starts/month in each of ~20 US territories gives the 55-month median IR-to-COD (DOMAIN-NUMBERS #3) with the slower attrition; see docs/grid.md 'Recalibration for the hindcast'",
        doc="Generation/storage study starts per month nationally (serial); split over territories and scaled to the grid's peak.",
        unconfirmed=True,
    )
    load_studies_per_month_us: float = param(
        80.0,
        gt=0,
        le=100_000,
        source="Assumption: 4 per territory in ~20 US territories; the large-load line should not back up at ~2-3 requests/territory/month",
        doc="Large-load study starts per month nationally (serial); split over territories and scaled to the grid's peak.",
        unconfirmed=True,
    )
    system_study_months: float = param(
        5.0,
        ge=0,
        le=120,
        source="FERC Order 2023 cluster-study clock of 150 days (DOMAIN-NUMBERS §1)",
        doc="Duration of the system study.",
    )
    facilities_study_months: float = param(
        6.0,
        ge=0,
        le=120,
        source="Facilities study ~180 days, pro-forma LGIP (assumption)",
        doc="Duration of the facilities study / upgrade design.",
        unconfirmed=True,
    )
    agreement_months: float = param(
        3.0,
        ge=0,
        le=60,
        source="Assumption: interconnection agreement negotiation",
        doc="Months to sign the agreement.",
        unconfirmed=True,
    )
    construction_months_load: float = param(
        18.0,
        ge=0,
        le=120,
        source="Conventional DC build 12-24 months (DOMAIN.md)",
        doc="Construction after agreement for a large load.",
    )
    construction_months_generation: float = param(
        18.0,
        ge=0,
        le=120,
        source="LBNL median IR-to-COD 55 months minus ~37 months of queue and studies (calibration, docs/grid.md)",
        doc="Construction after agreement for generation.",
    )
    construction_months_storage: float = param(
        12.0,
        ge=0,
        le=120,
        source="Assumption: batteries build faster than PV/wind",
        doc="Construction after agreement for storage.",
        unconfirmed=True,
    )
    construction_sigma: float = param(
        0.25,
        ge=0,
        le=3,
        source="Assumption: spreads COD dates",
        doc="Log-sd of construction durations.",
        unconfirmed=True,
    )
    cluster_window_months: int = param(
        12,
        ge=1,
        le=60,
        source="FERC Order 2023: annual cluster request window (DOMAIN-NUMBERS §1)",
        doc="Months between cluster windows.",
    )
    cluster_study_months: float = param(
        5.0,
        ge=1,
        le=60,
        source="FERC Order 2023: 150-day cluster study deadline (DOMAIN-NUMBERS §1)",
        doc="Duration of one cluster study.",
    )
    cluster_study_capacity_requests: int = param(
        50,
        ge=1,
        le=100_000,
        source="ERCOT process 'designed for 40-50 at a time' (DOMAIN-NUMBERS §1)",
        doc="Requests one cluster study handles on time; bigger clusters run late pro rata.",
    )
    readiness_deposit_usd_per_mw: float = param(
        4_000.0,
        ge=0,
        le=1e7,
        source="MISO M4 milestone $2,000-5,000/MW (DOMAIN-NUMBERS §1; Order 2023 amounts unconfirmed)",
        doc="Commercial readiness deposit (cluster mode).",
        unconfirmed=True,
    )
    submitted_deposit_readiness_multiple: float = param(
        1.0,
        ge=0,
        le=100,
        source="FERC Order 2023 deposit schedule: readiness deposit at entry and at the facilities study, none otherwise (DOMAIN-NUMBERS Part 2 §3a, amounts unconfirmed)",
        doc="Deposit posted on submission, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    system_study_deposit_readiness_multiple: float = param(
        0.0,
        ge=0,
        le=100,
        source="FERC Order 2023 deposit schedule: readiness deposit at entry and at the facilities study, none otherwise (DOMAIN-NUMBERS Part 2 §3a, amounts unconfirmed)",
        doc="Deposit posted on entering the system study, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    facilities_study_deposit_readiness_multiple: float = param(
        1.0,
        ge=0,
        le=100,
        source="FERC Order 2023 deposit schedule: readiness deposit at entry and at the facilities study, none otherwise (DOMAIN-NUMBERS Part 2 §3a, amounts unconfirmed)",
        doc="Deposit posted on entering the facilities study, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    agreement_deposit_readiness_multiple: float = param(
        0.0,
        ge=0,
        le=100,
        source="FERC Order 2023 deposit schedule: readiness deposit at entry and at the facilities study, none otherwise (DOMAIN-NUMBERS Part 2 §3a, amounts unconfirmed)",
        doc="Deposit posted on entering the agreement phase, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    construction_deposit_readiness_multiple: float = param(
        0.0,
        ge=0,
        le=100,
        source="FERC Order 2023 deposit schedule: readiness deposit at entry and at the facilities study, none otherwise (DOMAIN-NUMBERS Part 2 §3a, amounts unconfirmed)",
        doc="Deposit posted on entering construction, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    agreement_deposit_fraction_of_upgrade: float = param(
        0.1,
        ge=0,
        le=1,
        source="FERC Order 2023: 10 % of network-upgrade cost at facilities study (DOMAIN-NUMBERS §1, unverified recall)",
        doc="Share of the allocated upgrade cost posted at agreement (cluster).",
        unconfirmed=True,
    )
    withdrawal_penalty_fraction_of_upgrade: float = param(
        0.2,
        ge=0,
        le=1,
        source="FERC Order 2023: up to 20 % of network upgrade costs (DOMAIN-NUMBERS §1, unverified recall)",
        doc="Withdrawal penalty past the facilities study, share of upgrade cost (cluster).",
        unconfirmed=True,
    )
    submitted_withdrawal_penalty_readiness_multiple: float = param(
        0.0,
        ge=0,
        le=100,
        source="FERC Order 2023: 2x / 10x the study cost at the cluster / facilities study = 1x / 5x the readiness deposit; none before the study, 5x after (DOMAIN-NUMBERS Part 2 §3a, unverified recall)",
        doc="Withdrawal penalty before its study starts, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    system_study_withdrawal_penalty_readiness_multiple: float = param(
        1.0,
        ge=0,
        le=100,
        source="FERC Order 2023: 2x / 10x the study cost at the cluster / facilities study = 1x / 5x the readiness deposit; none before the study, 5x after (DOMAIN-NUMBERS Part 2 §3a, unverified recall)",
        doc="Withdrawal penalty in the system (cluster) study, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    facilities_study_withdrawal_penalty_readiness_multiple: float = param(
        5.0,
        ge=0,
        le=100,
        source="FERC Order 2023: 2x / 10x the study cost at the cluster / facilities study = 1x / 5x the readiness deposit; none before the study, 5x after (DOMAIN-NUMBERS Part 2 §3a, unverified recall)",
        doc="Withdrawal penalty in the facilities study, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    agreement_withdrawal_penalty_readiness_multiple: float = param(
        5.0,
        ge=0,
        le=100,
        source="FERC Order 2023: 2x / 10x the study cost at the cluster / facilities study = 1x / 5x the readiness deposit; none before the study, 5x after (DOMAIN-NUMBERS Part 2 §3a, unverified recall)",
        doc="Withdrawal penalty in the agreement phase, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    construction_withdrawal_penalty_readiness_multiple: float = param(
        5.0,
        ge=0,
        le=100,
        source="FERC Order 2023: 2x / 10x the study cost at the cluster / facilities study = 1x / 5x the readiness deposit; none before the study, 5x after (DOMAIN-NUMBERS Part 2 §3a, unverified recall)",
        doc="Withdrawal penalty in construction, in readiness deposits (x MW; cluster).",
        unconfirmed=True,
    )
    late_study_penalty_usd_per_day: float = param(
        1_000.0,
        ge=0,
        le=1e7,
        source="FERC Order 2023: $1,000 per business day late (DOMAIN-NUMBERS §1, unverified recall)",
        doc="Penalty the transmission provider pays per day a cluster study is late.",
        unconfirmed=True,
    )
    late_study_penalty_cap_fraction_of_deposits: float = param(
        1.0,
        ge=0,
        le=1,
        source="FERC Order 2023: late-study penalties capped at the cluster's study deposits (DOMAIN-NUMBERS Part 2 §3a, unverified recall)",
        doc="Cap on a cluster's late-study penalties, as a share of its study deposits.",
        unconfirmed=True,
    )
    serial_deposit_usd: float = param(
        10_000.0,
        ge=0,
        le=1e8,
        source="Pre-Order-2023 entry cost ~$10,000 (zonevex 2025, DOMAIN-NUMBERS §1)",
        doc="Deposit per request in serial mode.",
    )
    upgrade_cost_usd_per_mw: float = param(
        300_000.0,
        ge=0,
        le=1e8,
        source="Between MISO active ($156/kW) and withdrawn ($452/kW) mean costs (DOMAIN-NUMBERS §3b)",
        doc="Network upgrade cost per MW beyond hosting capacity.",
    )
    upgrade_lead_months: float = param(
        48.0,
        ge=0,
        le=240,
        source="Dominion: large loads +1-3 years on top of historic 3-4 (DOMAIN-NUMBERS #5)",
        doc="Lead time of an upgrade as large as the request (scales with its share).",
    )
    generation_drawn_upgrade_cost_median_usd_per_kw: float = param(
        100.0,
        ge=0,
        le=100000,
        source="Median ~0.4-0.5x the mean network-upgrade cost, solar $209-253/kW (PJM/MISO, DOMAIN-NUMBERS Part 2 §3b)",
        doc="Median upgrade cost drawn for a generation request when no generation hosting array is given.",
    )
    storage_drawn_upgrade_cost_median_usd_per_kw: float = param(
        150.0,
        ge=0,
        le=100000,
        source="Median ~0.4-0.5x the mean network-upgrade cost, storage $248-335/kW (PJM/MISO, DOMAIN-NUMBERS Part 2 §3b)",
        doc="Median upgrade cost drawn for a storage request when no generation hosting array is given.",
    )
    drawn_upgrade_cost_sigma: float = param(
        1.35,
        ge=0,
        le=5,
        source="Lognormal sigma for median = 0.4 x mean, sqrt(2 ln 2.5) (DOMAIN-NUMBERS Part 2 §3b model hint)",
        doc="Log-sd of drawn upgrade costs.",
    )
    restudy_months: float = param(
        3.0,
        ge=0,
        le=60,
        source="Assumption: restudy after a withdrawal ahead in line",
        doc="Months added to a study when a request ahead withdraws (serial).",
        unconfirmed=True,
    )
    max_restudies_per_request: int = param(
        2,
        ge=0,
        le=100,
        source="Assumption: later withdrawals fold into the restudy under way, or a busy queue never finishes a study",
        doc="Restudies one request absorbs at most.",
        unconfirmed=True,
    )
    base_withdrawal_hazard_per_month: float = param(
        0.012,
        ge=0,
        le=1,
        source="Calibrated with studies_per_month_us (baseline 2025-2034): generation withdrawn share in 0.69-0.87 (LBNL completion 13-31 %, DOMAIN-NUMBERS #4), mean age of active requests toward LBNL's 34 months (end-2023, DOMAIN-NUMBERS §1; 0.03 gave 17), 55-month median kept; see docs/grid.md 'Recalibration for the hindcast'",
        doc="Monthly attrition of requests in the queue.",
        unconfirmed=True,
    )
    submitted_hazard_multiplier: float = param(
        0.5,
        ge=0,
        le=100,
        source="Assumption: a request waiting for its study has learnt nothing about its cost and holds its place for a ~$10,000 serial deposit (DOMAIN-NUMBERS §1), so it withdraws at half the base rate; with 1.0 half the withdrawn MW left before any study (mean 4 months) and ~21 % at facilities study/IA vs LBNL's ~1/3 (2024, DOMAIN-NUMBERS §1)",
        doc="Attrition hazard multiplier for a request before its study starts.",
        unconfirmed=True,
    )
    system_study_hazard_multiplier: float = param(
        1.0,
        ge=0,
        le=100,
        source="Assumption: doubled in the facilities study when upgrade costs come out (~1/3 of 2024 withdrawals at facilities study/IA, DOMAIN-NUMBERS §1), halved once an IA is signed, rare in construction",
        doc="Attrition hazard multiplier for a request in the system (cluster) study.",
        unconfirmed=True,
    )
    facilities_study_hazard_multiplier: float = param(
        2.0,
        ge=0,
        le=100,
        source="Assumption: doubled in the facilities study when upgrade costs come out (~1/3 of 2024 withdrawals at facilities study/IA, DOMAIN-NUMBERS §1), halved once an IA is signed, rare in construction",
        doc="Attrition hazard multiplier for a request in the facilities study.",
        unconfirmed=True,
    )
    agreement_hazard_multiplier: float = param(
        0.5,
        ge=0,
        le=100,
        source="Assumption: doubled in the facilities study when upgrade costs come out (~1/3 of 2024 withdrawals at facilities study/IA, DOMAIN-NUMBERS §1), halved once an IA is signed, rare in construction",
        doc="Attrition hazard multiplier for a request in the agreement phase.",
        unconfirmed=True,
    )
    construction_hazard_multiplier: float = param(
        0.1,
        ge=0,
        le=100,
        source="Assumption: doubled in the facilities study when upgrade costs come out (~1/3 of 2024 withdrawals at facilities study/IA, DOMAIN-NUMBERS §1), halved once an IA is signed, rare in construction",
        doc="Attrition hazard multiplier for a request in construction.",
        unconfirmed=True,
    )
    load_hazard_multiplier: float = param(
        1.0,
        ge=0,
        le=100,
        source="Assumption: storage is the most fragile (lowest completion, 0.11, DOMAIN-NUMBERS #4)",
        doc="Attrition hazard multiplier for load requests.",
        unconfirmed=True,
    )
    generation_hazard_multiplier: float = param(
        1.0,
        ge=0,
        le=100,
        source="Assumption: storage is the most fragile (lowest completion, 0.11, DOMAIN-NUMBERS #4)",
        doc="Attrition hazard multiplier for generation requests.",
        unconfirmed=True,
    )
    storage_hazard_multiplier: float = param(
        1.2,
        ge=0,
        le=100,
        source="Assumption: storage is the most fragile (lowest completion, 0.11, DOMAIN-NUMBERS #4)",
        doc="Attrition hazard multiplier for storage requests.",
        unconfirmed=True,
    )
    speculative_hazard_multiplier: float = param(
        3.0,
        ge=0,
        le=100,
        source="Assumption; 50 % of DC requests speculative (DOMAIN-NUMBERS #7)",
        doc="How much faster speculative requests withdraw.",
        unconfirmed=True,
    )
    withdraw_if_upgrade_cost_above_usd_per_kw: float = param(
        250.0,
        ge=0,
        le=100_000,
        source="Generator withdrawals rise steeply above ~$200-300/kW (DOMAIN-NUMBERS §3b)",
        doc="Upgrade cost above which generation requests tend to withdraw.",
    )
    load_withdraw_if_upgrade_cost_above_usd_per_kw: float = param(
        1_000.0,
        ge=0,
        le=100_000,
        source="~5 % of a $20 M/MW AI facility (DOMAIN-NUMBERS §4b); assumption",
        doc="Upgrade cost above which load requests tend to withdraw.",
        unconfirmed=True,
    )
    upgrade_withdraw_scale_usd_per_kw: float = param(
        50.0,
        gt=0,
        le=100000,
        source="Assumption: width of the logistic withdrawal curve around the threshold",
        doc="How sharply P(withdraw) rises with upgrade cost around the threshold.",
        unconfirmed=True,
    )
    upgrade_wait_probability: float = param(
        0.25,
        ge=0,
        le=1,
        source="Assumption",
        doc="Share of serial requesters that wait for headroom instead of paying for an upgrade.",
        unconfirmed=True,
    )
    upgrade_wait_max_months: float = param(
        12.0,
        ge=0,
        le=120,
        source="Assumption",
        doc="How long a requester waits for headroom before accepting the upgrade.",
        unconfirmed=True,
    )
    flexible_connections: bool = param(
        False,
        source="Duke Nicholas Inst. 'Rethinking Load Growth' (2025); PJM connect-and-manage (DOMAIN-NUMBERS #15, §3c)",
        doc="Large loads may connect early if they accept curtailment.",
    )
    flexible_speedup_months: float = param(
        30.0,
        ge=0,
        le=240,
        source="Flexible loads skip the upgrade wait: upgrade lead 48 minus build 18 months (Duke 2025)",
        doc="How much earlier a flexible load connects on a constrained node.",
    )
    merchant_gw_per_year: float = param(
        500.0,
        ge=0,
        le=10_000,
        source="LBNL Queued Up 2025: ~500 GW of new requests in 2024 (DOMAIN-NUMBERS §1)",
        doc="New merchant generation and storage requests per year (scaled to the grid's peak).",
    )
    merchant_request_mw_median: float = param(
        150.0,
        gt=0,
        le=5000,
        source="LBNL: ~10,300 projects for 2,290 GW, ~220 MW mean (DOMAIN-NUMBERS #1)",
        doc="Median size of a merchant request (lognormal, sigma 0.8).",
    )

    merchant_request_mw_sigma: float = param(
        0.8,
        ge=0,
        le=3,
        source="Assumption: spread of LBNL request sizes (Queued Up 2025: tens of MW to GW)",
        doc="Log-sd of merchant request sizes (lognormal around the median).",
        unconfirmed=True,
    )
    merchant_storage_share: float = param(
        0.39,
        ge=0,
        le=1,
        source="LBNL Queued Up 2025: storage ~39 % of queued capacity (DOMAIN-NUMBERS #2)",
        doc="Share of merchant requests that are storage; the rest are generation.",
    )
    merchant_solar_share: float = param(
        0.702,
        ge=0,
        le=1,
        source="LBNL 2025: solar 956 of 1,363 GW of generation requests (DOMAIN-NUMBERS §1)",
        doc="Share of merchant generation requests that are solar (solar + wind + gas = 1).",
    )
    merchant_wind_share: float = param(
        0.198,
        ge=0,
        le=1,
        source="LBNL 2025: wind 271 of 1,363 GW of generation requests (DOMAIN-NUMBERS §1)",
        doc="Share of merchant generation requests that are wind.",
    )
    merchant_gas_share: float = param(
        0.100,
        ge=0,
        le=1,
        source="LBNL 2025: gas 136 of 1,363 GW of generation requests (DOMAIN-NUMBERS §1)",
        doc="Share of merchant generation requests that are gas.",
    )
    merchant_speculative_share: float = param(
        0.5,
        ge=0,
        le=1,
        source="Assumption: half of merchant requests are speculative (most queued capacity withdraws, LBNL)",
        doc="Share of merchant requests marked speculative (they withdraw faster).",
        unconfirmed=True,
    )
    spin_up_months: int = param(
        48,
        ge=0,
        le=240,
        source="Model convention: four years of queue history, about the LBNL median time in queue",
        doc="Months of queue history simulated before the first month.",
        unconfirmed=True,
    )

    @model_validator(mode="after")
    def _merchant_mix_sums_to_one(self) -> QueueSection:
        """The merchant generation mix is a probability vector."""
        total = self.merchant_solar_share + self.merchant_wind_share + self.merchant_gas_share
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"merchant_solar_share + merchant_wind_share + merchant_gas_share must be 1, got {total:g}"
            )
        return self
