"""Hyperscaler decisions: path choice by logit, planning the gap, cancelling surplus, switching, learning."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from abm.agents.firm_types import agents_per_type
from abm.agents.hyperscaler import Hyperscaler
from abm.catalogue import choice_of
from abm.schema import DEFAULT_TYPES, FirmType
from abm.signals import Signals
from abm.streams import Streams
from abm.vocabulary import Choice, Path, Project, Status


def signals(month: int = 0, lmp_usd_per_mwh: float = 60.0) -> Signals:
    return Signals(
        month=month,
        expected_lmp_usd_per_mwh=lmp_usd_per_mwh,
        grid_co2_t_per_mwh=0.4,
        expected_upgrade_share=0.3,
        modular_storage_cost_usd_per_kwh=150.0,
    )


def build(
    model, cfg, desk, sites, share: float = 1.0, seed: int = 1, firm: FirmType | None = None
) -> Hyperscaler:
    streams = Streams(seed)
    return Hyperscaler(
        model, share, config=cfg, streams=streams, projects=desk, sites=sites, firm_type=firm
    )


def delay_usd_per_mw_month(cfg, firm: FirmType | None = None) -> float:
    """What one month of expected wait adds to a path's cost (value of lost compute over the horizon)."""
    multiplier = firm.value_of_time_multiplier if firm is not None else 1.0
    return (
        cfg.demand.value_of_lost_compute_usd_per_mw_month
        * multiplier
        / cfg.hyperscalers.planning_horizon_months
    )


def default_type(name: str) -> FirmType:
    return next(t for t in DEFAULT_TYPES if t.name == name)


def shares(h: Hyperscaler, sig: Signals, draws: int) -> Counter:
    """Draws won by each choice (both modular options count as modular)."""
    return Counter(choice_of(h.choose_path(100.0, sig, pid)) for pid in range(draws))


def test_a_far_cheaper_and_faster_path_wins_most_draws(model, config, make_desk, make_sites):
    # "other" gets free, carbon-free energy and no wait; every other path waits five years.
    cfg = config(other={"cost_usd_per_mwh": 0.0, "co2_t_per_mwh": 0.0})
    desk = make_desk(paths=("grid", Choice.MODULAR, "onsite_gas", "other"))
    h = build(model, cfg, desk, make_sites())
    h.expected_wait_months.update(
        grid=60.0, modular_second_life=60.0, modular_new=60.0, onsite_gas=60.0, other=0.0
    )
    costs = h.path_costs_usd_per_mw_month(100.0, signals())
    runner_up = min(c for p, c in costs.items() if p != "other")
    # precondition: "far lower" means more than three logit scales cheaper than any rival
    scale = cfg.hyperscalers.choice_scale_share_of_cost * min(costs.values())
    assert runner_up - costs["other"] > 3 * scale
    assert shares(h, signals(), 200)["other"] > 0.8 * 200


@pytest.mark.parametrize("name", [t.name for t in DEFAULT_TYPES])
def test_a_path_20_percent_cheaper_and_a_year_faster_wins_over_80_percent_of_draws(
    model, config, make_desk, make_sites, name
):
    # The rule the choice scale is set by: three rivals alike, one path 20 % cheaper before its
    # wait and a year faster; it must win > 80 % of draws whatever the type.
    cfg, firm = config(), default_type(name)
    h = build(
        model,
        cfg,
        make_desk(paths=("grid", Choice.MODULAR, "onsite_gas", "other")),
        make_sites(),
        firm=firm,
    )
    delay = delay_usd_per_mw_month(cfg, firm)
    rival_wait_months = 36.0
    rival = h.path_costs_usd_per_mw_month(100.0, signals())["grid"]
    before_wait = rival - rival_wait_months * delay
    best = 0.8 * before_wait + (rival_wait_months - 12.0) * delay
    h.path_costs_usd_per_mw_month = lambda mw, sig: {
        "grid": rival,
        Choice.MODULAR: best,
        "onsite_gas": rival,
        "other": rival,
    }
    assert shares(h, signals(), 400)[Choice.MODULAR] > 0.8 * 400


def test_paths_that_cost_the_same_split_the_draws(model, config, make_desk, make_sites):
    h = build(model, config(), make_desk(paths=("grid", "onsite_gas")), make_sites())
    h.path_costs_usd_per_mw_month = lambda mw, sig: {"grid": 3e5, "onsite_gas": 3e5}
    assert 0.4 * 400 < shares(h, signals(), 400)["grid"] < 0.6 * 400


def lmp_giving_grid_advantage(h: Hyperscaler, advantage_usd_per_mw_month: float) -> float:
    """The expected LMP at which grid costs `advantage` less than modular at the current waits.

    Path costs are linear in the LMP, so two evaluations give the line.
    """
    at0 = h.path_costs_usd_per_mw_month(100.0, signals(lmp_usd_per_mwh=0.0))
    at1 = h.path_costs_usd_per_mw_month(100.0, signals(lmp_usd_per_mwh=1.0))
    slope = at1["grid"] - at0["grid"]
    return (at0[Path.MODULAR_NEW] - advantage_usd_per_mw_month - at0["grid"]) / slope


def test_a_60_month_grid_wait_flips_the_choice_to_modular(model, config, make_desk, make_sites):
    cfg = config()
    h = build(model, cfg, make_desk(paths=("grid", Choice.MODULAR)), make_sites())
    modular_wait = h.expected_wait_months[Path.MODULAR_NEW]
    assert modular_wait == h.expected_wait_months[Path.MODULAR_SECOND_LIFE]
    assert modular_wait < 60.0 - 24.0  # the 60-month wait is the longer one by over two years
    # All else equal: grid is cheaper by 24 months of delay when both waits are the same, so a
    # 60-month grid wait leaves modular (60 - modular_wait - 24) months of delay ahead.
    h.expected_wait_months["grid"] = modular_wait
    lead = 24.0 * delay_usd_per_mw_month(cfg)
    sig = signals(lmp_usd_per_mwh=lmp_giving_grid_advantage(h, lead))
    before = shares(h, sig, 400)
    h.expected_wait_months["grid"] = 60.0
    after = shares(h, sig, 400)
    assert before["grid"] > 0.7 * 400
    assert after[Choice.MODULAR] > 0.7 * 400


def test_plan_opens_projects_for_the_uncovered_gap(model, config, make_desk, make_sites):
    cfg = config()
    desk = make_desk(demand_mw=400.0, existing_mw=200.0)  # flat demand: target = ceiling
    h = build(model, cfg, desk, make_sites(), share=0.5)
    h.plan(signals(month=3))
    gap_mw = 0.5 * (400.0 - 200.0)
    opened_mw = sum(p.mw for p in desk.started)
    # opens until less than 1 MW is left; the last campus is at least 10 MW
    assert gap_mw - 1.0 <= opened_mw < gap_mw + 10.0
    assert len(desk.started) <= cfg.hyperscalers.max_projects_per_month
    assert all(p.path == "grid" and p.month_opened == 3 for p in desk.started)
    assert h.projects == desk.started


def test_plan_opens_nothing_when_demand_is_covered(model, config, make_desk, make_sites):
    desk = make_desk(demand_mw=400.0, existing_mw=200.0)
    h = build(model, config(), desk, make_sites(), share=0.5)
    powered = Project(pid=99, owner=h.unique_id, mw=100.0, path="grid", node=0, month_opened=-10)
    powered.status = Status.ENERGIZED
    h.projects.append(powered)
    h.plan(signals(month=3))
    assert desk.started == []
    assert powered.status is Status.ENERGIZED


def grid_project(h: Hyperscaler, pid: int, month_opened: int, mw: float = 100.0) -> Project:
    project = Project(
        pid=pid, owner=h.unique_id, mw=mw, path="grid", node=0, month_opened=month_opened
    )
    h.projects.append(project)
    return project


def test_cancel_surplus_withdraws_newest_grid_projects_in_study(
    model, config, make_desk, make_sites
):
    h = build(model, config(), make_desk(), make_sites(signed=(2,)))
    oldest, signed, middle = grid_project(h, 1, 1), grid_project(h, 2, 3), grid_project(h, 3, 2)
    modular = Project(
        pid=4, owner=h.unique_id, mw=50.0, path=Choice.MODULAR, node=0, month_opened=4
    )
    h.projects.append(modular)
    committed = 350.0
    h.cancel_surplus(committed - 90.0)  # 90 MW surplus: the newest unsigned grid project goes
    assert [p.status for p in (oldest, signed, middle, modular)] == [
        Status.WAITING,
        Status.WAITING,
        Status.CANCELLED,
        Status.WAITING,
    ]
    h.cancel_surplus(0.0)  # everything is surplus: still never the signed or the modular one
    assert oldest.status is Status.CANCELLED
    assert signed.status is Status.WAITING and modular.status is Status.WAITING


def test_no_cancellation_without_surplus(model, config, make_desk, make_sites):
    h = build(model, config(), make_desk(), make_sites())
    project = grid_project(h, 1, 0)
    h.cancel_surplus(project.mw)
    assert project.status is Status.WAITING


@pytest.mark.parametrize("months_past_limit, switched", [(-1, False), (0, True)])
def test_stuck_grid_project_switches_only_past_the_wait_limit(
    model, config, make_desk, make_sites, months_past_limit, switched
):
    cfg = config()
    desk = make_desk(paths=("grid", Choice.MODULAR, "onsite_gas"))
    h = build(model, cfg, desk, make_sites())
    h.expected_wait_months["grid"] = 200.0  # the grid now looks far worse than the rest
    project = grid_project(h, 1, 0)
    limit = int(cfg.hyperscalers.switch_wait_months)
    h.reconsider_stuck_projects(signals(month=limit + months_past_limit))
    assert bool(desk.switched) is switched
    assert all(path != "grid" for _, path in desk.switched)
    assert project.path != "grid" if switched else project.path == "grid"


def test_stuck_grid_project_stays_when_grid_is_still_cheapest(model, config, make_desk, make_sites):
    cfg = config()
    desk = make_desk(paths=("grid", Choice.MODULAR, "onsite_gas"))
    h = build(model, cfg, desk, make_sites())
    h.expected_wait_months.update(
        grid=0.0, modular_second_life=200.0, modular_new=200.0, onsite_gas=200.0
    )
    grid_project(h, 1, 0)
    h.reconsider_stuck_projects(signals(month=int(cfg.hyperscalers.switch_wait_months) + 12))
    assert desk.switched == []


def test_signed_or_already_switched_projects_never_switch(model, config, make_desk, make_sites):
    cfg = config()
    desk = make_desk(paths=("grid", Choice.MODULAR, "onsite_gas"))
    h = build(model, cfg, desk, make_sites(signed=(1,)))
    h.expected_wait_months["grid"] = 200.0
    grid_project(h, 1, 0)
    grid_project(h, 2, 0).switches = 1
    h.reconsider_stuck_projects(signals(month=int(cfg.hyperscalers.switch_wait_months) + 12))
    assert desk.switched == []


def test_observe_moves_expectations_by_the_expectation_weight(model, config, make_desk, make_sites):
    cfg = config()
    h = build(model, cfg, make_desk(), make_sites())
    before = dict(h.expected_wait_months)
    h.observe({"grid": before["grid"] + 10.0, Path.MODULAR_NEW: np.nan, "not_a_path": 5.0})
    alpha = cfg.hyperscalers.expectation_weight
    assert h.expected_wait_months["grid"] == pytest.approx(before["grid"] + alpha * 10.0)
    assert (
        h.expected_wait_months[Path.MODULAR_NEW] == before[Path.MODULAR_NEW]
    )  # a missing signal teaches nothing
    assert "not_a_path" not in h.expected_wait_months


def test_a_project_that_lost_its_filings_refiles_when_its_mw_are_still_needed(
    model, config, make_desk, make_sites
):
    desk = make_desk(demand_mw=1000.0)  # grid only: re-planning can only mean refiling
    h = build(model, config(), desk, make_sites(lost=(1,)))
    lost, live = grid_project(h, 1, 0), grid_project(h, 2, 0)
    h.replan_lost_projects(signals(month=5))
    assert desk.switched == [(lost, "grid")]
    assert lost.switches == 1 and live.switches == 0
    assert lost.status is Status.WAITING and live.status is Status.WAITING


def test_a_project_that_lost_its_filings_is_cancelled_when_the_rest_cover_demand(
    model, config, make_desk, make_sites
):
    # demand ceiling 150 MW: the other 200 MW already reach it
    desk = make_desk(demand_mw=150.0)
    h = build(model, config(), desk, make_sites(lost=(3,)))
    others = [grid_project(h, 1, 0), grid_project(h, 2, 0)]
    lost = grid_project(h, 3, 0)
    h.replan_lost_projects(signals(month=5))
    assert lost.status is Status.CANCELLED and desk.switched == []
    assert all(p.status is Status.WAITING for p in others)


def test_a_lost_project_moves_off_the_grid_when_the_grid_looks_far_worse(
    model, config, make_desk, make_sites
):
    desk = make_desk(demand_mw=1000.0, paths=("grid", "onsite_gas"))
    h = build(model, config(), desk, make_sites(lost=(1,)))
    h.expected_wait_months["grid"] = 600.0  # fifty years in line: refiling cannot win
    lost = grid_project(h, 1, 0)
    h.replan_lost_projects(signals(month=5))
    assert desk.switched == [(lost, "onsite_gas")]


def test_only_waiting_grid_projects_without_a_live_request_are_replanned(
    model, config, make_desk, make_sites
):
    desk = make_desk(demand_mw=1000.0)
    h = build(model, config(), desk, make_sites(lost=(1, 2, 3)))
    done, gas = grid_project(h, 1, 0), grid_project(h, 2, 0)
    done.status, gas.path = Status.ENERGIZED, "onsite_gas"
    lost = grid_project(h, 3, 0)
    grid_project(h, 4, 0)  # still has a live request
    h.replan_lost_projects(signals(month=5))
    assert desk.switched == [(lost, "grid")]


# --- firms that differ: each type's parameters act through its own agent -------------------
def lmp_tying(h: Hyperscaler, path: str, rival: str, sig: Signals) -> float:
    """The expected LMP at which `path` and `rival` cost the same to this agent (costs are linear in it)."""
    at = [
        h.path_costs_usd_per_mw_month(
            100.0, Signals(**{**vars(sig), "expected_lmp_usd_per_mwh": x})
        )
        for x in (0.0, 1.0)
    ]
    gap0 = at[0][path] - at[0][rival]
    return -gap0 / ((at[1][path] - at[1][rival]) - gap0)


def test_an_ai_lab_takes_the_fast_path_a_patient_buyer_leaves(model, config, make_desk, make_sites):
    cfg = config()
    desk = make_desk(paths=("grid", Choice.MODULAR))
    cloud = build(model, cfg, desk, make_sites(), firm=default_type("cloud"))
    lab = build(model, cfg, desk, make_sites(), firm=default_type("ai_lab"))
    for h in (cloud, lab):
        h.expected_wait_months.update(grid=36.0, modular_second_life=12.0, modular_new=12.0)
    # the grid is cheaper to the cloud buyer by 24 months of its delay
    sig = signals(
        lmp_usd_per_mwh=lmp_giving_grid_advantage(cloud, 24.0 * delay_usd_per_mw_month(cfg))
    )
    assert shares(cloud, sig, 400)["grid"] > 0.7 * 400
    assert shares(lab, sig, 400)[Choice.MODULAR] > 0.9 * 400


def test_a_carbon_free_pledge_steers_away_from_onsite_gas(model, config, make_desk, make_sites):
    cfg = config()
    desk = make_desk(paths=("grid", "onsite_gas"))
    cloud = build(model, cfg, desk, make_sites(), firm=default_type("cloud"))
    pledged = build(model, cfg, desk, make_sites(), firm=default_type("carbon_committed"))
    clean_grid = Signals(**{**vars(signals()), "grid_co2_t_per_mwh": 0.1})
    sig = Signals(
        **{
            **vars(clean_grid),
            "expected_lmp_usd_per_mwh": lmp_tying(cloud, "grid", "onsite_gas", clean_grid),
        }
    )
    gas_cloud = shares(cloud, sig, 400)["onsite_gas"]
    gas_pledged = shares(pledged, sig, 400)["onsite_gas"]
    assert 0.4 * 400 < gas_cloud < 0.6 * 400  # a tie to the buyer without a pledge
    assert gas_pledged < gas_cloud - 0.2 * 400


def test_the_pledge_buys_carbon_free_energy_for_the_fossil_mwh(
    model, config, make_desk, make_sites
):
    cfg = config()
    desk = make_desk(paths=("grid", "onsite_gas"))
    plain = FirmType(name="plain")
    pledged = FirmType(name="pledged", carbon_free_share=0.5)
    costs = [
        build(model, cfg, desk, make_sites(), firm=f).path_costs_usd_per_mw_month(100.0, signals())
        for f in (plain, pledged)
    ]
    fuel_mwh = 730.0 * cfg.demand.load_factor  # on-site gas burns for every MWh of load
    extra = 0.5 * fuel_mwh * cfg.hyperscalers.cfe_premium_usd_per_mwh
    assert costs[1]["onsite_gas"] - costs[0]["onsite_gas"] == pytest.approx(extra, rel=1e-3)
    grid_fossil_mwh = fuel_mwh * 0.4 / cfg.gas.co2_t_per_mwh  # grid CO2 in gas-equivalent MWh
    assert costs[1]["grid"] - costs[0]["grid"] == pytest.approx(
        0.5 * grid_fossil_mwh * cfg.hyperscalers.cfe_premium_usd_per_mwh, rel=1e-3
    )


def test_an_internal_carbon_price_adds_to_policy_on_each_tonne(
    model, config, make_desk, make_sites
):
    cfg = config()
    desk = make_desk(paths=("grid", "onsite_gas"))
    base, priced = (
        FirmType(name="base"),
        FirmType(name="priced", internal_carbon_price_usd_per_t=50.0),
    )
    costs = [
        build(model, cfg, desk, make_sites(), firm=f).path_costs_usd_per_mw_month(100.0, signals())
        for f in (base, priced)
    ]
    gas_t = 730.0 * cfg.demand.load_factor * cfg.gas.co2_t_per_mwh
    assert costs[1]["onsite_gas"] - costs[0]["onsite_gas"] == pytest.approx(50.0 * gas_t, rel=1e-3)


def test_a_queue_risk_premium_weighs_only_the_grid_wait(model, config, make_desk, make_sites):
    cfg = config()
    desk = make_desk(paths=("grid", Choice.MODULAR))
    neutral, averse = FirmType(name="neutral"), FirmType(name="averse", queue_risk_premium=1.0)
    hs = [build(model, cfg, desk, make_sites(), firm=f) for f in (neutral, averse)]
    costs = [h.path_costs_usd_per_mw_month(100.0, signals()) for h in hs]
    grid_wait = hs[0].expected_wait_months["grid"]
    assert costs[1]["grid"] - costs[0]["grid"] == pytest.approx(
        grid_wait * delay_usd_per_mw_month(cfg), rel=1e-9
    )
    assert costs[1][Path.MODULAR_NEW] == costs[0][Path.MODULAR_NEW]
    assert costs[1][Path.MODULAR_SECOND_LIFE] == costs[0][Path.MODULAR_SECOND_LIFE]


def test_campus_sizes_follow_the_type(model, config, make_desk, make_sites):
    cfg = config()
    lab = build(model, cfg, make_desk(), make_sites(), firm=default_type("ai_lab"))
    cloud = build(model, cfg, make_desk(), make_sites(), firm=default_type("cloud"))
    lab_mw = np.median([lab.campus_mw(pid) for pid in range(301)])
    cloud_mw = np.median([cloud.campus_mw(pid) for pid in range(301)])
    assert lab_mw == pytest.approx(1000.0, rel=0.15)
    assert cloud_mw == pytest.approx(200.0, rel=0.15)


@pytest.mark.parametrize(
    "n_agents, counts", [(3, [1, 1, 1]), (6, [2, 2, 2]), (10, [4, 4, 2]), (50, [22, 20, 8])]
)
def test_agents_split_over_types_by_share_with_one_each_at_least(n_agents, counts):
    assert agents_per_type(DEFAULT_TYPES, n_agents) == counts


def test_cancel_surplus_also_drops_onsite_gas_orders_but_never_modular(
    model, config, make_desk, make_sites
):
    """A slowdown's surplus cancels waiting gas orders (newest first) with grid filings; modular orders stay."""
    h = build(model, config(), make_desk(), make_sites())
    grid = grid_project(h, 1, 1)
    gas = Project(pid=2, owner=h.unique_id, mw=80.0, path="onsite_gas", node=0, month_opened=3)
    modular = Project(
        pid=3, owner=h.unique_id, mw=50.0, path=Choice.MODULAR, node=0, month_opened=4
    )
    h.projects += [gas, modular]
    h.cancel_surplus(h.committed_mw() - 60.0)  # 60 MW surplus: the newest cancellable (gas) goes
    assert (gas.status, grid.status, modular.status) == (
        Status.CANCELLED,
        Status.WAITING,
        Status.WAITING,
    )
