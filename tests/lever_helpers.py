"""The lever test's keys, their moved values and the contexts their runs need.

The keys come from the schema itself (`ScenarioConfig` and its sections), so a key added later is
covered without touching the test. A key is moved inside the range `abm.bounds.bounds_of` reads
from the schema (the default x 1.5, else x 0.5, else an end of the range; the other Literal choice;
the flipped bool; a month a year later; `MOVES` where that stays below a threshold) and run on
the same seed as its base. What counts as an output is what a run publishes: the monthly table
(without its date column), the KPIs and the project table; tests/lever_runs.py runs the pairs and
says which of them differ.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

from abm.bounds import bounds_of, field_info
from abm.errors import InputError
from abm.scenario import config_with
from abm.schema import DEFAULT_TYPES, ScenarioConfig, Section, parameter_keys, parse_month
from abm.schema.firm_types import split_type_key, type_keys

# A short run on the default grid (200 buses: smaller grids have no marginal coal or storage and
# no costly upgrades), three years, no counterfactual.
SHORT_RUN: dict[str, Any] = {"run.months": 36}

FLEXIBLE = {"queue.flexible_connections": True, "hyperscalers.flexible_share": 0.75}

OTHER = {"other.enabled": True, "other.available_from": "2025-06"}
LONG = {"run.months": 60}  # effects that show after four to five years
# utilities build only when the system as a whole is short: the baseline grid is ~8 % long
# (firm 984 GW against a 909 GW need in 2025), a 30 % reserve target makes it ~43 GW short;
# those builds clear the queue after ~40 months, gas plants take 60 from filing, and grid
# storage (valued and aged under the utilities' duty) is bought from then on
UTILITY_BUILDS = {"run.months": 72, "utilities.reserve_margin": 0.3}
PLANNING = {"run.months": 72}  # the baseline's planned builds are in service by 2030
# owners cancel whatever passes the ceiling, and half the demand growth leaves signed campuses idle
SURPLUS = {"hyperscalers.surplus_cancel_factor": 1.0, "demand.growth_multiplier": 0.5}
STORAGE_BUILDS = {**UTILITY_BUILDS, "planning.storage_capex_usd_per_kwh": 50.0}
LAB_GAS = {**UTILITY_BUILDS, "gas.cost_usd_per_mwh": 100.0}
BRIDGES = {"run.months": 96}  # bridges come online from 2026 and their grid connections after 2030

# Keys that only act once another key switches their mechanism on, or that need a longer run:
# the base run of a key starting with a prefix here carries these settings (its moved run too).
# With hyperscaler types (issue 16) every type buys modular in 2025-2027, as long as it is cheaper
# and faster; gas and the wildcard come into the running when the vendors' factories are booked
# (2029-2031). Keys that act through those choices need runs that reach them.
FIRST_GAS_YEARS = {"run.months": 72}
OTHER_LATE = {**OTHER, "run.months": 96}

CONTEXTS: dict[str, dict[str, Any]] = {
    # a cooling technology's WUE acts once a path is cooled by it
    "water.wue_hybrid_l_per_kwh": {"water.cooling_conventional": "hybrid"},
    "water.wue_dry_l_per_kwh": {"water.cooling_conventional": "dry"},
    "water.gen_other_l_per_mwh": {"market.cost_other_usd_per_mwh": 20.0},  # else never dispatched
    # a slowdown acts from its month on (planners see it only then); its share needs one in the run
    "demand.slowdown_from": {"demand.growth_after_slowdown_share": 0.0, "run.months": 48},
    "demand.growth_after_slowdown_share": {"demand.slowdown_from": "2026-01"},
    # gas orders are cancelled only when demand falls below them: on-site gas is bought from
    # 2029 (seed 1: 1.5 GW of orders cancelled when demand falls back from 2030, measured)
    "gas.order_cancel_penalty_share": {
        "run.months": 96,
        "demand.slowdown_from": "2030-01",
        "demand.growth_after_slowdown_share": -0.5,
    },
    "other.": OTHER_LATE,
    "other.capacity_cap_mw": OTHER_LATE,  # the 5 GW cap binds once the wildcard is bought
    "gas.": FIRST_GAS_YEARS,
    "demand.value_of_lost_compute_usd_per_mw_month": FIRST_GAS_YEARS,
    # waiting for headroom acts only where a load finds none: with the 5 % hosting cutoff
    # (grid.hosting_dfax_cutoff) the baseline's buses have room for 120 months (measured), so
    # these keys run on the grid where every bus needs an upgrade (cutoff 0), from month 0
    "queue.upgrade_wait_max_months": {"run.months": 72, "grid.hosting_dfax_cutoff": 0.0},
    "queue.upgrade_wait_probability": {"run.months": 72, "grid.hosting_dfax_cutoff": 0.0},
    # a learning rate shows once repurposed kWh have doubled a few times (not in 36 months)
    "packs.repurpose_learning_rate": {"run.months": 96},
    "hyperscalers.overcommit_months": FIRST_GAS_YEARS,
    "hyperscalers.conventional_capex_usd_per_mw": FIRST_GAS_YEARS,
    "hyperscalers.planning_horizon_months": FIRST_GAS_YEARS,
    "hyperscalers.switch_wait_months": FIRST_GAS_YEARS,
    "policy.carbon_price_usd_per_t": FIRST_GAS_YEARS,
    "queue.cluster_": {"queue.mode": "cluster"},
    "queue.flexible_speedup_months": FLEXIBLE,
    # flexible connections need projects that accept one (flexible_share defaults to 0)
    "queue.flexible_connections": {"hyperscalers.flexible_share": 0.75},
    "hyperscalers.flexible_share": FLEXIBLE,
    "market.flex_curtail_cost_usd_per_mwh": FLEXIBLE,
    # no bus sheds in a 96-month baseline (the first shedding comes after 2033), so VOLL sets
    # no price; an evening peak 10 % above the peak load sheds in 12 of 36 months (measured)
    "market.voll_usd_per_mwh": {"market.peak_load_factor": 1.1},
    "market.co2_other_t_per_mwh": {"market.cost_other_usd_per_mwh": 20.0},  # else never dispatched
    "vendors.augmentation_trigger": LONG,  # sites reach the fade trigger after ~4 years
    "contracts.guaranteed_capacity_share": LONG,  # the same trigger for sites under BaaS
    "recyclers.capacity_growth_per_month": LONG,  # capacity binds after ~5 years
    "packs.repurpose_cost_share_lfp": LONG,  # LFP packs (EVs sold 2021 on) retire later
    "utilities.": UTILITY_BUILDS,
    # a gas plant waits max(its own lead, its turbines' delivery): the shared turbine book's
    # backlog can outlast the plant's own lead, so that lead binds when turbines are plentiful
    "utilities.build_lead_months_gas": {
        **UTILITY_BUILDS,
        "gas.turbine_production_mw_per_month": 1e6,
    },
    "recyclers.backlog_trigger_months": LONG,  # test backlogs build up after ~5 years
    # a cost term of one path flips a keyed choice only near a tie: a few more years of choices
    "vendors.om_usd_per_mw_month": LONG,
    # vendors' books first pass the point where a factory line pays back in the fourth year
    "vendors.factory_lead_time_months": LONG,
    "vendors.factory_capex_usd_per_mw_per_month": LONG,
    # second-life orders wait long for packs from about the fifth year (scarce packs, utilities draw)
    "vendors.second_life_wait_tolerance_months": UTILITY_BUILDS,
    # with owners re-planning lost requests (issue 16), these act after the third year
    "hyperscalers.max_projects_per_month": LONG,
    # the turbine book's first deliveries go to utility plants filed in the first months, which
    # enter service from the fifth year; bridged grid projects energise from the sixth
    "gas.turbine_": BRIDGES,
    # utilities' first-month gas filings (~8.3 GW, seed 1) get turbines 43-50 months out, inside
    # their plants' own 60-month lead: the backlog (see MOVES) or a longer minimum lead (36
    # months: deliveries 55-62, month 56) binds only once it pushes delivery past 60 (measured)
    "gas.turbine_backlog_mw": FIRST_GAS_YEARS,
    "gas.turbine_min_lead_months": FIRST_GAS_YEARS,
    "gas.bridge_after_grid": BRIDGES,
    "gas.backup_hours_per_year": {**BRIDGES, "gas.bridge_after_grid": "backup"},  # runs if kept
    "other.co2_t_per_mwh": {**OTHER, **LONG},
    # readiness deposits and penalties apply in cluster mode; tariff terms once the tariff is on
    "queue.readiness_deposit_usd_per_mw": {"queue.mode": "cluster"},
    "queue.facilities_study_withdrawal_penalty_readiness_multiple": {"queue.mode": "cluster"},
    "tariff.": {"tariff.large_load_tariff": True},
    # the switch acts once its collateral outweighs a twin's worth (see MOVES)
    "tariff.large_load_tariff": {"tariff.collateral_usd_per_mw": 5e6},
    # exit fees and the minimum bill's term act on signed projects an owner has in surplus
    "tariff.exit_fee_months": {"tariff.large_load_tariff": True, **SURPLUS},
    "tariff.minimum_bill_years": {"tariff.large_load_tariff": True, **SURPLUS},
    # a type's time, risk and carbon terms flip choices only once on-site gas is in the running
    # (2029-2031, when modular factories are booked): before that every type buys modular
    "hyperscalers.types.": UTILITY_BUILDS,
    # with on-site gas carrying the firm's fuel-risk loading (ppa), AI labs buy no on-site gas
    # in 120 months (114 modular, 5 grid: seed 1), so their carbon terms flip nothing even at
    # $500/t or a full pledge; at $100/MWh on-site gas is in their running and both act from
    # month 60-62 (measured)
    "hyperscalers.types.ai_lab.carbon_free_share": LAB_GAS,
    "hyperscalers.types.ai_lab.internal_carbon_price_usd_per_t": LAB_GAS,
    # with the buyer's own fuel loading in the modular cost (ppa) the carbon-committed firms'
    # first choice a 1.5 x carbon price flips comes after 2033: 96 months move nothing (measured)
    "hyperscalers.types.carbon_committed.internal_carbon_price_usd_per_t": {
        **UTILITY_BUILDS,
        "run.months": 120,
    },
    "hyperscalers.cfe_premium_usd_per_mwh": UTILITY_BUILDS,
    # utilities build the cheapest option, a gas CT (122 $/firm kW-yr against storage's 174 at
    # the default capex), so no grid storage is built, bought or aged; at $50/kWh storage is
    # the cheapest (52) and these keys act from month 32 (lead) and 37 (packs bid for, measured)
    "utilities.build_lead_months_storage": STORAGE_BUILDS,
    "utilities.second_life_bankability_discount": STORAGE_BUILDS,
    "utilities.storage_efc_per_month": STORAGE_BUILDS,
    # planning economics: the baseline's utilities file ~14 GW of CTs in 2025-26 (announced
    # retirements), ~5 GW in service by 2030; an option's own costs act where it is the
    # cheapest (its cost enters the tariff once in service), a key that only shifts the choice
    # where it flips it (see MOVES)
    "planning.": PLANNING,
    "utilities.gas_capex_usd_per_kw": PLANNING,
    "planning.solar_": {**PLANNING, "planning.solar_capex_usd_per_kw": 500.0},
    "planning.build_lead_months_solar": {**PLANNING, "planning.solar_capex_usd_per_kw": 500.0},
    "planning.solar_capacity_factor": PLANNING,
    "planning.wind_": {**PLANNING, "planning.wind_capex_usd_per_kw": 100.0},
    "planning.build_lead_months_wind": {**PLANNING, "planning.wind_capex_usd_per_kw": 100.0},
    "planning.storage_": {**PLANNING, "planning.storage_capex_usd_per_kwh": 50.0},
    "planning.gas_cc_": {**PLANNING, "utilities.gas_capex_usd_per_kw": 500.0},
    "carbon.gas_ccgt_t_per_mwh": {
        **PLANNING,
        "utilities.gas_capex_usd_per_kw": 500.0,
        "policy.carbon_price_usd_per_t": 20.0,
    },
    "carbon.gas_ct_t_per_mwh": {**PLANNING, "policy.carbon_price_usd_per_t": 12.0},
}

# Keys whose x 1.5 stays on the flat side of a threshold: a value that crosses it.
MOVES: dict[str, Any] = {
    # the cap of 6 campuses a month binds rarely upward: after the redrawn grid and arrivals (libm
    # change) 9 changed nothing in 60 months at 0.25 size; 2 binds in the first months' re-plans
    "hyperscalers.max_projects_per_month": 2,
    # back to round-off only: one line at its limit in the peak dispatch then leaves no bus any room
    "grid.hosting_dfax_cutoff": 0.0,
    # sites fade ~2 %/yr (usable): in five years none falls below 90 %, some below 97 %
    "vendors.augmentation_trigger": 0.97,
    "contracts.guaranteed_capacity_share": 0.97,
    "queue.load_studies_per_month_us": 10.0,  # load studies bind only below ~40 a month
    "queue.load_withdraw_if_upgrade_cost_above_usd_per_kw": 250.0,  # few loads draw > 1000 $/kW
    "oems.production_gwh_per_month": 0.1,  # new storage is scarce only below ~1 GWh a month
    "packs.repurpose_cost_share_lfp": 5.0,  # LFP is ~1 % of the packs retiring before 2030
    "market.flex_curtail_cost_usd_per_mwh": 10.0,  # curtailment must undercut the marginal unit
    "market.cost_nuclear_usd_per_mwh": 100.0,  # never marginal below gas and coal
    "market.cost_hydro_usd_per_mwh": 100.0,  # never marginal below gas and coal
    "market.cost_other_usd_per_mwh": 20.0,  # dispatched only below gas and coal
    "policy.credit_45x_phaseout_start_year": 2026,  # a phase-out inside the run
    "policy.credit_45x_first_year": 2026,  # no credit in 2025, so the 2025 new-storage price rises
    "packs.contract_months": 30,  # contracts that end inside the run
    "grid.source": "grids/example_5bus.json",  # a grid file instead of the synthetic grid
    "utilities.build_lead_months_storage": 60.0,  # binds only above the ~40-month queue
    # an option's energy terms only shift the choice (the tariff recovers fixed costs): flip it
    "utilities.gas_capex_usd_per_kw": 500.0,  # a combined cycle cheaper than a CT
    "planning.solar_capacity_factor": 0.5,  # solar's displaced gas pays for its panels
    "planning.gas_ct_cost_usd_per_mwh": 200.0,  # a CT dearer to run than solar to build
    "planning.gas_ct_capacity_factor": 0.5,  # a CT run as baseload at its fuel cost
    "carbon.gas_ccgt_t_per_mwh": 2.0,  # at $20/t a dirtier CC loses to solar
    "carbon.gas_ct_t_per_mwh": 2.0,  # at $12/t a dirtier CT loses to solar
    "planning.build_lead_months_solar": 60.0,  # binds only above the ~40-month queue
    "planning.build_lead_months_wind": 60.0,  # binds only above the ~40-month queue
    "utilities.build_cancel_surplus_share": 0.0,  # the system is not 10-15 % long within 6 years
    "hyperscalers.campus_mw_max": 400.0,  # the size draw (median 200 MW) seldom nears 5 GW
    "hyperscalers.surplus_cancel_factor": 1.0,  # commitments seldom pass 1.2 x the ceiling
    "recyclers.stale_months": 6,
    # learning from 1.5 GWh instead of 1 moves the repurposing cost ~1 $/kWh (37.7 vs 36.9 at
    # month 24): it changes only payments, no routing flips; from 0.01 GWh the first second-life
    # GWh bought cut the cost enough that recyclers route more to second life (month 13, measured)
    "packs.repurposed_gwh_start": 0.01,
    # the ~80 GW order book of end-2025 (the key's source): 30 more months of backlog push
    # the first plants' turbines (43-50 months) past their 60-month lead; x 1.5 stays inside
    "gas.turbine_backlog_mw": 80_000.0,
    # waiters find headroom within 12 months (18 changes nothing in 72 months, measured); a
    # 6-month limit makes some proceed with the upgrade sooner (month 34)
    "queue.upgrade_wait_max_months": 6.0,  # little stock sits 24 months unsold in a 3-year run
    # a twin is worth ~$0.15 M/MW to its owner: deposits and penalties bite near that
    "queue.readiness_deposit_usd_per_mw": 40_000.0,
    "queue.facilities_study_withdrawal_penalty_readiness_multiple": 50.0,
    "queue.serial_deposit_usd": 5e7,  # per request: ~$0.25 M/MW for a 200 MW campus
    "tariff.collateral_usd_per_mw": 5e6,  # carried ~11 months: ~$0.37 M/MW, above a twin's worth
    "tariff.exit_fee_months": 240.0,  # beyond the 12-year term: no idle project is dropped
    "tariff.minimum_bill_years": 2.0,  # an idle signed project owes at most 24 months: keep it
    # the wildcard is first bought in the 2029-2031 crunch: an opening after it, a cap that binds
    "other.available_from": "2030-01",
    "other.capacity_cap_mw": 500.0,
    # the lab's x 1.5 only widens its lead for the fast paths; a patient lab weighs the grid again
    "hyperscalers.types.ai_lab.value_of_time_multiplier": 0.5,
}


# Keys tied by a schema rule (shares that sum to one): the partner takes up the difference.
_SHARE = "hyperscalers.types.{}.demand_share"
COUPLED: dict[str, str] = {
    "queue.merchant_solar_share": "queue.merchant_gas_share",
    "queue.merchant_wind_share": "queue.merchant_solar_share",
    "queue.merchant_gas_share": "queue.merchant_solar_share",
    _SHARE.format("cloud"): _SHARE.format("carbon_committed"),
    _SHARE.format("carbon_committed"): _SHARE.format("cloud"),
    _SHARE.format("ai_lab"): _SHARE.format("cloud"),
}


def schema_keys() -> list[str]:
    """Every key of the schema: top-level scalars ('name'), dotted section keys ('queue.mode') and
    each numeric field of each default hyperscaler type ('hyperscalers.types.ai_lab.demand_share')."""
    top = [
        name
        for name, field in ScenarioConfig.model_fields.items()
        if not (isinstance(field.annotation, type) and issubclass(field.annotation, Section))
    ]
    return top + parameter_keys() + type_keys(DEFAULT_TYPES)


def context_of(key: str) -> dict[str, Any]:
    """The settings a key's base run needs on top of the short run (longest matching prefix)."""
    matches = [prefix for prefix in CONTEXTS if key.startswith(prefix)]
    extra = CONTEXTS[max(matches, key=len)] if matches else {}
    return {**SHORT_RUN, **extra}


def lineage_of(key: str) -> dict[str, Any]:
    """A key's context without its run length: keys with the same share their base run's months
    (tests/lever_runs.py `lineage`), so the xdist scheduler keeps them on one worker."""
    return {k: v for k, v in context_of(key).items() if k != "run.months"}


def value_of(cfg: ScenarioConfig, key: str) -> Any:
    """The value of a dotted key in a config (a type's key reads that type's field)."""
    type_key = split_type_key(key)
    if type_key is not None:
        name, field = type_key
        return getattr(next(t for t in cfg.hyperscalers.types if t.name == name), field)
    section, _, param = key.partition(".")
    return getattr(getattr(cfg, section), param)


def _in_range(key: str, x: float) -> bool:
    """Whether x lies inside the schema range of a numeric key."""
    b = bounds_of(key)
    above = b.lower is None or (x > b.lower if b.lower_strict else x >= b.lower)
    below = b.upper is None or (x < b.upper if b.upper_strict else x <= b.upper)
    return above and below


def _numeric_candidates(key: str, value: float, kind: type) -> Iterator[float]:
    """Moved values of a number, most natural first: x 1.5, x 0.5 (from 0: mid-range), the ends."""
    b = bounds_of(key)
    middle = (b.lower + b.upper) / 2 if b.lower is not None and b.upper is not None else 1.0
    raw = [value * 1.5, value * 0.5] if value else [middle]
    raw += [x for x in (b.upper, b.lower) if x is not None]
    for x in raw:
        moved = kind(round(x)) if kind is int else float(x)
        if moved != value and _in_range(key, moved):
            yield moved


def candidates(key: str, value: Any) -> Iterator[Any]:
    """Moved values of a key from its base value, in order of preference."""
    annotation = field_info(key).annotation if "." in key else str
    if annotation is bool:
        yield not value
    elif typing.get_origin(annotation) is typing.Literal:
        yield from (c for c in typing.get_args(annotation) if c != value)
    elif annotation in (int, float):
        yield from _numeric_candidates(key, value, annotation)
    else:
        try:
            year, month = parse_month(value)
        except ValueError:
            raise AssertionError(f"{key}: give this string key a valid move in MOVES") from None
        yield f"{year + 1}-{month:02d}"


def base_config(key: str) -> ScenarioConfig:
    """The config of a key's base run: schema defaults plus the short run and its context."""
    return config_with(ScenarioConfig(), context_of(key), "lever base")


def _move(base: ScenarioConfig, key: str, value: Any, moved: Any) -> dict[str, Any]:
    """The overrides of one move: the key, and its coupled partner taking up the difference."""
    partner = COUPLED.get(key)
    if partner is None:
        return {key: moved}
    return {key: moved, partner: value_of(base, partner) - (moved - value)}


def moved_config(key: str) -> tuple[Any, ScenarioConfig]:
    """The first candidate move of a key the schema accepts, and its config."""
    base = base_config(key)
    value = getattr(base, key) if "." not in key else value_of(base, key)
    for moved in [MOVES[key]] if key in MOVES else candidates(key, value):
        try:
            return moved, config_with(base, _move(base, key, value, moved), f"lever {key}")
        except InputError:
            continue
    raise AssertionError(f"{key}: no moved value of {value!r} passes validation")
